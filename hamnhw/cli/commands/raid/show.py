"""``hamnhw raid show NODE``: RAID volumes with their member drives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.options import TargetOptions, node_options, run_on_node
from hamnhw.models import to_jsonable
from hamnhw.node import Node
from hamnhw.views import DRIVE_COLUMNS, VOLUME_COLUMNS, records_table, section, volumes_json


@click.group("raid")
def command() -> None:
    """Hardware RAID: show, create, delete, rebuild, spares."""


def read_raid(node: Node) -> dict[str, Any]:
    """``{"volumes", "drives"}`` from one read of the node's storage."""
    view = node.raid.storage()
    return {"volumes": volumes_json(view.volumes), "drives": to_jsonable(view.drives)}


def render(payload: Mapping[str, Any]) -> str:
    """Volumes then drives, as tables."""
    return "\n\n".join([
        section(f"{payload['node']}: RAID volumes",
                records_table(payload["volumes"], VOLUME_COLUMNS)),
        section("Drives", records_table(payload["drives"], DRIVE_COLUMNS)),
    ])


@command.command("show")
@node_options
@click.pass_context
def show(ctx: click.Context, target: TargetOptions) -> None:
    """Show RAID volumes (level, health, members, running operation) and drives."""
    run_on_node(ctx, target, read_raid, render)
