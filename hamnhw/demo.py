"""``hamnhw demo``: a simulated primary/standby pair, driven through the public API.

Starts two simulated BMCs in-process (:mod:`hamnhw.sim`) on loopback, connects
to each with :func:`hamnhw.connect` exactly as to a real BMC, and for each node
shows driver detection, power status, the power state an HA pair wants (the
primary on, the standby off until a failover; each confirmed by read-back), NIC
MACs, drives with serials and RAID volumes; then compares the two side by side
and says when it has stopped the simulator.

::

    from hamnhw.demo import run_demo
    report = run_demo(say=print)     # human narration; report is plain JSON types
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import hamnhw
from hamnhw.connection import Secret
from hamnhw.interfaces import PollPolicy
from hamnhw.models import RaidType, to_jsonable
from hamnhw.node import Node
from hamnhw.views import (
    DRIVE_COLUMNS,
    NIC_COLUMNS,
    VOLUME_COLUMNS,
    records_table,
    table,
    volumes_json,
)

Say = Callable[[str], None]
"""Receives the human narration, one block at a time."""

PAIR = ("primary", "standby")
"""The demo's node names."""

WANTED_POWER = {"primary": "on", "standby": "off"}
"""What each node's power should be: the standby of an HA pair is off until a failover."""


def run_demo(say: Say | None = None, *, power_delay: float = 0.3, tls: bool = True,
             poll_interval: float = 0.1) -> dict[str, Any]:
    """Run the demo and return its report.

    :param say: called with human-readable text as the demo goes; None for silence.
    :param power_delay: seconds the simulated hosts spend powering on.
    :param tls: serve HTTPS with a self-signed certificate and pin its fingerprint.
    :param poll_interval: seconds between power-state reads.
    :returns: ``{"nodes": {name: {...}}, "comparison": {...}}``, JSON types only.
    """
    from hamnhw.sim import ServerSpec, SimCluster

    narrate = say or (lambda _text: None)
    specs = [ServerSpec(name=name, power_delay=power_delay, post_time=0.2, boot_time=0.4)
             for name in PAIR]
    poll = PollPolicy(interval=poll_interval, timeout=30.0)
    nodes: dict[str, dict[str, Any]] = {}
    try:
        with SimCluster(specs, tls=tls) as cluster:
            narrate(f"Simulated pair started on loopback ({'HTTPS, pinned' if tls else 'HTTP'})"
                    ":\n" + "\n".join(f"  {s.name:<8} {s.url}" for s in cluster))
            for server in cluster:
                with hamnhw.connect(server.url, username=server.username,
                                    password=Secret(server.password),
                                    pin_fingerprint=server.fingerprint, timeout=30.0,
                                    poll=poll, name=server.name) as node:
                    nodes[server.name] = walk_node(node, narrate)
            comparison = compare(nodes)
            narrate(render_comparison(comparison))
    finally:
        narrate("\nSimulator stopped: both simulated BMCs are shut down.")
    return {"nodes": nodes, "comparison": comparison}


def walk_node(node: Node, say: Say) -> dict[str, Any]:
    """Detection, power, NICs, drives and RAID of one node, narrated.

    The node's power is brought to :data:`WANTED_POWER` (on unless it is the standby).
    """
    name = node.name
    say(f"\n=== {name} ===")
    say(f"detected driver: {node.detection.driver} ({node.detection.reason})")
    before = node.power.state()
    say(f"power state: {before.value}")
    wanted = WANTED_POWER.get(name, "on")
    result = node.power.on() if wanted == "on" else node.power.off()
    why = " (a standby stays off until a failover)" if wanted == "off" else ""
    say(f"power {wanted}: {result.power_state.value} "
        f"({'changed' if result.changed else f'already {wanted}'}, confirmed by read-back "
        f"in {result.elapsed_s:.1f} s){why}")
    storage = node.raid.storage()  # volumes and drives from one snapshot
    report = {
        "url": node.address.url,
        "driver": node.detection.driver,
        "reason": node.detection.reason,
        "power_state_before": before.value,
        "power": {"wanted": wanted, **to_jsonable(result),
                  "elapsed_s": round(result.elapsed_s, 3)},
        "nics": to_jsonable(node.nics.list()),
        "drives": to_jsonable(storage.drives),
        "volumes": volumes_json(storage.volumes),
    }
    say("NICs:\n" + records_table(report["nics"], NIC_COLUMNS))
    say("Drives:\n" + records_table(report["drives"], DRIVE_COLUMNS))
    say("RAID volumes:\n" + records_table(report["volumes"], VOLUME_COLUMNS))
    return report


def compare(nodes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Side-by-side facts: NIC count, RAID1 presence, drive count, power state."""
    per_node = {name: {"nic_count": _count(n["nics"]),
                       "drive_count": _count(n["drives"]),
                       "raid1": _has_raid1(n["volumes"]),
                       "power_state": n["power"]["power_state"],
                       "power_as_wanted": n["power"]["power_state"] == n["power"]["wanted"]}
                for name, n in nodes.items()}
    nic_counts = {p["nic_count"] for p in per_node.values()}
    return {"nodes": per_node,
            "same_nic_count": len(nic_counts) == 1,
            "raid1_on_all": all(p["raid1"] for p in per_node.values()),
            "power_as_wanted": all(p["power_as_wanted"] for p in per_node.values())}


def _count(items: Sequence[Any] | None) -> int | None:
    return None if items is None else len(items)


def _has_raid1(volumes: Sequence[Mapping[str, Any]] | None) -> bool | None:
    if volumes is None:
        return None
    return any(v.get("raid_type") == RaidType.RAID1.value for v in volumes)


def render_comparison(comparison: Mapping[str, Any]) -> str:
    """The side-by-side table and a one-line verdict."""
    names = list(comparison["nodes"])
    rows = [[label, *(comparison["nodes"][n][key] for n in names)]
            for label, key in (("power", "power_state"), ("NICs", "nic_count"),
                               ("drives", "drive_count"), ("RAID1 volume", "raid1"))]
    verdict = ("pair looks consistent: same NIC count, RAID1 on both, primary on, standby off"
               if comparison["same_nic_count"] and comparison["raid1_on_all"]
               and comparison["power_as_wanted"] else "pair differs: see above")
    return f"\n=== side by side ===\n{table(['', *names], rows)}\n\n{verdict}"
