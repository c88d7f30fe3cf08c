"""``hamnhw nics NODE``: the host's NIC ports and MACs, and the BMC's own NICs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.options import TargetOptions, node_options, run_on_node
from hamnhw.errors import UnsupportedOperation
from hamnhw.models import to_jsonable
from hamnhw.node import Node
from hamnhw.notes import notes_of
from hamnhw.views import NIC_COLUMNS, notes_section, records_table, section


def read_nics(node: Node) -> dict[str, Any]:
    """``{"nics", "bmc_nics", "notes"}``; ``bmc_nics`` is null when the driver cannot list
    them, ``nics`` when it cannot tell (an IPMI node), and ``notes`` then says why."""
    try:
        bmc_nics = to_jsonable(node.nics.bmc_nics())
    except UnsupportedOperation:
        bmc_nics = None
    nics = to_jsonable(node.nics.list())
    return {"nics": nics, "bmc_nics": bmc_nics, "notes": notes_of(node.nics)}


def render(payload: Mapping[str, Any]) -> str:
    """Two tables: host NICs, BMC NICs; then the notes, if any."""
    return "\n\n".join([
        section(f"{payload['node']}: host NICs", records_table(payload["nics"], NIC_COLUMNS)),
        section("BMC NICs", records_table(payload["bmc_nics"], NIC_COLUMNS)),
        *notes_section(payload["notes"]),
    ])


@click.command("nics")
@node_options
@click.pass_context
def command(ctx: click.Context, target: TargetOptions) -> None:
    """List the host's NIC ports with MACs, link and speed, and the BMC's NICs."""
    run_on_node(ctx, target, read_nics, render)
