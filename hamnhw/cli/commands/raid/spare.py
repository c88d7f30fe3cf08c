"""``hamnhw raid spare NODE --drive ID [--volume V] [--remove] [--dry-run]``: hot spares."""

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
from hamnhw.node import Node


@click.command("spare")
@click.option("--drive", "drive_id", required=True, metavar="ID",
              help="The drive (as `raid show` lists it).")
@click.option("--volume", metavar="VOLUME",
              help="Dedicated spare of this volume (Links.DedicatedSpareDrives); without it, "
                   "a global spare (HotspareType).")
@click.option("--remove", is_flag=True, help="Stop the drive being that spare.")
@CONFIRM_SERIALS
@CONFIRM_NODE
@DRY_RUN
@node_options
@click.pass_context
def command(ctx: click.Context, target: TargetOptions, drive_id: str, volume: str | None,
            remove: bool, confirm_serials: tuple[str, ...], confirm_node: str | None,
            dry_run: bool) -> None:
    """Make a drive a dedicated or global hot spare, or no longer one; read back."""

    def prepare(_budget: CommandBudget) -> Callable[[Node], dict[str, Any]]:
        guard = pair_guard(target)

        def action(node: Node) -> dict[str, Any]:
            return run_write(node, lambda: node.raid.plan_spare(drive_id, volume, remove=remove),
                             lambda: node.raid.spare(drive_id, volume, remove=remove), guard,
                             confirm_serials, confirm_node, dry_run=dry_run)

        return action

    run_guarded(ctx, target, prepare, render_change)
