"""``hamnhw nics NODE``: the host's NIC ports and MACs, and the BMC's own NICs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.options import TargetOptions, node_options, run_on_node
from hamnhw.node import Node
from hamnhw.views import NIC_COLUMNS, nics_json, records_table, section, warnings_section


def read_nics(node: Node) -> dict[str, Any]:
    """``{"nics", "bmc_nics", "incomplete", "warnings"}`` (see
    :func:`~hamnhw.views.nics_json`); ``bmc_nics`` is null when the driver cannot list them
    or reading them failed (a warning says why), never at the cost of the host NICs."""
    return nics_json(node.nics.view())


def render(payload: Mapping[str, Any]) -> str:
    """Two tables: host NICs, BMC NICs; then what could not be read."""
    return "\n\n".join([
        section(f"{payload['node']}: host NICs", records_table(payload["nics"], NIC_COLUMNS)),
        section("BMC NICs", records_table(payload["bmc_nics"], NIC_COLUMNS)),
        *warnings_section(payload),
    ])


@click.command("nics")
@node_options
@click.pass_context
def command(ctx: click.Context, target: TargetOptions) -> None:
    """List the host's NIC ports with MACs, link and speed, and the BMC's NICs.

    Host MACs are read from every place the BMC shows them (EthernetInterfaces, network
    adapters' functions and ports), one row per MAC with the place it came from.
    """
    run_on_node(ctx, target, read_nics, render)
