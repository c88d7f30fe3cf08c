"""Every ``hamnhw raid`` command through the CLI against the ``ilo5`` personality: the
Smart Array read through SmartStorage, written through SmartStorageConfig settings (PUT
with If-Match, DataGuard Permissive) applied at the next reset."""

from __future__ import annotations

from typing import Any

from vendor_bench import ids

from hamnhw.sim import DriveSpec
from hamnhw.sim.personalities import of

SETTINGS = "/redfish/v1/systems/1/smartstorageconfig/settings/"


def disk(bay: int) -> str:
    return f"SmartArray.0/1I:1:{bay}"


def ilo(bench: Any, node: str = "a") -> Any:
    """The ``ilo5`` personality of a server (its settings, the If-Match it received)."""
    found = of(bench.server(node).state)
    assert found is not None
    return found


def puts(bench: Any, node: str = "a") -> list[Any]:
    return [r for r in bench.server(node).requests if r.method == "PUT"]


def test_smart_array_read_through_smartstorage(start_cluster) -> None:
    bench = start_cluster("ilo5")
    shown = bench.show()
    volume = shown["volumes"][0]
    assert (volume["id"], volume["raid_type"], volume["drives"]) == (
        "SmartArray.0/LogicalDrive.1", "RAID1", [disk(1), disk(2)])
    assert volume["raid_health"]["state"] == "optimal"
    assert [d["location"] for d in shown["drives"]] == [f"1I:1:{b}" for b in range(1, 5)]
    assert shown["drives"][0]["serial"] == bench.serial(1)
    assert shown["foreign"] is None
    assert any("imports them at POST" in n for n in shown.get("notes", []))


def test_create_is_staged_in_settings_and_applied_at_the_reset(start_cluster) -> None:
    bench = start_cluster("ilo5")
    refused = bench.run("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    assert refused.exit_code != 0 and "on-reset" in refused.output
    staged = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                      "--name", "data", "--apply-time", "on-reset")
    assert (staged["pending"], staged["job"]["kind"], staged["job"]["state"]) == (
        True, "on-reset", "pending")
    sent = puts(bench)
    assert [r.path for r in sent] == [SETTINGS]
    assert sent[0].body == {"DataGuard": "Permissive", "LogicalDrives": [{
        "Raid": "Raid1", "DataDrives": ["1I:1:3", "1I:1:4"], "CapacityGiB": -1,
        "LogicalDriveName": "data"}]}
    assert ilo(bench).if_match_seen == ['W/"00000000"']  # the settings' ETag, on the wire
    again = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                     "--apply-time", "on-reset")
    assert (again["changed"], again["pending"]) == (False, True)
    bench.reset()
    after = bench.show()
    # Permissive kept the omitted LogicalDrive.1 (Strict would have refused the whole PUT)
    assert sorted(ids(after["volumes"])) == ["SmartArray.0/LogicalDrive.1",
                                             "SmartArray.0/LogicalDrive.2"]
    assert ilo(bench).messages == ["SmartStorageMessages.2.0.0.Success"]


def test_strict_settings_omitting_a_logical_drive_are_refused_at_post(start_cluster) -> None:
    """The simulated controller applies the reference's DataGuard rules: a Strict list that
    omits the existing logical drive (what issue 11 prescribed) creates nothing."""
    bench = start_cluster("ilo5")
    sim = ilo(bench)
    sim.write("PUT", SETTINGS, {"DataGuard": "Strict", "LogicalDrives": [
        {"Raid": "Raid1", "DataDrives": ["1I:1:3", "1I:1:4"], "CapacityGiB": -1}]},
        {"If-Match": sim.etag})
    bench.reset()
    assert ids(bench.show()["volumes"]) == ["SmartArray.0/LogicalDrive.1"]
    assert sim.messages == ["SmartStorageMessages.2.0.0.DataGuardRestriction"]


def test_create_with_a_size_sends_whole_gib(start_cluster) -> None:
    bench = start_cluster("ilo5")
    small = bench.run("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                      "--size", "1000", "--apply-time", "on-reset")
    assert small.exit_code != 0 and "whole GiB" in small.output
    bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
             "--size", str(100 * 2**30 + 5), "--apply-time", "on-reset")
    assert puts(bench)[0].body["LogicalDrives"][0]["CapacityGiB"] == 100


