"""After a failover the old node, off, still lists the MN's disks from its last POST: pair
check does not take them for drives in its bays (they run in the active node, whose serials
they are), while a drive of its own in a bay the RAID1 needs still fails; and a node not read
at all leaves ``complete_read`` unknown, not passed."""

from __future__ import annotations

import dataclasses

from pairfacts import active_node, drive, raid1, spare_node, system

from hamnhw.models import PowerState
from hamnhw.pair.check import PairReport, evaluate
from hamnhw.pair.nodefacts import NodeFacts, unreachable
from hamnhw.pair.results import CheckResult, Status


def check(report: PairReport, name: str) -> CheckResult:
    return next(c for c in report.checks if c.name == name)


def after_failover(**old: object) -> tuple[NodeFacts, NodeFacts]:
    """The standby on with the RAID1 (Sd1, Sd2 in Bay 1-2); the primary off, its BMC still
    listing them (and the volume) from its last POST."""
    new = dataclasses.replace(active_node(), name="standby")
    stale = dataclasses.replace(spare_node(), name="primary",
                                system=system("primary", PowerState.OFF),
                                drives=(drive("d1", "Bay 1"), drive("d2", "Bay 2")),
                                volumes=(raid1(),))
    return dataclasses.replace(stale, **old), new


def test_the_old_nodes_last_post_drives_do_not_take_the_bays() -> None:
    primary, standby = after_failover()
    report = evaluate(primary, standby)
    assert report.active == "standby"
    result = check(report, "free_bays")
    assert result.status is Status.PASS, result.message
    assert result.evidence["stale"] == {"primary": ["Sd1 (Bay 1)", "Sd2 (Bay 2)"]}
    assert "last POST" in result.message and "Sd1" in result.message
    assert not report.failed


def test_a_drive_of_its_own_in_a_needed_bay_still_fails() -> None:
    primary, standby = after_failover(drives=(drive("d1", "Bay 1"), drive("x", "Bay 2")))
    result = check(evaluate(primary, standby), "free_bays")
    assert result.status is Status.FAIL and "Bay 2" in result.message
    assert result.message.startswith("primary has drives in Bay 2, where")
    assert result.evidence["occupied"] == {"primary": ["Bay 2"]}


def test_the_same_serials_on_a_node_that_is_on_are_a_clash() -> None:
    """Both on: neither list is stale (what a BMC shows after POST is live)."""
    primary, standby = after_failover(system=system("primary", PowerState.ON))
    result = check(evaluate(primary, standby, active="standby"), "free_bays")
    assert result.status is Status.FAIL and "stale" not in result.evidence


def test_with_the_active_node_off_nothing_is_taken_for_stale() -> None:
    primary, standby = after_failover()
    standby = dataclasses.replace(standby, system=system("standby", PowerState.OFF))
    result = check(evaluate(primary, standby, active="standby"), "free_bays")
    assert result.status is Status.FAIL


def test_an_unreachable_node_leaves_complete_read_unknown() -> None:
    report = evaluate(active_node(), unreachable("standby", ConnectionError("hung")))
    assert check(report, "reachable").status is Status.FAIL
    result = check(report, "complete_read")
    assert result.status is Status.UNKNOWN and "standby" in result.message
    assert result.evidence == {"unreachable": ["standby"]}


def test_a_partial_read_of_the_reachable_node_still_fails_complete_read() -> None:
    partial = active_node(partial={"storage": ("drive /x not readable",)})
    report = evaluate(partial, unreachable("standby", ConnectionError("hung")))
    assert check(report, "complete_read").status is Status.FAIL
