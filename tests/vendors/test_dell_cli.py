"""Every ``hamnhw raid`` command through the CLI against the ``idrac`` personality: JID jobs
followed to their end, staged jobs at the reset, the Lifecycle Controller, DellRaidService
spares, and the foreign configuration of drives moved between two iDRACs."""

from __future__ import annotations

import pytest
from vendor_bench import ids

from hamnhw.sim import DriveSpec
from hamnhw.sim.personalities import of

CTRL = "RAID.Integrated.1-1"
VOLUMES = f"/redfish/v1/Systems/System.Embedded.1/Storage/{CTRL}/Volumes"
RAID_SERVICE = "/redfish/v1/Systems/System.Embedded.1/Oem/Dell/DellRaidService/Actions/"


def disk(bay: int) -> str:
    """The hamnhw id of the drive in bay ``bay`` (iDRAC counts bays from 0)."""
    return f"{CTRL}/Disk.Bay.{bay - 1}:Enclosure.Internal.0-1:{CTRL}"


def vd(number: int) -> str:
    return f"{CTRL}/Disk.Virtual.{number}:{CTRL}"


def test_detected_as_dell_without_a_forced_scheme(start_cluster) -> None:
    bench = start_cluster("idrac")
    detected = bench.ok("show")
    assert detected["volumes"][0]["id"] == vd(0)
    assert detected["volumes"][0]["drives"] == [disk(1), disk(2)]
    assert detected["foreign"] == []
    from hamnhw import connect
    server = bench.server()
    with connect(server.url, username="admin", password=server.password) as node:
        assert node.detection.driver == "dell"
        assert node.detection.reason == "ServiceRoot Vendor 'Dell'"


def test_create_is_a_realtime_job_followed_to_the_volume(start_cluster) -> None:
    bench = start_cluster("idrac", raid={"task_seconds": 30.0})
    before = bench.clock()
    done = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                    "--name", "data")
    assert done["job"]["id"].startswith("JID_") and done["job"]["kind"] == "vendor-job"
    assert (done["job"]["state"], done["job"]["messages"]) == (
        "completed", ["Job completed successfully."])
    assert bench.clock() - before >= 30.0  # followed through the poller until the job ended
    assert done["volume"]["id"] == vd(1) and done["volume"]["raid_type"] == "RAID1"
    body = bench.posts("/Volumes")[0]
    assert body["RAIDType"] == "RAID1" and "VolumeType" not in body
    assert body["@Redfish.OperationApplyTime"] == "Immediate"
    again = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    assert (again["changed"], again["volume_id"]) == (False, vd(1))
    assert len(bench.posts("/Volumes")) == 1
    assert any(r.path.endswith("GetRemoteServicesAPIStatus") for r in bench.server().requests)


def test_old_firmware_names_volume_type(start_cluster) -> None:
    bench = start_cluster("idrac", firmware="3.30.30.30")
    bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    body = bench.posts("/Volumes")[0]
    assert body["VolumeType"] == "Mirrored" and "RAIDType" not in body


def test_staged_create_waits_for_the_reset_and_blocks_other_changes(start_cluster) -> None:
    bench = start_cluster("idrac", controller_model="PERC H330 Mini")
    refused = bench.run("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    assert refused.exit_code != 0 and "on-reset" in refused.output
    staged = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                      "--apply-time", "on-reset")
    assert (staged["pending"], staged["job"]["kind"], staged["job"]["state"]) == (
        True, "on-reset", "pending")
    rerun = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                     "--apply-time", "on-reset")
    assert (rerun["changed"], rerun["pending"]) == (False, True)
    blocked = bench.run("delete", vd(0), "--yes")
    assert blocked.exit_code != 0 and "a job operation is already running" in blocked.output
    other = bench.run("spare", "--drive", disk(3))
    assert other.exit_code != 0 and "already running" in other.output
    bench.reset()
    shown = bench.show()
    assert sorted(ids(shown["volumes"])) == [vd(0), vd(1)]


def test_staged_create_with_reboot_follows_the_job_through_the_reset(start_cluster) -> None:
    bench = start_cluster("idrac", controller_model="PERC H330 Mini", power_delay=2.0)
    done = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                    "--apply-time", "on-reset", "--reboot")
    assert (done["pending"], done["job"]["state"]) == (False, "completed")
    assert done["volume"]["id"] == vd(1)


@pytest.mark.parametrize(("spec", "state"), [
    ({"raid": {"task_seconds": 600.0}}, "Running"),
    ({"controller_model": "PERC H330 Mini"}, "Scheduled")])
