"""``raid show --check``, ``raid rebuild`` and ``raid spare`` through the CLI against the
simulator: a disk fails, is replaced and rebuilt with progress; a spare takes over."""

from __future__ import annotations

import logging

import pytest
from cli_helpers import json_out, run
from raid_bench import STORAGE, Bench

from hamnhw.sim import DriveSpec

MEMBER = "RAIDController1/Bay1"
VOLUME = "RAIDController1/Volume1"


def check(bench: Bench) -> tuple[int, dict]:
    result = bench.cli("show", "--check")
    payload = json_out(result)
    return result.exit_code, payload["check"]


def replace_failed_member(bench: Bench) -> str:
    """Fail Bay 1, pull it, insert a new disk there; returns the new disk's serial."""
    failed = bench.serial(1)
    bench.server.fail_drive(failed)
    bench.server.pull_drive(failed)
    bench.server.insert_drive(DriveSpec(serial="REPLACEMENT01", bay="Bay 1"))
    return "REPLACEMENT01"


def test_check_exit_codes_follow_the_volume_state(cluster) -> None:
    bench = cluster(raid1=True, rebuild_seconds=100.0)
    assert check(bench) == (0, {"ok": True, "state": "optimal",
                                "reason": "1 volume(s) optimal"})
    bench.server.fail_drive(bench.serial(2))
    code, verdict = check(bench)
    assert (code, verdict["state"]) == (5, "degraded")
    assert "RAIDController1/Bay2" in verdict["reason"]
    bench.server.set_hotspare(bench.serial(3))
    bench.clock.advance(25)
    code, verdict = check(bench)
    assert (code, verdict["state"]) == (5, "rebuilding") and "25%" in verdict["reason"]
    assert bench.cli("show").exit_code == 0


def test_check_with_no_volume_and_with_a_bmc_that_cannot_tell(cluster) -> None:
    code, verdict = check(cluster())
    assert (code, verdict["state"]) == (5, "none")
    bench = cluster(raid1=True, power="Off")
    bench.server.fail_drive(bench.serial(1))
    bench.server.fail_drive(bench.serial(2))
    code, verdict = check(bench)
    assert (code, verdict["state"]) == (5, "failed")


def test_check_unknown_when_the_bmc_shows_no_storage(cluster, monkeypatch) -> None:
    from hamnhw.sim import ServerState
    bench = cluster(raid1=True)
    monkeypatch.setattr(ServerState, "storage_visible", lambda self: False)
    monkeypatch.setattr(ServerState, "visible_drives", lambda self: ())
    result = bench.cli("show", "--check")
    payload = json_out(result)
    assert (result.exit_code, payload["volumes"], payload["check"]["state"]) == (5, None,
                                                                                 "unknown")


def test_check_unknown_when_a_drive_outside_the_volume_was_not_read(cluster) -> None:
    """Both members read (the mirror itself looks optimal), but Bay3 would not be served:
    the read is incomplete, so --check is unknown, never ok (review 8, mutations)."""
    bench = cluster(raid1=True)
    bench.server.inject("error_5xx", path=f"{STORAGE}/Drives/Bay3", method="GET", status=404)
    result = bench.cli("show", "--check")
    payload = json_out(result)
    assert (result.exit_code, payload["incomplete"]) == (5, True), result.output
    assert payload["volumes"][0]["raid_health"]["state"] == "optimal"
    assert payload["check"]["state"] == "unknown" and payload["check"]["ok"] is False
    assert "incomplete read" in payload["check"]["reason"]
    assert "Bay3" in payload["check"]["reason"]


def test_degrade_replace_rebuild_with_progress_to_optimal(cluster, caplog) -> None:
    bench = cluster(raid1=True, rebuild_seconds=60.0)
    serial = replace_failed_member(bench)
    assert check(bench)[1]["state"] == "degraded"
    plan = bench.ok("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", serial,
                    "--dry-run")
    assert plan["requests"][0]["body"] == {"Links": {"DedicatedSpareDrives": [
        {"@odata.id": f"{STORAGE}/Drives/Bay1"}]}}
    assert bench.writes("PATCH", STORAGE) == []
    with caplog.at_level(logging.INFO, logger="hamnhw.progress"):
        text = run("raid", "rebuild", bench.server.url, VOLUME, "--drive", "Bay1",
                   "--confirm-serial", serial, "--wait", env=bench.env)
    assert text.exit_code == 0, text.output
    assert "changed" in text.stdout and "job rebuild" in text.stdout
    assert "completed" in text.stdout
    progress = [r.getMessage() for r in caplog.records if "rebuild of" in r.getMessage()]
    assert any("running 8%" in m for m in progress) and any("reached" in m for m in progress)
    assert check(bench)[0] == 0
    volume = bench.ok("show")["volumes"][0]
    assert volume["drives"] == [MEMBER, "RAIDController1/Bay2"]


def test_rebuild_refuses_a_wrong_serial_and_sends_nothing(cluster) -> None:
    bench = cluster(raid1=True)
    replace_failed_member(bench)
    result = bench.cli("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", "NOTIT")
    assert result.exit_code == 2 and "--confirm-serial" in json_out(result)["error"]["message"]
    assert bench.writes("PATCH", STORAGE) == []


