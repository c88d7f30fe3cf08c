"""``pair check``'s ``snapshot`` check: are the last pair snapshot's RAID1 serials still in a
bay of either node?

A snapshot whose RAID1 serials are in no bay (a disk replaced and no ``pair snapshot`` taken
since) is stale: the failover checks the RAID1 members by serial and stops at its preflight
(:mod:`hamnhw.monitor.pair`).  ``hamnhw pair check`` and the Ansible ``pair_check`` module
both add this check to the report of :mod:`hamnhw.pair.check`, with the snapshot they read
from the pair's journal (:func:`hamnhw.pair.read_records`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from hamnhw.monitor.pair import live_node, missing_serials, stale_text
from hamnhw.pair.check import PairReport
from hamnhw.pair.nodefacts import NodeFacts
from hamnhw.pair.results import CheckResult, Status, result
from hamnhw.pair.snapshot import PairSnapshot


def snapshot_check(snapshot: PairSnapshot | None,
                   found: Mapping[str, NodeFacts]) -> CheckResult | None:
    """``snapshot``: every RAID1 serial of the last ``pair snapshot`` is in a bay of one
    of the nodes (pass), else it is stale (fail: the failover checks the RAID1 members by
    serial and stops at its preflight; when the active node is down no new snapshot can be
    taken); ``unknown`` when a node's drives were not read whole.  None without a snapshot
    RAID1 to compare (none taken yet: preparation).

    :param found: what each node's BMC showed, by node name.
    """
    serials = snapshot.mn_serials() if snapshot is not None else ()
    if not serials:
        return None
    live = {name: live_node(facts) for name, facts in found.items()}
    missing = missing_serials(serials, live)
    where = {d.serial: f"{name} {d.location or '?'}" for name, facts in found.items()
             for d in facts.drives or () if d.serial in serials}
    evidence = {"serials": list(serials), "found": where}
    if missing is None:
        unread = [n for n, state in live.items() if state.serials is None or not state.whole]
        return result("snapshot", Status.UNKNOWN, "cannot tell whether the pair snapshot's "
                      f"RAID1 serials are still in a bay: the drives of {', '.join(unread)} "
                      "were not all read", **evidence)
    if missing:
        return result("snapshot", Status.FAIL, stale_text(missing), missing=list(missing),
                      **evidence)
    return result("snapshot", Status.PASS, "the pair snapshot's RAID1 serials are in a bay: "
                  + ", ".join(f"{s} ({where[s]})" for s in serials), **evidence)


def with_snapshot_check(report: PairReport, snapshot: PairSnapshot | None) -> PairReport:
    """``report`` with its :func:`snapshot_check` of ``report.nodes`` right after the
    ``raid1`` check (last when there is none); ``report`` itself without a snapshot RAID1
    to compare.

    :param snapshot: the newest pair snapshot (:attr:`hamnhw.pair.JournalRecords.snapshot`).
    """
    checked = snapshot_check(snapshot, report.nodes)
    if checked is None:
        return report
    after = next((i + 1 for i, c in enumerate(report.checks) if c.name == "raid1"),
                 len(report.checks))
    return dataclasses.replace(report, checks=(*report.checks[:after], checked,
                                               *report.checks[after:]))
