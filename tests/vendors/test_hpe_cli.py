"""Every ``hamnhw raid`` command through the CLI against the ``ilo5`` personality: the
Smart Array read through SmartStorage, written through SmartStorageConfig settings (PUT
with If-Match, DataGuard Strict / Permissive) applied at the next reset."""

from __future__ import annotations

from vendor_bench import ids

from hamnhw.sim import DriveSpec

SETTINGS = "/redfish/v1/systems/1/smartstorageconfig/settings/"


def disk(bay: int) -> str:
    return f"SmartArray.0/1I:1:{bay}"


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
    puts = [r for r in bench.server().requests if r.method == "PUT"]
    assert [r.path for r in puts] == [SETTINGS]
    assert puts[0].body == {"DataGuard": "Strict", "LogicalDrives": [{
        "Raid": "Raid1", "DataDrives": ["1I:1:3", "1I:1:4"], "CapacityGiB": 1117,
        "LogicalDriveName": "data"}]}
    again = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                     "--apply-time", "on-reset")
    assert (again["changed"], again["pending"]) == (False, True)
    bench.reset()
    after = bench.show()
    assert sorted(ids(after["volumes"])) == ["SmartArray.0/LogicalDrive.1",
                                             "SmartArray.0/LogicalDrive.2"]
    assert "SmartArray.0/LogicalDrive.1" in ids(after["volumes"])  # the other LD is kept


def test_create_with_reboot_reads_the_settings_messages(start_cluster) -> None:
    bench = start_cluster("ilo5", power_delay=2.0)
    done = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                    "--apply-time", "on-reset", "--reboot")
    assert (done["pending"], done["job"]["state"]) == (False, "completed")
    assert done["job"]["messages"] == ["SmartStorageMessages.2.0.0.Success"]
    assert done["volume"]["drives"] == [disk(3), disk(4)]


def test_a_stale_etag_is_refused(start_cluster) -> None:
    bench = start_cluster("ilo5")
    bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
             "--apply-time", "on-reset")
    put = next(r for r in bench.server().requests if r.method == "PUT")
    assert put.status == 200
    from hamnhw import connect
    from hamnhw.errors import HttpError
    server = bench.server()
    with connect(server.url, username="admin", password="password") as node:
        try:
            node.driver.client.put(SETTINGS, {"DataGuard": "Strict", "LogicalDrives": []},
                                   etag='W/"00000000"')
        except HttpError as exc:
            assert exc.status == 412
        else:
            raise AssertionError("a PUT with a stale ETag was accepted")


def test_delete_names_one_logical_drive_permissive(start_cluster) -> None:
    bench = start_cluster("ilo5")
    done = bench.ok("delete", "SmartArray.0/LogicalDrive.1", "--yes")
    assert (done["changed"], done["pending"]) == (True, True)
    body = next(r.body for r in bench.server().requests if r.method == "PUT")
    assert body["DataGuard"] == "Permissive"
    assert body["LogicalDrives"][0]["Actions"] == [{"Action": "LogicalDriveDelete"}]
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
        result = CliRunner().invoke(cli, ["--json", "raid", "import-foreign", url], env={
            "HAMNHW_USERNAME": "admin", "HAMNHW_PASSWORD": "password"})
    assert result.exit_code != 0
    assert "UnsupportedOperation" in result.output and "Manage Foreign Configuration" in \
        result.output
