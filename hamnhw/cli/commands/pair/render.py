"""Plain-text view of a pair snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hamnhw.views import table


def render_snapshot(payload: Mapping[str, Any]) -> str:
    """Both nodes side by side, then each node's drives."""
    snap = payload["snapshot"]
    nodes = snap["nodes"]
    names = list(nodes)
    rows = [[label, *(_cell(nodes[n], key) for n in names)] for label, key in (
        ("system serial", "system_serial"), ("power", "power_state"),
        ("restore policy", "restore_policy"), ("boot override", "boot_override"),
        ("boot mode", "boot_mode"), ("NICs", "nics"), ("RAID1 members", "raid1"))]
    lines = [f"snapshot {payload.get('id') or ''}".rstrip(), table(["", *names], rows)]
    for name in names:
        drives = nodes[name]["drives"]
        listed = ("unknown" if drives is None else
                  ", ".join(f"{d['serial']} ({d['bay']})" for d in drives) or "none")
        lines.append(f"{name} drives: {listed}")
        lines.extend(f"{name}: could not read {error}" for error in nodes[name]["errors"])
    if snap.get("ssh_host_key"):
        lines.append("SSH host key: " + "; ".join(k[:40] + "..." for k in snap["ssh_host_key"]))
    return "\n".join(lines)


def _cell(node: Mapping[str, Any], key: str) -> str:
    if key == "boot_override":
        override = node[key]
        return "unknown" if override is None else f"{override['target']}/{override['mode']}"
    if key == "nics":
        return "unknown" if node["nics"] is None else str(len(node["nics"]))
    if key == "raid1":
        members = [s for v in node["volumes"] or () if v["raid_type"] == "RAID1"
                   for s in v["members"] or ()]
        return ", ".join(map(str, members)) or "none"
    value = node.get(key)
    return "unknown" if value is None else str(value)
