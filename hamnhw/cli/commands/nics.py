"""``hamnhw nics NODE``: the host's NIC ports and MACs, and the BMC's own NICs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.options import TargetOptions, node_options, run_on_node
from hamnhw.errors import UnsupportedOperation
from hamnhw.models import to_jsonable
from hamnhw.node import Node
from hamnhw.views import NIC_COLUMNS, records_table, section


def read_nics(node: Node) -> dict[str, Any]:
    """``{"nics", "bmc_nics"}``; ``bmc_nics`` is null when the driver cannot list them."""
    try:
        bmc_nics = to_jsonable(node.nics.bmc_nics())
    except UnsupportedOperation:
        bmc_nics = None
    return {"nics": to_jsonable(node.nics.list()), "bmc_nics": bmc_nics}


def render(payload: Mapping[str, Any]) -> str:
    """Two tables: host NICs, BMC NICs."""
    return "\n\n".join([
        section(f"{payload['node']}: host NICs", records_table(payload["nics"], NIC_COLUMNS)),
        section("BMC NICs", records_table(payload["bmc_nics"], NIC_COLUMNS)),
    ])


@click.command("nics")
@node_options
@click.pass_context
def command(ctx: click.Context, target: TargetOptions) -> None:
    """List the host's NIC ports with MACs, link and speed, and the BMC's NICs."""
    run_on_node(ctx, target, read_nics, render)
