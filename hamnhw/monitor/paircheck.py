"""``check pair``: is the MN pair ready for a failover?

Checks, each OK, WARNING, CRITICAL or UNKNOWN with its evidence:

* both BMCs answer (a BMC that does not: CRITICAL);
* the active node's RAID volumes (as ``check raid``);
* the other node is off (on: CRITICAL) with restore policy ``AlwaysOff`` (else WARNING);
* the active node's restore policy is ``[failover] active_restore_policy`` (else WARNING);
* a spare drive at least as large as the RAID1 members, on either node outside any volume
  (none: WARNING);
* the last ``pair snapshot`` is younger than the limit (older or none: WARNING);
* NIC parity: both nodes show as many host NICs, at the same speeds (else WARNING).

The active node's source (journal, live state, ``[pair] active``) is in the summary.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any

from hamnhw.config import Config
from hamnhw.errors import HamnhwError
from hamnhw.interfaces import RaidView
from hamnhw.models import Nic, PowerRestorePolicy, PowerState
from hamnhw.monitor.checks import NodeOutcome, judge_raid
from hamnhw.monitor.health import RaidHealth, read_raid_health
from hamnhw.monitor.nagios import PerfDatum, PluginOutput, Status, status_for_error, worst
from hamnhw.monitor.pair import ActiveNode, LiveNode, active_for

PAIR = ("primary", "standby")
DEFAULT_MAX_SNAPSHOT_AGE_S = 7 * 24 * 3600.0


@dataclasses.dataclass(frozen=True)
class PairNodeRead:
    """One pair node as read for the check."""

    power: PowerState
    restore_policy: PowerRestorePolicy | None
    view: RaidView
    health: RaidHealth
    nics: tuple[Nic, ...] | None
    elapsed_s: float


def read_pair_node(node: Any) -> PairNodeRead:
    """Power, restore policy, storage (one walk) and NICs of a connected node."""
    started = time.monotonic()
    power = node.power.state()
    try:
        policy = node.power.get_restore_policy()
    except HamnhwError:
        policy = None
    health = read_raid_health(node)
    view = node.raid.storage()
    nics = node.nics.list()
    return PairNodeRead(power, policy, view, health, nics, time.monotonic() - started)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One check's verdict."""

    status: Status
    text: str


def check_pair(config: Config, read: Callable[[str], PairNodeRead],
               max_snapshot_age_s: float = DEFAULT_MAX_SNAPSHOT_AGE_S) -> PluginOutput:
    """Read both nodes through ``read`` and judge the pair."""
    from hamnhw import pair

    started = time.monotonic()
    reads: dict[str, PairNodeRead] = {}
    findings: list[Finding] = []
    for name in PAIR:
        try:
            reads[name] = read(name)
        except HamnhwError as exc:
            findings.append(Finding(status_for_error(exc), f"{name}: {exc}"))
    snapshot = pair.load_latest_snapshot(config)
    live = {name: LiveNode(r.power is PowerState.ON,
                           frozenset(d.serial for d in r.view.drives or () if d.serial)
                           if r.view.drives is not None else None) for name, r in reads.items()}
    active = active_for(config, live, snapshot)
    findings += _snapshot_finding(snapshot, max_snapshot_age_s)
    perf: list[PerfDatum] = []
    if active.node is None:
        findings.append(Finding(Status.UNKNOWN, active.describe()))
    elif active.node in reads:
        raid = judge_raid(active.node, reads[active.node].health, reads[active.node].elapsed_s)
        findings.append(Finding(raid.status, raid.summary))
        perf += [p for p in raid.perfdata if p.label != "time"]
        findings += _node_findings(config, active, reads)
    if snapshot is not None:
        perf.append(PerfDatum("snapshot_age", round(snapshot.age_s), "s", min=0))
    perf.append(PerfDatum("time", time.monotonic() - started, "s", min=0))
    status = worst(f.status for f in findings)
    bad = [f.text for f in findings if f.status is not Status.OK]
    summary = f"{active.describe()}: " + ("; ".join(bad) if bad else "ready for failover")
    details = [f"{f.status.name}: {f.text}" for f in findings]
    return PluginOutput("PAIR", status, summary, details, perf)


