"""``hamnhw raid delete NODE VOLUME --yes [--dry-run]``: delete exactly one volume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from hamnhw.cli.commands.raid.common import DRY_RUN, outcome_payload, plan_payload, render_change
from hamnhw.cli.options import TargetOptions, node_options, run_waiting_on_node
from hamnhw.errors import ConfigError
from hamnhw.node import Node


@click.command("delete")
@click.option("--yes", is_flag=True, help="Confirm: the volume's data is lost.")
@DRY_RUN
@node_options
@click.argument("volume", metavar="VOLUME")
@click.pass_context
def command(ctx: click.Context, target: TargetOptions, volume: str, yes: bool,
            dry_run: bool) -> None:
    """Delete one RAID volume (refused without --yes); confirmed gone by a read."""

    def prepare(timeout: float) -> Callable[[Node], dict[str, Any]]:
        if not (yes or dry_run):
            raise ConfigError(f"deleting volume {volume!r} destroys its data: add --yes "
                              "(or --dry-run to see what would be sent)")

        def action(node: Node) -> dict[str, Any]:
            if dry_run:
                return plan_payload(node.raid.plan_delete(volume))
            return outcome_payload(node.raid.delete(volume, timeout=timeout))

        return action

    run_waiting_on_node(ctx, target, prepare, render_change)
