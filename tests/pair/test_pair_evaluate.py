"""pair check's judgement over NodeFacts: each check's pass/warn/fail/unknown with evidence."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pairfacts import active_node, controller, drive, nics, raid1, spare_node, system

from hamnhw.models import Health, Operation, PowerRestorePolicy, PowerState
from hamnhw.pair.check import PairReport, choose_active, evaluate
from hamnhw.pair.nodefacts import unreachable
from hamnhw.pair.results import Status


def statuses(report: PairReport) -> dict[str, str]:
    return {c.name: c.status.value for c in report.checks}


def check(report: PairReport, name: str):  # type: ignore[no-untyped-def]
    return next(c for c in report.checks if c.name == name)


def test_a_ready_pair_passes_with_unknown_write_cache_only() -> None:
    report = evaluate(active_node(), spare_node())
    got = statuses(report)
    assert got.pop("write_cache") == "unknown"      # the BMC does not tell the policy
    assert got.pop("nic_link") == "unknown"         # powered differently
    assert set(got.values()) == {"pass"}, got
    assert not report.failed
    assert report.active == "primary"
    assert [e["matched_by"] for e in report.to_json()["nic_map"]] == ["id", "id"]


def test_unreachable_standby_fails_reachable_and_leaves_the_rest_unknown() -> None:
    down = unreachable("standby", ConnectionRefusedError("connection refused"))
    report = evaluate(active_node(), down)
    got = statuses(report)
    assert got["reachable"] == "fail" and report.failed
    assert check(report, "reachable").evidence["standby"].startswith("ConnectionRefusedError")
    for name in ("model", "boot_mode", "storage_controller", "free_bays", "serial",
                 "nic_count"):
        assert got[name] == "unknown", name
    assert got["raid1"] == "pass"                  # the active node was read


def test_boot_mode_difference_fails() -> None:
    spare = spare_node(system=system("standby", PowerState.OFF, boot_mode="Legacy"))
    result = check(evaluate(active_node(), spare), "boot_mode")
    assert result.status is Status.FAIL
    assert result.evidence == {"primary": "UEFI", "standby": "Legacy"}


def test_controller_model_fails_firmware_warns_hidden_is_unknown() -> None:
    other_model = spare_node(controllers=(controller(model="RAID 5000"),))
    assert check(evaluate(active_node(), other_model), "storage_controller").status is \
        Status.FAIL
    firmware = spare_node(controllers=(controller(firmware="49.0"),))
    result = check(evaluate(active_node(), firmware), "storage_controller")
    assert result.status is Status.WARN and "50.1 vs 49.0" in result.message
    hidden = spare_node(controllers=None, drives=None, volumes=None)
    report = evaluate(active_node(), hidden)
    assert check(report, "storage_controller").status is Status.UNKNOWN
    assert check(report, "free_bays").status is Status.UNKNOWN


@pytest.mark.parametrize(("volume", "status"), [
    (raid1(Health.WARNING), Status.FAIL),
    (raid1(drives=("d1",)), Status.FAIL),
    (raid1(operation=Operation("Rebuild", 40)), Status.WARN),
    (raid1(Health.UNKNOWN), Status.UNKNOWN),
])
def test_raid1_not_optimal(volume, status) -> None:  # type: ignore[no-untyped-def]
    assert check(evaluate(active_node(volumes=(volume,)), spare_node()), "raid1").status is status


def test_no_raid1_fails_and_unknown_volumes_are_unknown() -> None:
    assert check(evaluate(active_node(volumes=()), spare_node()), "raid1").status is Status.FAIL
    assert check(evaluate(active_node(volumes=None), spare_node()), "raid1").status is \
        Status.UNKNOWN


def test_write_back_cache_warns_when_the_model_tells_it() -> None:
    base = raid1()
    for policy, status in (("ProtectedWriteBack", Status.WARN), ("WriteThrough", Status.PASS)):
        volume = dataclasses.replace(base, write_cache_policy=policy)
        assert check(evaluate(active_node(volumes=(volume,)), spare_node()),
                     "write_cache").status is status


def test_spare_with_a_drive_in_a_raid1_bay_fails_free_bays() -> None:
    spare = spare_node(drives=(drive("x", "Bay 2"),))
    result = check(evaluate(active_node(), spare), "free_bays")
    assert result.status is Status.FAIL and "Bay 2" in result.message
    other_bay = spare_node(drives=(drive("x", "Bay 5"),))
    assert check(evaluate(active_node(), other_bay), "free_bays").status is Status.PASS


def test_restore_policy_spare_must_be_always_off() -> None:
    on = spare_node(restore_policy=PowerRestorePolicy.LAST_STATE)
    assert check(evaluate(active_node(), on), "restore_policy").status is Status.FAIL
    mn_off = active_node(restore_policy=PowerRestorePolicy.ALWAYS_OFF)
    assert check(evaluate(mn_off, spare_node()), "restore_policy").status is Status.WARN
    assert check(evaluate(active_node(), spare_node(restore_policy=None)),
                 "restore_policy").status is Status.UNKNOWN


OEM = "To Be Filled By O.E.M."


def serial_of(serial: str | None) -> dict[str, Any]:
    """System fields as a driver reads ``serial``: a placeholder is None, kept apart."""
    if serial == OEM:
        return {"serial": None, "placeholders": {"serial": OEM}}
    return {"serial": serial}


@pytest.mark.parametrize(("a", "b", "status", "message"), [
    ("ABC123", "ABC123", Status.WARN, "same serial 'ABC123' on both nodes"),
    (OEM, "XYZ", Status.WARN, f"placeholder serial on primary ('{OEM}')"),
    (OEM, OEM, Status.WARN, f"placeholder serial on both nodes ('{OEM}')"),
    ("ABC123", "XYZ789", Status.PASS, "distinct serial numbers"),
    (None, "XYZ789", Status.UNKNOWN, "a BMC does not tell its serial"),
])
def test_serial_numbers(a, b, status, message) -> None:  # type: ignore[no-untyped-def]
    primary = active_node(system=system("primary", **serial_of(a)))
    standby = spare_node(system=system("standby", PowerState.OFF, **serial_of(b)))
    found = check(evaluate(primary, standby), "serial")
    assert (found.status, found.message.split(":")[0]) == (status, message)


def test_nic_checks_missing_fails_slower_warns_order_warns() -> None:
    missing = evaluate(active_node(), spare_node(nics=nics("NIC1", node=2)))
    assert check(missing, "nic_count").status is Status.FAIL and missing.failed
    slower = evaluate(active_node(), spare_node(nics=nics("NIC1", "NIC2", speed=10000, node=2)))
    assert check(slower, "nic_speed").status is Status.WARN
    reversed_nics = tuple(reversed(nics("NIC1", "NIC2", node=2)))
    swapped = evaluate(active_node(), spare_node(nics=reversed_nics))
    assert check(swapped, "nic_order").status is Status.WARN
    assert check(swapped, "nic_count").status is Status.PASS
    cloned = evaluate(active_node(), spare_node(nics=nics("NIC1", "NIC2")))
    assert check(cloned, "nic_mac").status is Status.WARN
    unknown = evaluate(active_node(), spare_node(nics=None))
    assert check(unknown, "nic_count").status is Status.UNKNOWN


def test_link_is_compared_only_when_powered_alike() -> None:
    both_on = spare_node(system=system("standby", PowerState.ON))
    assert check(evaluate(active_node(), both_on), "nic_link").status is Status.PASS


def test_active_node_is_worked_out_or_chosen() -> None:
    assert choose_active(active_node(), spare_node())[0] == "primary"
    swapped = (dataclasses.replace(spare_node(), name="primary"),
               dataclasses.replace(active_node(), name="standby"))
    assert choose_active(*swapped)[0] == "standby"
    report = evaluate(active_node(), spare_node(), active="standby")
    assert report.active == "standby" and report.active_reason == "chosen on the command line"
    assert check(report, "raid1").status is Status.FAIL    # the standby holds no RAID1