def test_settings_without_an_etag_are_not_written(start_cluster) -> None:
    bench = start_cluster("ilo5")
    ilo(bench).show_etag = False
    result = bench.run("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                       "--apply-time", "on-reset")
    assert result.exit_code != 0 and "shows no @odata.etag" in result.output
    assert puts(bench) == []


def test_a_pending_change_is_never_replaced_by_another(start_cluster) -> None:
    bench = start_cluster("ilo5")
    bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
             "--apply-time", "on-reset")
    deleting = bench.run("delete", "SmartArray.0/LogicalDrive.1", "--yes")
    assert deleting.exit_code != 0
    assert "pending settings already hold creation of a Raid1 logical drive over 1I:1:3, " \
        "1I:1:4" in deleting.output
    spare = bench.run("spare", "--drive", disk(3), "--volume", "SmartArray.0/LogicalDrive.1")
    assert spare.exit_code != 0 and "pending settings already hold" in spare.output
    assert len(puts(bench)) == 1  # only the create
    bench.reset()
    assert sorted(ids(bench.show()["volumes"])) == ["SmartArray.0/LogicalDrive.1",
                                                    "SmartArray.0/LogicalDrive.2"]
    done = bench.ok("delete", "SmartArray.0/LogicalDrive.1", "--yes")  # nothing pending now
    assert (done["changed"], done["pending"]) == (True, True)


def test_the_same_delete_again_is_already_pending(start_cluster) -> None:
    bench = start_cluster("ilo5")
    bench.ok("delete", "SmartArray.0/LogicalDrive.1", "--yes")
    again = bench.ok("delete", "SmartArray.0/LogicalDrive.1", "--yes")
    assert (again["changed"], again["pending"]) == (False, True)
    assert len(puts(bench)) == 1


def test_settings_refused_at_post_fail_the_job(start_cluster) -> None:
    """A staged create whose drive is gone by the POST: the settings messages name the
    failure and the job fails (it is never read as applied)."""
    from hamnhw import connect
    from hamnhw.errors import JobFailed
    from hamnhw.jobs import JobState
    from hamnhw.models import RaidType
    from hamnhw.raid import ApplyTime, CreateRequest

    bench = start_cluster("ilo5")
    server = bench.server()
    with connect(server.url, username="admin", password=server.password) as node:
        outcome = node.raid.create(CreateRequest(RaidType.RAID1, (disk(3), disk(4)),
                                                 apply_time=ApplyTime.ON_RESET))
        assert outcome.job is not None and outcome.job.status().state is JobState.PENDING
        server.pull_drive(bench.serial(4))
        bench.reset()
        status = outcome.job.status()
        assert status.state is JobState.FAILED
        assert status.messages == ("SmartStorageMessages.2.0.0.InvalidConfiguration",)
        try:
            outcome.job.wait(node.raid.poll)
        except JobFailed as exc:
            assert "InvalidConfiguration" in str(exc)
        else:
            raise AssertionError("a refused settings job passed for applied")


def test_create_with_reboot_reads_the_settings_messages(start_cluster) -> None:
    bench = start_cluster("ilo5", power_delay=2.0)
    done = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                    "--apply-time", "on-reset", "--reboot")
    assert (done["pending"], done["job"]["state"]) == (False, "completed")
    assert done["job"]["messages"] == ["SmartStorageMessages.2.0.0.Success"]
    assert done["volume"]["drives"] == [disk(3), disk(4)]


def test_a_stale_or_missing_etag_is_refused(start_cluster) -> None:
    bench = start_cluster("ilo5")
    bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
             "--apply-time", "on-reset")
    put = next(r for r in bench.server().requests if r.method == "PUT")
    assert put.status == 200
    from hamnhw import connect
    from hamnhw.errors import HttpError
    server = bench.server()
    with connect(server.url, username="admin", password=server.password) as node:
        for etag, status in (('W/"00000000"', 412), (None, 428)):
            try:
                node.driver.client.put(SETTINGS, {"DataGuard": "Permissive",
                                                  "LogicalDrives": []}, etag=etag)
            except HttpError as exc:
                assert exc.status == status
            else:
                raise AssertionError(f"a PUT with If-Match {etag} was accepted")