def small_disk(bench: Bench, bay: int) -> str:
    """Replace the disk in ``bay`` by one smaller than the members; its serial."""
    bench.server.pull_drive(bench.serial(bay))
    bench.server.insert_drive(DriveSpec(serial=f"SMALL{bay}", bay=f"Bay {bay}",
                                        capacity_bytes=10**11))
    return f"SMALL{bay}"


def member(bench: Bench) -> tuple[str, str]:
    bench.server.fail_drive(bench.serial(1))
    return "Bay2", bench.serial(2)


def optimal(bench: Bench) -> tuple[str, str]:
    return "Bay3", bench.serial(3)


def small(bench: Bench) -> tuple[str, str]:
    bench.server.fail_drive(bench.serial(1))
    return "Bay3", small_disk(bench, 3)


def global_spare(bench: Bench) -> tuple[str, str]:
    serial = small_disk(bench, 4)  # too small to take over by itself
    bench.server.set_hotspare(serial)
    bench.server.fail_drive(bench.serial(1))
    return "Bay4", serial


def unhealthy(bench: Bench) -> tuple[str, str]:
    """A free drive that has failed too."""
    bench.server.fail_drive(bench.serial(1))
    bench.server.fail_drive(bench.serial(3))
    return "Bay3", bench.serial(3)


def sata_ssd(bench: Bench) -> tuple[str, str]:
    """A SATA SSD replaces a failed member of the SAS HDD mirror."""
    bench.server.fail_drive(bench.serial(1))
    bench.server.pull_drive(bench.serial(1))
    bench.server.insert_drive(DriveSpec(serial="SATASSD1", bay="Bay 1", protocol="SATA",
                                        media="SSD"))
    return "Bay1", "SATASSD1"


@pytest.mark.parametrize("setup,reason", [
    (member, "is a member of volume"), (optimal, "is optimal"),
    (small, "is smaller than the members"), (global_spare, "is a global hot spare"),
    (unhealthy, "drive RAIDController1/Bay3 is not healthy"),
    (sata_ssd, "is protocol SATA, the members of volume RAIDController1/Volume1 are SAS")])
@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)], ids=["run", "dry-run"])
def test_rebuild_refusals(cluster, setup, reason: str, dry_run: tuple[str, ...]) -> None:
    """Refused from what was read: exit 1 (``RefusedOperation``), as ``create``'s checks and
    README say; only a wrong ``--confirm-serial`` is a usage error (exit 2, above)."""
    bench = cluster(raid1=True)
    drive, serial = setup(bench)
    result = bench.cli("rebuild", VOLUME, "--drive", drive, "--confirm-serial", serial,
                       *dry_run)
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "RefusedOperation"), error
    assert reason in error["message"]
    assert bench.writes("PATCH", STORAGE) == []


def test_rebuild_the_controller_started_by_itself_is_reported_unchanged(cluster) -> None:
    bench = cluster(raid1=True, auto_rebuild_on_insert=True, rebuild_seconds=30.0)
    serial = replace_failed_member(bench)
    started = bench.ok("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", serial,
                       "--wait", "--wait-timeout", "600")
    assert (started["changed"], started["job"]["state"]) == (False, "completed")
    assert "already rebuilding" in started["summary"]
    assert bench.writes("PATCH", STORAGE) == []


def test_rebuild_wait_timeout_gives_up(cluster) -> None:
    bench = cluster(raid1=True, rebuild_seconds=10_000.0)
    serial = replace_failed_member(bench)
    result = bench.cli("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", serial,
                       "--wait", "--wait-timeout", "60")
    assert (result.exit_code, json_out(result)["error"]["type"]) == (1, "WaitTimeout")


def test_global_spare_assign_rerun_and_remove_with_read_back(cluster) -> None:
    bench = cluster(raid1=True)
    plan = bench.ok("spare", "--drive", "Bay3", "--dry-run")
    assert plan["requests"][0]["body"] == {"HotspareType": "Global"}
    assigned = bench.ok("spare", "--drive", "Bay3")
    assert assigned["changed"] is True
    assert bench.ok("show")["spares"] == ["RAIDController1/Bay3"]
    assert bench.ok("spare", "--drive", "Bay3")["changed"] is False
    removed = bench.ok("spare", "--drive", "Bay3", "--remove")
    assert removed["changed"] is True and bench.ok("show")["spares"] == []
    assert [b for b in bench.writes("PATCH", STORAGE)] == [
        {"HotspareType": "Global"}, {"HotspareType": "None"}]


def test_dedicated_spare_takes_over_a_failed_member(cluster) -> None:
    bench = cluster(raid1=True, rebuild_seconds=20.0)
    assigned = bench.ok("spare", "--drive", "Bay4", "--volume", VOLUME)
    assert assigned["volume"]["spare_drive_ids"] == ["RAIDController1/Bay4"]
    assert bench.cli("spare", "--drive", "Bay2", "--volume", VOLUME).exit_code == 1
    bench.server.fail_drive(bench.serial(1))
    volume = bench.ok("show")["volumes"][0]
    assert volume["raid_health"]["state"] == "rebuilding"
    assert volume["drives"] == ["RAIDController1/Bay4", "RAIDController1/Bay2"]
    bench.clock.advance(20)
    assert check(bench)[0] == 0
