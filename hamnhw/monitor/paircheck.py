"""``check pair``: ``pair check``'s readiness checks in the monitoring-plugins conventions,
plus what a monitor watches over time.

From :func:`hamnhw.pair.check.evaluate` (``pass`` OK, ``warn`` WARNING, ``fail`` CRITICAL,
``unknown`` UNKNOWN): both BMCs answer, restore policies (the other node ``AlwaysOff``) and NIC
parity (count, speeds); its other checks are listed as information (:data:`JUDGED`).  Added
here:

* the active node's RAID volumes, judged as ``check raid`` does (its rebuild percent and
  degraded count in the perfdata);
* the other node is powered off (on: CRITICAL);
* the active node's restore policy is ``[failover] active_restore_policy`` (else WARNING);
* a spare drive, outside every volume on either node, at least as large as the smallest RAID
  member and healthy (none: WARNING; a Warning or Critical drive is no spare, one whose health
  the BMC does not tell is UNKNOWN);
* the age of the last ``pair snapshot`` (none or older than the limit: WARNING), and whether
  it is stale: a RAID1 serial it records in no bay of either node (WARNING, naming the
  serials and ``hamnhw pair snapshot``).

The active node comes from the journal, live state or ``[pair] active``
(:mod:`hamnhw.monitor.pair`), and the summary says which.  A journal that exists but cannot
be read is UNKNOWN, naming it and why (the snapshot and the active node it records cannot be
told; the checks go on with the other sources).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any

from hamnhw.config import Config
from hamnhw.errors import ConfigError, HamnhwError
from hamnhw.models import Drive, Health, PowerRestorePolicy, PowerState
from hamnhw.monitor.checks import NodeOutcome, judge_raid
from hamnhw.monitor.health import RaidHealth, read_raid_health
from hamnhw.monitor.nagios import PerfDatum, PluginOutput, Status, worst
from hamnhw.monitor.pair import ActiveNode, active_for, live_node, stale_text
from hamnhw.pair.check import choose_active, evaluate
from hamnhw.pair.nodefacts import NodeFacts, read_node_facts, unreachable
from hamnhw.pair.results import Status as CheckStatus
from hamnhw.pair.stale import stale_drives
from hamnhw.views import human_bytes

PAIR = ("primary", "standby")
DEFAULT_MAX_SNAPSHOT_AGE_S = 7 * 24 * 3600.0
FROM_CHECK = {CheckStatus.PASS: Status.OK, CheckStatus.WARN: Status.WARNING,
              CheckStatus.FAIL: Status.CRITICAL, CheckStatus.UNKNOWN: Status.UNKNOWN}
JUDGED = frozenset({"reachable", "restore_policy", "nic_count", "nic_speed"})
"""``pair check`` checks that set the status; the others (models, BIOS, boot mode,
controllers, write cache, free bays, serials, NIC order, link and MACs: the preflight's
business) are listed in the details as ``info`` without changing it.  ``raid1`` is judged
here as ``check raid`` judges volumes."""


@dataclasses.dataclass(frozen=True)
class Finding:
    """One check's verdict."""

    status: Status
    text: str


@dataclasses.dataclass(frozen=True)
class PairNodeRead:
    """One node: ``pair check``'s facts and the RAID health, from one connection."""

    facts: NodeFacts
    health: RaidHealth | None
    elapsed_s: float = 0.0


def read_pair_node(name: str, open_node: Callable[[str], Any]) -> PairNodeRead:
    """Open ``name``, read its facts and RAID health, close it; an unreachable BMC is a
    read whose facts say so.

    :raises ConfigError: the node's configuration is wrong (a usage error).
    """
    started = time.monotonic()
    try:
        node = open_node(name)
    except ConfigError:
        raise
    except HamnhwError as exc:
        return PairNodeRead(unreachable(name, exc), None, time.monotonic() - started)
    try:
        facts = read_node_facts(name, node)
        try:
            health: RaidHealth | None = read_raid_health(node)
        except HamnhwError:
            health = None
    finally:
        node.close()
    return PairNodeRead(facts, health, time.monotonic() - started)


def check_pair(config: Config, read: Callable[[str], PairNodeRead],
               max_snapshot_age_s: float = DEFAULT_MAX_SNAPSHOT_AGE_S) -> PluginOutput:
    """Read both nodes through ``read`` and judge the pair."""
    from hamnhw import pair

    started = time.monotonic()
    reads = {name: read(name) for name in PAIR}
    records = pair.read_records(config)
    snapshot = records.snapshot
    active = active_for(config, {name: live_node(r.facts) for name, r in reads.items()}, records)
    findings = [_journal_finding(records.error) if records.error is not None
                else _snapshot_finding(snapshot, max_snapshot_age_s, active.stale_serials)]
    name = active.node
    if name is None:
        name, reason = choose_active(reads["primary"].facts, reads["standby"].facts)
        findings.append(Finding(Status.UNKNOWN, f"{active.describe()}; judged as {name} "
                                                f"({reason})"))
    report = evaluate(reads["primary"].facts, reads["standby"].facts, active=name)
    findings += [Finding(FROM_CHECK[c.status], f"{c.name}: {c.message}")
                 for c in report.checks if c.name in JUDGED]
    info = [f"info: {c.name} {c.status.value}: {c.message}" for c in report.checks
            if c.name not in JUDGED and c.name != "raid1"]
    perf: list[PerfDatum] = []
    own = reads[name]
    if own.health is not None:
        raid = judge_raid(name, own.health, own.elapsed_s)
        findings.append(Finding(raid.status, raid.summary))
        perf += [p for p in raid.perfdata if p.label != "time"]
    elif own.facts.reachable:
        findings.append(Finding(Status.UNKNOWN, f"{name}: RAID state could not be read"))
    findings += _power_and_policy(config, name, reads)
    findings.append(_spare_finding(name, reads))
    if snapshot is not None:
        perf.append(PerfDatum("snapshot_age", round(snapshot.age_s), "s", min=0))
    perf.append(PerfDatum("time", time.monotonic() - started, "s", min=0))
    return _output(active if active.node else ActiveNode(name, "a guess"), findings, info, perf)


