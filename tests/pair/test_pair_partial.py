"""pair check's judgement of partial reads, links and pairing by order (review of issue 12)."""

from __future__ import annotations

import dataclasses

from pairfacts import active_node, drive, nics, spare_node, system

from hamnhw.models import LinkStatus, PowerState
from hamnhw.pair.check import PairReport, evaluate
from hamnhw.pair.nicmap import match_nics
from hamnhw.pair.results import CheckResult, Status

LOST = ("drive /x/Drives/Bay1 not readable, skipped: GET returned HTTP 404",)


def check(report: PairReport, name: str) -> CheckResult:
    return next(c for c in report.checks if c.name == name)


def test_partial_storage_turns_passes_unknown_but_keeps_what_was_read() -> None:
    report = evaluate(active_node(), spare_node(partial={"storage": LOST}))
    assert check(report, "free_bays").status is Status.UNKNOWN
    assert check(report, "storage_controller").status is Status.UNKNOWN
    assert check(report, "complete_read").status is Status.FAIL and report.failed
    clash = evaluate(active_node(), spare_node(drives=(drive("s1", "Bay 1"),),
                                               partial={"storage": LOST}))
    assert check(clash, "free_bays").status is Status.FAIL  # a drive seen in the bay


def test_partial_storage_of_the_active_node_leaves_raid1_unknown() -> None:
    report = evaluate(active_node(volumes=(), partial={"storage": LOST}), spare_node())
    assert check(report, "raid1").status is Status.UNKNOWN  # "no RAID1" may be a lost read


def test_partial_nics_leave_count_and_order_unknown() -> None:
    partial = {"nics": ("ethernet interface /e/1 not readable",)}
    report = evaluate(active_node(), spare_node(nics=nics("NIC2", node=2), partial=partial))
    assert check(report, "nic_count").status is Status.UNKNOWN
    assert check(report, "nic_order").status is Status.UNKNOWN
    assert check(report, "complete_read").status is Status.FAIL


def test_whole_reads_pass_complete_read() -> None:
    assert check(evaluate(active_node(), spare_node()), "complete_read").status is Status.PASS


def test_links_are_compared_only_when_both_hosts_are_powered_alike() -> None:
    down = tuple(dataclasses.replace(n, link=LinkStatus.DOWN) for n in nics("NIC1", "NIC2",
                                                                            node=2))
    report = evaluate(active_node(), spare_node(nics=down))  # primary on, standby off
    assert check(report, "nic_link").status is Status.UNKNOWN
    assert not any(i.startswith("link") for p in report.nic_map for i in p.issues)


def test_a_link_unknown_on_one_side_is_not_a_pass() -> None:
    untold = tuple(dataclasses.replace(n, link=LinkStatus.UNKNOWN)
                   for n in nics("NIC1", "NIC2", node=2))
    on = spare_node(nics=untold, system=system("standby", PowerState.ON))
    assert check(evaluate(active_node(), on), "nic_link").status is Status.UNKNOWN


def test_leftovers_pair_by_order_only_when_as_many_remain_and_reads_were_whole() -> None:
    primary, standby = nics("eth1", "eth2"), nics("p1", "p2", node=2)
    assert [p.matched_by for p in match_nics(primary, standby)] == ["order", "order"]
    assert [p.matched_by for p in match_nics(primary, standby[:1])] == [None, None, None]
    assert [p.matched_by for p in match_nics(primary, standby, complete=False)] == [None] * 4
