"""``hamnhw raid delete NODE VOLUME --yes [--dry-run]``: delete exactly one volume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from hamnhw.cli.budget import CommandBudget
from hamnhw.cli.commands.raid.common import DRY_RUN, render_change
from hamnhw.cli.commands.raid.protection import (
    CONFIRM_NODE,
    CONFIRM_SERIALS,
    pair_guard,
    run_guarded,
    run_write,
)
from hamnhw.cli.options import TargetOptions, node_options
from hamnhw.errors import ConfigError
from hamnhw.node import Node


@click.command("delete")
@click.option("--yes", is_flag=True, help="Confirm: the volume's data is lost.")
@CONFIRM_SERIALS
@CONFIRM_NODE
@DRY_RUN
@node_options
@click.argument("volume", metavar="VOLUME")
@click.pass_context
def command(ctx: click.Context, target: TargetOptions, volume: str, yes: bool,
            confirm_serials: tuple[str, ...], confirm_node: str | None, dry_run: bool) -> None:
    """Delete one RAID volume (refused without --yes); confirmed gone by a read."""

    def prepare(budget: CommandBudget) -> Callable[[Node], dict[str, Any]]:
        if not (yes or dry_run):
            raise ConfigError(f"deleting volume {volume!r} destroys its data: add --yes "
                              "(or --dry-run to see what would be sent)")

        guard = pair_guard(target)

        def action(node: Node) -> dict[str, Any]:
            return run_write(node, lambda: node.raid.plan_delete(volume),
                             lambda: node.raid.delete(volume, timeout=budget.wait_seconds()), guard,
                             confirm_serials, confirm_node, dry_run=dry_run)

        return action

    run_guarded(ctx, target, prepare, render_change)