def _output(active: ActiveNode, findings: list[Finding], info: list[str],
            perf: list[PerfDatum]) -> PluginOutput:
    status = worst(f.status for f in findings)
    bad = [f.text for f in findings if f.status is not Status.OK]
    summary = f"{active.describe()}: " + ("; ".join(bad) if bad else "ready for failover")
    details = [f"{f.status.name}: {f.text}" for f in findings] + info
    return PluginOutput("PAIR", status, summary, details, perf)


def _journal_finding(error: HamnhwError) -> Finding:
    return Finding(Status.UNKNOWN, f"failover {error}: neither the pair snapshot nor the "
                                   "active node it records can be told")


def _snapshot_finding(snapshot: Any, max_age_s: float,
                      stale: tuple[str, ...] | None = None) -> Finding:
    if snapshot is None:
        return Finding(Status.WARNING, "no pair snapshot (run hamnhw pair snapshot)")
    if stale:
        return Finding(Status.WARNING, stale_text(stale))
    hours = snapshot.age_s / 3600
    if snapshot.age_s > max_age_s:
        return Finding(Status.WARNING, f"pair snapshot is {hours:.0f} h old")
    return Finding(Status.OK, f"pair snapshot {hours:.1f} h old")


def _power_and_policy(config: Config, active: str,
                      reads: Mapping[str, PairNodeRead]) -> list[Finding]:
    other = reads[PAIR[1] if active == PAIR[0] else PAIR[0]].facts
    found = []
    if other.reachable:
        power = other.power_state
        found.append(Finding(Status.OK, f"{other.name}: off") if power is PowerState.OFF else
                     Finding(Status.UNKNOWN, f"{other.name}: power state not told")
                     if power is PowerState.UNKNOWN else
                     Finding(Status.CRITICAL, f"{other.name}: {power.value} (the other node "
                                              "must be off)"))
    policy = reads[active].facts.restore_policy
    wanted: PowerRestorePolicy = config.failover.active_restore_policy
    if reads[active].facts.reachable and policy is not None and policy is not wanted:
        found.append(Finding(Status.WARNING, f"{active}: restore policy {policy.value}, "
                                             f"configured {wanted.value}"))
    return found


def _spare_finding(active: str, reads: Mapping[str, PairNodeRead]) -> Finding:
    facts = reads[active].facts
    members = {i for v in facts.volumes or () for i in v.drive_ids or ()}
    sizes = [d.capacity_bytes for d in facts.drives or () if d.id in members and d.capacity_bytes]
    if not sizes:
        return Finding(Status.UNKNOWN, f"{active}: RAID member sizes not told; spare unchecked")
    needed = min(sizes)
    stale = [d for read in reads.values() if read.facts is not facts
             for d in stale_drives(facts, read.facts)]  # the active node's own disks
    candidates = [(name, drive) for name, read in reads.items()
                  for drive in _unused_drives(read.facts)
                  if (drive.capacity_bytes or 0) >= needed and drive not in stale]
    for health in (Health.OK, Health.UNKNOWN):
        for name, drive in candidates:
            if drive.health is health:
                where = f"{name} {drive.location or ''}".rstrip()
                told = "" if health is Health.OK else ": its health not told"
                return Finding(Status.OK if health is Health.OK else Status.UNKNOWN,
                               f"spare drive {drive.serial or drive.id} in {where}{told}")
    size = f"{human_bytes(needed)} ({needed} bytes)"
    if not candidates:
        return Finding(Status.WARNING, f"no spare drive of at least {size} on either node")
    unhealthy = ", ".join(f"{d.serial or d.id} {d.health.value}" for _, d in candidates)
    return Finding(Status.WARNING, f"no healthy spare drive of at least {size} on "
                   f"either node (unused but unhealthy: {unhealthy})")


def _unused_drives(facts: NodeFacts) -> list[Drive]:
    used = {i for v in facts.volumes or () for i in v.drive_ids or ()}
    return [d for d in facts.drives or () if d.id not in used]


def outcome_of(output: PluginOutput) -> NodeOutcome:
    """The pair's result as one outcome (for hamnhw's own exit codes and ``--json``)."""
    return NodeOutcome("pair", output.status, output.summary, tuple(output.details),
                       tuple(output.perfdata))
