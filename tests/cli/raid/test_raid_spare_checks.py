"""What ``hamnhw raid spare`` and ``raid rebuild`` check, through the CLI against the
simulator (review 8, surviving mutations): a dedicated spare added keeps the others; a
dedicated spare is removed only from its volume; a spare too small is refused before any
PATCH; a PATCH the BMC accepts but does not apply is caught by the read after it."""

from __future__ import annotations

from typing import Any

from cli_helpers import json_out
from raid_bench import STORAGE, Bench
from test_raid_maint import replace_failed_member, small_disk

from hamnhw.sim import raid_actions, resources
from hamnhw.sim.actions import Response

VOLUME = "RAIDController1/Volume1"


def error_of(bench: Bench, *args: str) -> dict[str, Any]:
    result = bench.cli(*args)
    error = json_out(result)["error"]
    assert result.exit_code == 1, result.output
    return dict(error)


def test_a_second_dedicated_spare_keeps_the_first(cluster) -> None:
    """Links.DedicatedSpareDrives is PATCHed whole: the list sent holds Bay3 and Bay4."""
    bench = cluster(raid1=True)
    bench.ok("spare", "--drive", "Bay3", "--volume", VOLUME)
    added = bench.ok("spare", "--drive", "Bay4", "--volume", VOLUME)
    assert added["volume"]["spare_drive_ids"] == ["RAIDController1/Bay3", "RAIDController1/Bay4"]
    assert bench.writes("PATCH", STORAGE)[-1] == {"Links": {"DedicatedSpareDrives": [
        {"@odata.id": f"{STORAGE}/Drives/Bay3"}, {"@odata.id": f"{STORAGE}/Drives/Bay4"}]}}
    removed = bench.ok("spare", "--drive", "Bay3", "--volume", VOLUME, "--remove")
    assert removed["volume"]["spare_drive_ids"] == ["RAIDController1/Bay4"]


def test_removing_a_dedicated_spare_needs_its_volume(cluster) -> None:
    """Without --volume it is refused, naming the volume (it used to say "not a global
    spare", exit 0, and leave it); nothing is sent."""
    bench = cluster(raid1=True)
    bench.ok("spare", "--drive", "Bay3", "--volume", VOLUME)
    error = error_of(bench, "spare", "--drive", "Bay3", "--remove")
    assert error["type"] == "RefusedOperation"
    assert f"dedicated spare, not a global one: give --volume {VOLUME}" in error["message"]
    assert len(bench.writes("PATCH", STORAGE)) == 1
    assert bench.ok("show")["volumes"][0]["spare_drive_ids"] == ["RAIDController1/Bay3"]


def test_a_dedicated_spare_smaller_than_the_members_is_refused(cluster) -> None:
    """The simulated BMC would refuse it too, but only after the PATCH."""
    bench = cluster(raid1=True)
    small_disk(bench, 3)
    error = error_of(bench, "spare", "--drive", "Bay3", "--volume", VOLUME)
    assert error["type"] == "RefusedOperation"
    assert "is smaller than the members of volume" in error["message"]
    assert bench.writes("PATCH", STORAGE) == []


def accepted_not_applied(monkeypatch, what: str) -> None:
    """The BMC answers 200 to the PATCH (of a drive, or of a volume) and changes nothing."""
    monkeypatch.setattr(raid_actions, what, lambda state, target, body: Response(
        200, resources.render(state, "/redfish/v1/Systems/1"), {}))


def test_a_global_spare_patch_accepted_but_not_applied_is_operation_failed(
        cluster, monkeypatch) -> None:
    bench = cluster(raid1=True)
    accepted_not_applied(monkeypatch, "patch_drive")
    error = error_of(bench, "spare", "--drive", "Bay3")
    assert error["type"] == "OperationFailed" and "did not hold" in error["message"]
    assert bench.writes("PATCH", STORAGE) == [{"HotspareType": "Global"}]


def test_a_rebuild_patch_accepted_but_not_applied_is_operation_failed(
        cluster, monkeypatch) -> None:
    """The replacement is neither rebuilding into the volume nor its spare after the PATCH
    that should have made it the spare."""
    bench = cluster(raid1=True)
    serial = replace_failed_member(bench)
    accepted_not_applied(monkeypatch, "patch_volume")
    error = error_of(bench, "rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", serial)
    assert error["type"] == "OperationFailed"
    assert "is neither rebuilding into" in error["message"]
    assert len(bench.writes("PATCH", STORAGE)) == 1
