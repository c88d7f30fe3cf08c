"""Plain-text and JSON views of the models, shared by the CLI and the demo.

Tables are aligned plain text with no dependency; ``None`` (the BMC cannot tell)
and an empty list (it reported none) read differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hamnhw.models import Inventory, NicView, Volume, to_jsonable


def cell(value: Any) -> str:
    """Format one table cell: None as ``-``, lists comma-separated."""
    value = to_jsonable(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(cell(v) for v in value) or "-"
    if isinstance(value, dict):
        return " ".join(f"{k}={cell(v)}" for k, v in value.items())
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Aligned plain-text table with a header line."""
    text_rows = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in text_rows]) for i, h in enumerate(headers)]
    lines = [headers, ["-" * w for w in widths], *text_rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


def records_table(records: Sequence[Mapping[str, Any]] | None, columns: Sequence[str],
                  empty: str = "(none reported)", unknown: str = "(the BMC does not tell)") -> str:
    """A table of dicts, one row each, with the given keys as columns.

    None (the BMC cannot tell) and an empty list (it reported none) read differently.
    """
    if records is None:
        return unknown
    if not records:
        return empty
    headers = [c.removesuffix("_bytes").upper() for c in columns]
    return table(headers, ([_human(c, r.get(c)) for c in columns] for r in records))


def _human(column: str, value: Any) -> Any:
    """Column-aware formatting for people: sizes in SI units."""
    if column.endswith("_bytes") and isinstance(value, int) and not isinstance(value, bool):
        return human_bytes(value)
    return value


def human_bytes(size: int) -> str:
    """``1200000000000`` -> ``1.2 TB`` (SI units, as disk vendors count)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover - loop always returns


def fields(pairs: Iterable[tuple[str, Any]]) -> str:
    """``key: value`` lines with the values aligned."""
    items = [(k, cell(v)) for k, v in pairs]
    width = max((len(k) for k, _ in items), default=0)
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in items)


def section(title: str, body: str) -> str:
    """A titled block."""
    return f"{title}\n{body}"


def notes_section(notes: Sequence[str]) -> list[str]:
    """A "Notes" block listing what the BMC could not tell, or nothing when there are none."""
    return [section("Notes", "\n".join(f"- {note}" for note in notes))] if notes else []


def volumes_json(volumes: Sequence[Volume] | None) -> list[dict[str, Any]] | None:
    """Volumes as the JSON contract has them: member drive ids under ``drives``."""
    if volumes is None:
        return None
    return [{**to_jsonable(v), "drives": None if v.drive_ids is None else list(v.drive_ids)}
            for v in volumes]


def inventory_json(inventory: Inventory) -> dict[str, Any]:
    """An :class:`~hamnhw.models.Inventory` as the ``inventory`` JSON contract: system,
    manager, controllers, drives, volumes, ``empty_bays``, and ``incomplete`` with the
    ``warnings`` saying what could not be read."""
    return {"system": to_jsonable(inventory.system),
            "manager": to_jsonable(inventory.manager),
            "controllers": to_jsonable(inventory.controllers),
            "drives": to_jsonable(inventory.drives),
            "volumes": volumes_json(inventory.volumes),
            "empty_bays": to_jsonable(inventory.empty_bays),
            "incomplete": inventory.incomplete,
            "warnings": list(inventory.warnings)}


def nics_json(view: NicView) -> dict[str, Any]:
    """A :class:`~hamnhw.models.NicView` as the ``nics`` JSON contract: ``nics`` (null when
    the BMC links no place showing them), ``bmc_nics`` (null when unreadable), and
    ``incomplete`` with the ``warnings``."""
    return {"nics": to_jsonable(view.nics), "bmc_nics": to_jsonable(view.bmc_nics),
            "incomplete": view.incomplete, "warnings": list(view.warnings)}


def warnings_section(payload: Mapping[str, Any]) -> list[str]:
    """A "Warnings" block for a payload with ``incomplete``, else nothing."""
    if not payload.get("incomplete"):
        return []
    lines = "\n".join(f"- {w}" for w in payload.get("warnings") or ()) or "- (not said)"
    return [section("Warnings: the BMC answered only in part", lines)]


NIC_COLUMNS = ("id", "mac", "permanent_mac", "link", "speed_mbps", "source", "location",
               "port")
"""Columns of NIC tables."""
DRIVE_COLUMNS = ("id", "serial", "model", "capacity_bytes", "media", "protocol", "health",
                 "state", "location")
"""Columns of drive tables."""
EMPTY_BAY_COLUMNS = ("location", "id")
"""Columns of empty-bay tables."""
VOLUME_COLUMNS = ("id", "name", "raid_type", "capacity_bytes", "health", "state", "drives",
                  "operation")
"""Columns of volume tables."""