def _snapshot_finding(snapshot: Any, max_age_s: float) -> list[Finding]:
    if snapshot is None:
        return [Finding(Status.WARNING, "no pair snapshot (run hamnhw pair snapshot)")]
    hours = snapshot.age_s / 3600
    if snapshot.age_s > max_age_s:
        return [Finding(Status.WARNING, f"pair snapshot is {hours:.0f} h old")]
    return [Finding(Status.OK, f"pair snapshot {hours:.1f} h old")]


def _node_findings(config: Config, active: ActiveNode,
                   reads: Mapping[str, PairNodeRead]) -> list[Finding]:
    assert active.node is not None
    other = PAIR[1] if active.node == PAIR[0] else PAIR[0]
    found = [_policy_finding(active.node, reads[active.node].restore_policy,
                             config.failover.active_restore_policy)]
    if other in reads:
        found += _other_findings(other, reads[other])
        found.append(_nic_parity(reads[PAIR[0]].nics, reads[PAIR[1]].nics)
                     if len(reads) == 2 else Finding(Status.UNKNOWN, "NIC parity not checked"))
    found.append(_spare_finding(active.node, reads))
    return found


def _policy_finding(name: str, policy: PowerRestorePolicy | None,
                    wanted: PowerRestorePolicy) -> Finding:
    if policy is None:
        return Finding(Status.UNKNOWN, f"{name}: restore policy not told")
    if policy is not wanted:
        return Finding(Status.WARNING, f"{name}: restore policy {policy.value}, configured "
                                       f"{wanted.value}")
    return Finding(Status.OK, f"{name}: restore policy {policy.value}")


def _other_findings(name: str, read: PairNodeRead) -> list[Finding]:
    if read.power is PowerState.OFF:
        power = Finding(Status.OK, f"{name}: off")
    elif read.power is PowerState.UNKNOWN:
        power = Finding(Status.UNKNOWN, f"{name}: power state not told")
    else:
        power = Finding(Status.CRITICAL, f"{name}: {read.power.value} (the standby must be off)")
    return [power, _policy_finding(name, read.restore_policy, PowerRestorePolicy.ALWAYS_OFF)]


def _spare_finding(active: str, reads: Mapping[str, PairNodeRead]) -> Finding:
    view = reads[active].view
    members = {i for v in view.volumes or () for i in v.drive_ids or ()}
    sizes = [d.capacity_bytes for d in view.drives or () if d.id in members and d.capacity_bytes]
    if not sizes:
        return Finding(Status.UNKNOWN, f"{active}: RAID member sizes not told; spare unchecked")
    needed = min(sizes)
    for name, read in reads.items():
        used = {i for v in read.view.volumes or () for i in v.drive_ids or ()}
        for drive in read.view.drives or ():
            if drive.id not in used and (drive.capacity_bytes or 0) >= needed:
                return Finding(Status.OK, f"spare drive {drive.serial or drive.id} in {name} "
                                          f"{drive.location or ''}".rstrip())
    return Finding(Status.WARNING, f"no spare drive of at least {needed} bytes on either node")


def _nic_parity(first: tuple[Nic, ...] | None, second: tuple[Nic, ...] | None) -> Finding:
    if first is None or second is None:
        return Finding(Status.UNKNOWN, "NIC parity: a BMC did not tell its NICs")
    speeds = (sorted(n.speed_mbps or 0 for n in first), sorted(n.speed_mbps or 0 for n in second))
    if len(first) != len(second) or speeds[0] != speeds[1]:
        return Finding(Status.WARNING, f"NIC parity: {len(first)} vs {len(second)} host NICs, "
                                       f"speeds {speeds[0]} vs {speeds[1]} Mb/s")
    return Finding(Status.OK, f"NIC parity: {len(first)} host NICs alike")


def outcome_exit(output: PluginOutput) -> NodeOutcome:
    """The pair's result as one outcome (for hamnhw's own exit codes and ``--json``)."""
    return NodeOutcome("pair", output.status, output.summary, tuple(output.details),
                       tuple(output.perfdata))
