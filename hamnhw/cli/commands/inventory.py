"""``hamnhw inventory NODE...``: system, BMC, storage controllers, drives, volumes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.fleet import FleetOptions, nodes_options, run_on_nodes
from hamnhw.node import Node
from hamnhw.notes import notes_of
from hamnhw.views import (
    DRIVE_COLUMNS,
    EMPTY_BAY_COLUMNS,
    VOLUME_COLUMNS,
    fields,
    inventory_json,
    notes_section,
    records_table,
    section,
    warnings_section,
)

_SYSTEM_FIELDS = ("manufacturer", "model", "serial", "uuid", "bios_version", "power_state")
_CONTROLLER_COLUMNS = ("id", "name", "model", "firmware", "health")


def render(payload: Mapping[str, Any]) -> str:
    """System and BMC as fields, storage as tables, then what could not be read."""
    system = payload["system"]
    manager = payload["manager"] or {}
    head = fields([*((k, system.get(k)) for k in _SYSTEM_FIELDS),
                   ("bmc model", manager.get("model")), ("bmc firmware", manager.get("firmware"))])
    return "\n\n".join([
        section(f"{payload['node']}: system", head),
        section("Storage controllers", records_table(payload["controllers"], _CONTROLLER_COLUMNS)),
        section("Drives", records_table(payload["drives"], DRIVE_COLUMNS)),
        section("Volumes", records_table(payload["volumes"], VOLUME_COLUMNS)),
        section("Empty bays", records_table(payload["empty_bays"], EMPTY_BAY_COLUMNS)),
        *warnings_section(payload),
        *notes_section(payload["notes"]),
    ])


def summary(payload: Mapping[str, Any]) -> str:
    """One line for the table of a fan-out: serial, power, drives and volumes."""
    system = payload["system"]
    drives, volumes = payload["drives"], payload["volumes"]
    return (f"{system.get('serial')} {system.get('power_state')}, "
            f"{'?' if drives is None else len(drives)} drives, "
            f"{'?' if volumes is None else len(volumes)} volumes")


def read_inventory(node: Node) -> dict[str, Any]:
    """The inventory as JSON, with what the driver cannot tell (``notes``)."""
    return {**inventory_json(node.inventory.inventory()), "notes": notes_of(node.inventory)}


@click.command("inventory")
@nodes_options
@click.pass_context
def command(ctx: click.Context, fleet: FleetOptions) -> None:
    """Show system identity, BMC firmware, storage controllers, drives and volumes.

    Bays without a drive are listed apart (``empty_bays``); a partial read says so
    (``incomplete`` and ``warnings``); what the BMC cannot tell at all (an IPMI node's
    storage) is null, and ``notes`` says what to use instead.
    """
    run_on_nodes(ctx, fleet, lambda _budget: read_inventory, render, summary=summary)