def test_delete_names_one_logical_drive_permissive(start_cluster) -> None:
    bench = start_cluster("ilo5")
    done = bench.ok("delete", "SmartArray.0/LogicalDrive.1", "--yes")
    assert (done["changed"], done["pending"]) == (True, True)
    body = next(r.body for r in bench.server().requests if r.method == "PUT")
    assert body["DataGuard"] == "Permissive"
    assert body["LogicalDrives"][0]["Actions"] == [{"Action": "LogicalDriveDelete"}]
    assert ilo(bench).if_match_seen == ['W/"00000000"']
    assert len(body["LogicalDrives"]) == 1
    assert bench.show()["volumes"] != []  # still there until the reset
    bench.reset()
    assert bench.show()["volumes"] == []


def test_replacement_in_the_failed_bay_rebuilds_by_itself(start_cluster) -> None:
    bench = start_cluster("ilo5", raid={"rebuild_seconds": 60.0,
                                        "auto_rebuild_on_insert": True})
    server = bench.server()
    lost = bench.serial(1)
    server.fail_drive(lost)
    assert bench.run("show", "--check").exit_code == 5
    server.pull_drive(lost)
    server.insert_drive(DriveSpec(serial="HPENEW01", bay="Bay 1"))
    shown = bench.show()
    assert shown["volumes"][0]["raid_health"]["state"] == "rebuilding"
    done = bench.ok("rebuild", "SmartArray.0/LogicalDrive.1", "--drive", disk(1),
                    "--confirm-serial", "HPENEW01", "--wait")
    assert done["changed"] is False and done["job"]["state"] == "completed"
    assert bench.show()["volumes"][0]["raid_health"]["state"] == "optimal"
    assert [r for r in server.requests if r.method == "PUT"] == []


def test_dedicated_spare_through_settings_at_the_reset(start_cluster) -> None:
    bench = start_cluster("ilo5")
    refused = bench.run("spare", "--drive", disk(3))
    assert refused.exit_code != 0 and "belongs to an array" in refused.output
    staged = bench.ok("spare", "--drive", disk(3), "--volume", "SmartArray.0/LogicalDrive.1")
    assert (staged["changed"], staged["pending"]) == (True, True)
    body = next(r.body for r in bench.server().requests if r.method == "PUT")
    assert body["LogicalDrives"][0]["SpareDrives"] == ["1I:1:3"]
    assert body["DataGuard"] == "Permissive"
    bench.reset()
    assert bench.show()["volumes"][0]["spare_drive_ids"] == [disk(3)]


def test_moved_array_is_recognised_at_post_and_import_is_a_no_op(start_cluster) -> None:
    bench = start_cluster("ilo5", names=("a", "b"))
    serials = [bench.serial(1), bench.serial(2)]
    for serial in serials:
        bench.cluster.move_drive(serial, "a", "b")
    shown = bench.show(node="b")
    assert shown["foreign"] is None
    by_id = {d["id"]: d["serial"] for d in shown["drives"]}
    assert sorted(by_id[i] for i in shown["volumes"][0]["drives"]) == sorted(serials)
    dry = bench.ok("import-foreign", "--dry-run", node="b")
    assert (dry["changed"], dry["requests"]) == (False, [])
    done = bench.ok("import-foreign", node="b")
    assert done["foreign"] is None and done["job"]["kind"] == "completed"
    assert any("imports them at POST" in n for n in done["notes"])
    assert [r for r in bench.server("b").requests if r.method in ("POST", "PUT")
            and "session" not in r.path.lower()] == []


def test_standard_storage_controller_import_names_the_manual_step(start_cluster) -> None:
    """An iLO with its controller in the standard Storage tree (RDE, iLO 6 MR): no Redfish
    import action; the plain simulator behind a forced ``ilo5-redfish`` scheme stands for it."""
    from click.testing import CliRunner

    from hamnhw.cli.main import cli
    from hamnhw.sim import ServerSpec, SimCluster

    with SimCluster([ServerSpec(name="mr", power="On", post_time=0.0)]) as cluster:
        server = cluster["mr"]
        url = server.url.replace("redfish+http://", "ilo5-redfish+http://")
        env = {"HAMNHW_USERNAME": "admin", "HAMNHW_PASSWORD": server.password}
        result = CliRunner().invoke(cli, ["--json", "raid", "import-foreign", url], env=env)
        dry = CliRunner().invoke(cli, ["--json", "raid", "import-foreign", url, "--dry-run"],
                                 env=env)
    assert result.exit_code == 1
    assert "UnsupportedOperation" in result.output and "Manage Foreign Configuration" in \
        result.output
    assert (dry.exit_code, dry.output) == (1, result.output)  # the dry run predicts it