def test_a_job_on_the_controller_refuses_the_create_before_any_post(
        start_cluster, spec: dict[str, object], state: str) -> None:
    """iDRAC would refuse the POST (RAC0679/LC068); hamnhw reads the job queue first and sends
    nothing, naming the job (a realtime one running, a staged one scheduled)."""
    bench = start_cluster("idrac", **spec)
    sim = of(bench.server().state)
    assert sim is not None
    sim.raid_action("AssignSpare", {"TargetFQDD": disk(3).split("/", 1)[1]})  # type: ignore[attr-defined]
    result = bench.run("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                       "--apply-time", "on-reset")
    assert result.exit_code != 0
    assert f"is {state} on controller {CTRL}" in result.output
    assert bench.posts("/Volumes") == []


def test_a_controller_in_hba_mode_builds_no_volume(start_cluster) -> None:
    bench = start_cluster("idrac")
    sim = of(bench.server().state)
    assert sim is not None
    sim.controller_mode = "HBA"  # type: ignore[attr-defined]
    result = bench.run("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    assert result.exit_code != 0 and "is in HBA mode" in result.output
    assert bench.posts("/Volumes") == []


@pytest.mark.parametrize(("firmware", "named"), [("4.40.00.00", "RAIDType"),
                                                 ("4.39.99.99", "VolumeType")])
def test_the_dialect_changes_at_firmware_4_40(start_cluster, firmware: str,
                                              named: str) -> None:
    """The first POST already names what the firmware takes (a wrong guess would cost a
    refused POST and a second one)."""
    bench = start_cluster("idrac", firmware=firmware)
    bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    bodies = bench.posts("/Volumes")
    assert len(bodies) == 1 and named in bodies[0]


def test_a_busy_lifecycle_controller_stops_the_write_before_it_is_sent(start_cluster) -> None:
    bench = start_cluster("idrac")
    personality = of(bench.server().state)
    assert personality is not None
    personality.lc_busy = True  # type: ignore[attr-defined]
    result = bench.run("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    assert result.exit_code != 0
    assert "Lifecycle Controller is not ready" in result.output
    assert bench.posts("/Volumes") == []


def test_delete_is_a_job_and_is_confirmed_by_a_read(start_cluster) -> None:
    bench = start_cluster("idrac")
    assert bench.run("delete", vd(0)).exit_code == 2
    done = bench.ok("delete", vd(0), "--yes")
    assert done["changed"] and done["job"]["id"].startswith("JID_")
    assert bench.show()["volumes"] == []


def test_degrade_replace_rebuild_through_assign_spare(start_cluster) -> None:
    bench = start_cluster("idrac", raid={"rebuild_seconds": 60.0})
    server = bench.server()
    lost = bench.serial(1)
    server.fail_drive(lost)
    check = bench.run("show", "--check")
    assert check.exit_code == 5 and '"state": "degraded"' in check.stdout
    server.pull_drive(lost)
    server.insert_drive(DriveSpec(serial="DELLNEW01", bay="Bay 1"))
    plan = bench.ok("rebuild", vd(0), "--drive", disk(1), "--confirm-serial", "DELLNEW01",
                    "--dry-run")
    assert plan["requests"] == [{"method": "POST", "path": RAID_SERVICE +
                                 "DellRaidService.AssignSpare",
                                 "body": {"TargetFQDD": disk(1).split("/", 1)[1],
                                          "VirtualDiskArray": [vd(0).split("/", 1)[1]]}}]
    wrong = bench.run("rebuild", vd(0), "--drive", disk(1), "--confirm-serial", "NOPE")
    assert wrong.exit_code == 2 and bench.posts("AssignSpare") == []
    done = bench.ok("rebuild", vd(0), "--drive", disk(1), "--confirm-serial", "DELLNEW01",
                    "--wait")
    assert done["job"]["state"] == "completed"
    volume = bench.show()["volumes"][0]
    assert volume["raid_health"]["state"] == "optimal"
    assert disk(1) in volume["drives"]


def test_global_and_dedicated_spares_through_the_raid_service(start_cluster) -> None:
    bench = start_cluster("idrac")
    made = bench.ok("spare", "--drive", disk(3))
    assert made["changed"] and bench.posts("AssignSpare") == [
        {"TargetFQDD": disk(3).split("/", 1)[1]}]
    assert disk(3) in bench.show()["spares"]
    bench.ok("spare", "--drive", disk(3), "--remove")
    assert bench.posts("UnassignSpare") == [{"TargetFQDD": disk(3).split("/", 1)[1]}]
    dedicated = bench.ok("spare", "--drive", disk(4), "--volume", vd(0))
    assert dedicated["changed"]
    assert bench.show()["volumes"][0]["spare_drive_ids"] == [disk(4)]


def test_moved_drives_are_foreign_until_imported(start_cluster) -> None:
    bench = start_cluster("idrac", names=("a", "b"))
    serials = [bench.serial(1), bench.serial(2)]
    for serial in serials:
        bench.cluster.move_drive(serial, "a", "b")
    standby = bench.show(node="b")
    assert standby["volumes"] == []
    assert standby["foreign"] == [disk(1), disk(2)]
    refused = bench.run("create", "--level", "1", "--drives", f"{disk(1)},{disk(2)}",
                        node="b")
    assert refused.exit_code != 0 and "foreign configuration" in refused.output
    dry = bench.ok("import-foreign", "--dry-run", node="b")
    assert (dry["foreign"], dry["job"], dry["changed"]) == ([disk(1), disk(2)], None, True)
    assert [r["body"] for r in dry["requests"]] == [{"TargetFQDD": CTRL}]
    assert dry["requests"][0]["path"].endswith("DellRaidService.ImportForeignConfig")
    assert bench.posts("ImportForeignConfig", node="b") == []
    done = bench.ok("import-foreign", "--wait", node="b")
    assert (done["changed"], done["job"]["state"]) == (True, "completed")
    assert bench.posts("ImportForeignConfig", node="b") == [{"TargetFQDD": CTRL}]
    after = bench.show(node="b")
    assert after["foreign"] == []
    volume = after["volumes"][0]
    by_id = {d["id"]: d["serial"] for d in after["drives"]}
    assert sorted(by_id[i] for i in volume["drives"]) == sorted(serials)
    assert volume["raid_health"]["state"] == "optimal"
    nothing = bench.run("import-foreign", node="b")
    assert nothing.exit_code == 1 and "Foreign" in nothing.output
    predicted = bench.run("import-foreign", "--dry-run", node="b")  # as the real run
    assert (predicted.exit_code, predicted.output) == (1, nothing.output)
    for node in ("a", "b"):
        assert bench.posts("ClearForeignConfig", node=node) == []
