"""Volume health from hand-written Redfish Volume and Drive documents, one per state, and
the ``raid show --check`` verdict over them."""

from __future__ import annotations

from typing import Any

import pytest
from hamnhw_drivers.generic import storage
from hamnhw_drivers.generic.resource import Resource

from hamnhw.models import Drive, Volume
from hamnhw.raid import RaidStatus, VolumeHealth, VolumeState, check, classify_volume

STO = "/redfish/v1/Systems/1/Storage/RAID.1"


def drive(name: str, health: str = "OK", **extra: Any) -> Drive:
    doc = {"@odata.id": f"{STO}/Drives/{name}", "Id": name, "SerialNumber": f"S-{name}",
           "CapacityBytes": 480_000_000_000, "Status": {"State": "Enabled", "Health": health},
           **extra}
    return storage.parse_drive(Resource(doc["@odata.id"], doc))


def volume(health: str | None = "OK", state: str = "Enabled", members: tuple[str, ...] | None
           = ("D0", "D1"), raid: str = "RAID1", **extra: Any) -> Volume:
    doc: dict[str, Any] = {"@odata.id": f"{STO}/Volumes/V0", "Id": "V0", "RAIDType": raid,
                           "Status": {"State": state, "Health": health}, **extra}
    if members is not None:
        doc["Links"] = {"Drives": [{"@odata.id": f"{STO}/Drives/{m}"} for m in members]}
    return storage.parse_volume(Resource(doc["@odata.id"], doc))


def classify(vol: Volume, *drives: Drive | None) -> VolumeHealth:
    return classify_volume(vol, None if vol.drive_ids is None else drives)


def test_optimal_when_volume_and_members_are_healthy() -> None:
    health = classify(volume(), drive("D0"), drive("D1"))
    assert health.state is VolumeState.OPTIMAL
    assert "2 members healthy" in health.reason


def test_member_with_predictive_failure_is_still_optimal_but_named() -> None:
    health = classify(volume(), drive("D0", "Warning"), drive("D1"))
    assert health.state is VolumeState.OPTIMAL and "RAID.1/D0" in health.reason


@pytest.mark.parametrize("bad", [
    {"health": "Critical"},
    {"health": "OK", "StatusIndicator": "Fail"},
    {"health": "OK", "Status": {"State": "Absent"}},
])
def test_degraded_when_one_mirror_half_failed(bad: dict[str, Any]) -> None:
    failed = drive("D1", **bad)
    health = classify(volume(health="Warning"), drive("D0"), failed)
    assert health.state is VolumeState.DEGRADED
    assert "RAID.1/D1" in health.reason


def test_degraded_when_the_bmc_lists_one_member_of_a_mirror() -> None:
    health = classify(volume(members=("D0",)), drive("D0"))
    assert (health.state, health.reason) == (VolumeState.DEGRADED, "1 of 2 members present")


def test_degraded_when_a_listed_member_is_not_among_the_drives() -> None:
    assert classify(volume(), drive("D0"), None).state is VolumeState.DEGRADED


def test_degraded_when_only_the_volume_says_so() -> None:
    assert classify(volume(health="Warning"), drive("D0"), drive("D1")).state is \
        VolumeState.DEGRADED


def test_rebuilding_with_percent_from_volume_operations() -> None:
    vol = volume(health="Warning", Operations=[{"OperationName": "Rebuilding",
                                                "PercentageComplete": 41}])
    health = classify(vol, drive("D0"), drive("D2"))
    assert (health.state, health.percent) == (VolumeState.REBUILDING, 41)


def test_rebuilding_from_a_member_drive_operation() -> None:
    target = drive("D2", Operations=[{"Operation": "Rebuild", "PercentageComplete": 7}])
    health = classify(volume(health="Warning", members=("D0", "D2")), drive("D0"), target)
    assert (health.state, health.percent) == (VolumeState.REBUILDING, 7)
    assert "RAID.1/D2" in health.reason


def test_rebuilding_without_percent_from_status_indicator() -> None:
    target = drive("D2", StatusIndicator="Rebuild")
    health = classify(volume(health="Warning", members=("D0", "D2")), drive("D0"), target)
    assert (health.state, health.percent) == (VolumeState.REBUILDING, None)


def test_failed_when_every_member_failed() -> None:
    health = classify(volume(health="Critical"), drive("D0", "Critical"), drive("D1", "Critical"))
    assert health.state is VolumeState.FAILED


@pytest.mark.parametrize("state", ["Disabled", "UnavailableOffline"])
def test_failed_when_the_volume_serves_no_data(state: str) -> None:
    assert classify(volume(health="Critical", state=state), drive("D0"), drive("D1")).state is \
        VolumeState.FAILED


def test_raid0_losing_a_member_is_failed_not_degraded() -> None:
    health = classify(volume(raid="RAID0"), drive("D0"), drive("D1", "Critical"))
    assert health.state is VolumeState.FAILED


def test_unknown_when_nobody_reports_health() -> None:
    health = classify(volume(health=None), drive("D0", None), drive("D1", None))  # type: ignore
    assert health.state is VolumeState.UNKNOWN


def test_members_not_listed_falls_back_to_the_volume_status() -> None:
    assert classify(volume(members=None)).state is VolumeState.OPTIMAL
    assert classify(volume(health="Warning", members=None)).state is VolumeState.DEGRADED
    unknown = classify(volume(health=None, members=None))
    assert (unknown.state, unknown.reason) == (VolumeState.UNKNOWN,
                                               "volume health unknown; members not listed")


def status(volumes: tuple[Volume, ...] | None, *states: VolumeState) -> RaidStatus:
    health = {v.id: VolumeHealth(s, reason=s.value) for v, s in
              zip(volumes or (), states, strict=True)}
    return RaidStatus(None, volumes, None, health, None, None, None)


def test_check_ok_only_when_every_volume_is_optimal() -> None:
    assert check(status((volume(),), VolumeState.OPTIMAL)).ok
    for bad in (VolumeState.DEGRADED, VolumeState.REBUILDING, VolumeState.FAILED,
                VolumeState.UNKNOWN):
        verdict = check(status((volume(),), bad))
        assert (verdict.ok, verdict.state) == (False, bad.value)


def test_check_names_the_worst_volume() -> None:
    second = Volume("RAID.1/V1", None, None, volume().raid_type, None)
    verdict = check(status((volume(), second), VolumeState.REBUILDING, VolumeState.FAILED))
    assert verdict.state == "failed" and "RAID.1/V1: failed" in verdict.reason


def test_check_none_and_unknown_volume_lists() -> None:
    assert (check(status(())).ok, check(status(())).state) == (False, "none")
    verdict = check(status(None))
    assert (verdict.ok, verdict.state) == (False, "unknown")
