"""``hamnhw nics NODE...``: the host's NIC ports and MACs, and the BMC's own NICs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.fleet import FleetOptions, nodes_options, run_on_nodes
from hamnhw.node import Node
from hamnhw.notes import notes_of
from hamnhw.views import (
    NIC_COLUMNS,
    nics_json,
    notes_section,
    records_table,
    section,
    warnings_section,
)


def read_nics(node: Node) -> dict[str, Any]:
    """``{"nics", "bmc_nics", "incomplete", "warnings", "notes"}`` (see
    :func:`~hamnhw.views.nics_json`); ``bmc_nics`` is null when the driver cannot list them
    or reading them failed (a warning says why), never at the cost of the host NICs;
    ``nics`` is null when the BMC cannot tell (an IPMI node), and ``notes`` says why."""
    return {**nics_json(node.nics.view()), "notes": notes_of(node.nics)}


def render(payload: Mapping[str, Any]) -> str:
    """Two tables: host NICs, BMC NICs; then what could not be read, and the notes."""
    return "\n\n".join([
        section(f"{payload['node']}: host NICs", records_table(payload["nics"], NIC_COLUMNS)),
        section("BMC NICs", records_table(payload["bmc_nics"], NIC_COLUMNS)),
        *warnings_section(payload),
        *notes_section(payload["notes"]),
    ])


def summary(payload: Mapping[str, Any]) -> str:
    """One line for the table of a fan-out: the host MACs."""
    nics = payload["nics"]
    if nics is None:
        return "NICs not known"
    return f"{len(nics)} NICs: " + ", ".join(str(nic.get("mac")) for nic in nics)


@click.command("nics")
@nodes_options
@click.pass_context
def command(ctx: click.Context, fleet: FleetOptions) -> None:
    """List the host's NIC ports with MACs, link and speed, and the BMC's NICs.

    Host MACs are read from every place the BMC shows them (EthernetInterfaces, network
    adapters' functions and ports), one row per MAC with the place it came from.
    """
    run_on_nodes(ctx, fleet, lambda _budget: read_nics, render, summary=summary)
