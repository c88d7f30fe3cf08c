"""``hamnhw raid show NODE... [--check]``: controllers and their capabilities, volumes with
their classified health, drives, spares, unassigned and foreign drives.

Several nodes (a range, a group, ``--nodes-file``) are read at once
(:mod:`hamnhw.cli.fleet`); with ``--check`` each unhealthy node's code is 5 (its payload,
with ``check``, is printed all the same).

A partial read never passes as fact: a volume listing a member the walk could not read is
``unknown`` (its own Status alone cannot say the mirror is whole), and ``--check`` on an
incomplete read is never ok (exit 5, ``unknown`` unless what was read is worse)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.exit_codes import ExitCode
from hamnhw.cli.fleet import FleetOptions, nodes_options, run_on_nodes
from hamnhw.models import to_jsonable
from hamnhw.node import Node
from hamnhw.notes import notes_of
from hamnhw.raid import RaidStatus, check, settled
from hamnhw.views import (
    DRIVE_COLUMNS,
    VOLUME_COLUMNS,
    records_table,
    section,
    volumes_json,
)

CONTROLLER_COLUMNS = ("storage_id", "raid_types", "apply_times", "volume_creation")
RAID_VOLUME_COLUMNS = (*VOLUME_COLUMNS, "condition", "write_cache_policy", "spares")
RAID_DRIVE_COLUMNS = (*DRIVE_COLUMNS, "hotspare")


def status_json(status: RaidStatus) -> dict[str, Any]:
    """The ``raid show`` JSON contract (README): ``controllers`` (capabilities), ``volumes``
    (each with ``raid_health``), ``drives``, ``spares``, ``unassigned``, ``foreign`` (each
    None, null, when the BMC cannot tell), ``incomplete`` and ``warnings``."""
    volumes = volumes_json(status.volumes)
    for volume in volumes or []:
        volume["raid_health"] = to_jsonable(status.health.get(volume["id"]))
    return {"controllers": to_jsonable(status.capabilities), "volumes": volumes,
            "drives": to_jsonable(status.drives), "spares": to_jsonable(status.spares),
            "unassigned": to_jsonable(status.unassigned),
            "foreign": to_jsonable(status.foreign), "incomplete": status.incomplete,
            "warnings": list(status.warnings)}


def _condition(volume: Mapping[str, Any]) -> str:
    health = volume.get("raid_health") or {}
    percent = f" {health['percent']}%" if health.get("percent") is not None else ""
    return f"{health.get('state', 'unknown')}{percent}"


def _ids(value: Any) -> str:
    if value is None:
        return "unknown (the BMC does not tell)"
    return ", ".join(value) or "none"


def render(payload: Mapping[str, Any]) -> str:
    """Controllers, volumes, drives as tables; spares, unassigned, foreign as lines."""
    volumes = payload["volumes"]
    rows = None if volumes is None else [
        {**v, "condition": _condition(v), "spares": v.get("spare_drive_ids")} for v in volumes]
    parts = [
        section(f"{payload['node']}: RAID controllers",
                records_table(payload["controllers"], CONTROLLER_COLUMNS)),
        section("RAID volumes", records_table(rows, RAID_VOLUME_COLUMNS)),
        section("Drives", records_table(payload["drives"], RAID_DRIVE_COLUMNS)),
        "\n".join([f"spares: {_ids(payload['spares'])}",
                   f"unassigned: {_ids(payload['unassigned'])}",
                   f"foreign: {_ids(payload['foreign'])}"]),
    ]
    parts += [f"note: {note}" for note in payload.get("notes") or []]
    if payload["incomplete"]:
        parts.append("incomplete read: " + "; ".join(payload["warnings"]))
    verdict = payload.get("check")
    if verdict is not None:
        parts.append(f"check: {verdict['state']} ({verdict['reason']})")
    return "\n\n".join(parts)


def summary(payload: Mapping[str, Any]) -> str:
    """One line for the table of a fan-out: each volume's level and condition, the check."""
    volumes = payload["volumes"]
    listed = ("volumes not known" if volumes is None else
              "; ".join(f"{v['id']} {v['raid_type']} {_condition(v)}" for v in volumes)
              or "no volume")
    verdict = payload.get("check")
    return listed + (f" (check: {verdict['state']})" if verdict is not None else "")


def _verdict(payload: Mapping[str, Any]) -> int:
    """Exit 5 when ``--check`` judged the node not ok."""
    verdict = payload.get("check")
    return int(ExitCode.UNHEALTHY) if verdict is not None and not verdict["ok"] else 0


@click.command("show")
@click.option("--check", "check_health", is_flag=True,
              help="Exit 5 unless every volume is optimal (degraded, rebuilding, failed, no "
                   "volume, or a BMC that cannot tell); the reason is in the output.")
@nodes_options
@click.pass_context
def command(ctx: click.Context, fleet: FleetOptions, check_health: bool) -> None:
    """Show RAID controllers, volumes (level, health, members, operation) and drives."""
    def action(node: Node) -> dict[str, Any]:
        status = settled(node.raid.status())
        payload = status_json(status)
        payload["notes"] = notes_of(node.raid)
        if check_health:
            payload["check"] = to_jsonable(check(status))
        return payload

    run_on_nodes(ctx, fleet, lambda _budget: action, render, summary=summary,
                 verdict=_verdict)
