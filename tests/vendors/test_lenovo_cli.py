"""Every ``hamnhw raid`` command through the CLI against the ``xcc`` personality: a name
always sent, members only in Links.Drives, global spares, and a moved array whose import
is refused naming the manual step (then done by hand in the simulated setup utility)."""

from __future__ import annotations

import pytest
from vendor_bench import ids

from hamnhw.sim.personalities import of
from hamnhw.sim.raid import ServerRaid

STORAGE = "RAID_Slot4"


def disk(bay: int) -> str:
    return f"{STORAGE}/Disk.{bay - 1}"


def test_create_sends_a_name_and_links_drives_only(start_cluster) -> None:
    bench = start_cluster("xcc")
    shown = bench.show()
    assert ids(shown["volumes"]) == [f"{STORAGE}/0"]
    done = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    body = bench.posts("/Volumes")[0]
    assert body["Name"] == "hamnhw_raid" and "Drives" not in body
    assert [d["@odata.id"].rsplit("/", 1)[1] for d in body["Links"]["Drives"]] == [
        "Disk.2", "Disk.3"]
    assert done["volume"]["drives"] == [disk(3), disk(4)]


def test_a_too_long_name_is_refused_before_sending_on_xcc2(start_cluster) -> None:
    """Only the xcc2-restapi page limits the name to 15 characters."""
    bench = start_cluster("xcc", manager_model="Lenovo XClarity Controller 2",
                          model="ThinkSystem SR650 V3")
    result = bench.run("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                       "--name", "a-name-of-twenty-chars")
    assert result.exit_code != 0 and "XCC2 takes a volume name of 1 to 15" in result.output
    assert bench.posts("/Volumes") == []
    bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}", "--name", "mn")


def test_xcc_takes_a_longer_name(start_cluster) -> None:
    bench = start_cluster("xcc")  # an XCC (ThinkSystem V2), not an XCC2
    done = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}",
                    "--name", "a-name-of-twenty-chars")
    assert bench.posts("/Volumes")[0]["Name"] == "a-name-of-twenty-chars"
    assert done["volume"]["name"] == "a-name-of-twenty-chars"


def test_delete(start_cluster) -> None:
    bench = start_cluster("xcc")
    bench.ok("delete", f"{STORAGE}/0", "--yes")
    assert bench.show()["volumes"] == []


def test_rebuild_onto_a_global_spare_and_spares(start_cluster) -> None:
    bench = start_cluster("xcc", raid={"rebuild_seconds": 40.0})
    bench.replace_failed(1, "XCCNEW01")
    plan = bench.ok("rebuild", f"{STORAGE}/0", "--drive", disk(1), "--confirm-serial",
                    "XCCNEW01", "--dry-run")
    assert plan["requests"][0]["method"] == "PATCH"
    assert plan["requests"][0]["body"] == {"HotspareType": "Global"}
    done = bench.ok("rebuild", f"{STORAGE}/0", "--drive", disk(1), "--confirm-serial",
                    "XCCNEW01", "--wait")
    assert done["job"]["state"] == "completed"
    assert bench.show()["volumes"][0]["raid_health"]["state"] == "optimal"
    dedicated = bench.run("spare", "--drive", disk(3), "--volume", f"{STORAGE}/0")
    assert dedicated.exit_code != 0 and "DedicatedSpareDrives" in dedicated.output
    made = bench.ok("spare", "--drive", disk(3))
    assert made["changed"] and disk(3) in bench.show()["spares"]


def test_moved_array_import_is_refused_naming_the_manual_step(start_cluster) -> None:
    bench = start_cluster("xcc", names=("a", "b"))
    serials = [bench.serial(1), bench.serial(2)]
    for serial in serials:
        bench.cluster.move_drive(serial, "a", "b")
    shown = bench.show(node="b")
    assert shown["volumes"] == [] and shown["foreign"] is None
    assert any("Manage Foreign Configuration" in n for n in shown["notes"])
    refused = bench.run("import-foreign", node="b")
    assert refused.exit_code == 1
    assert "UnsupportedOperation" in refused.output and "Manage Foreign" in refused.output
    dry = bench.run("import-foreign", "--dry-run", node="b")
    assert (dry.exit_code, dry.output) == (1, refused.output)  # the dry run predicts it
    xcc = of(bench.server("b").state)
    assert xcc is not None
    xcc.import_foreign()  # the operator, in the controller's setup utility
    after = bench.show(node="b")
    by_id = {d["id"]: d["serial"] for d in after["drives"]}
    assert sorted(by_id[i] for i in after["volumes"][0]["drives"]) == sorted(serials)


def test_a_global_spare_not_yet_taken_in_is_a_started_rebuild(
        start_cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """XCC's rebuild makes the drive a global spare; the controller may take it in after
    the first read: the volume still degraded with the drive a global spare is the rebuild
    pending, not OperationFailed ("neither rebuilding ... nor its spare") after a PATCH the
    BMC accepted."""
    bench = start_cluster("xcc", raid={"rebuild_seconds": 40.0})
    bench.replace_failed(1, "XCCNEW01")
    monkeypatch.setattr(ServerRaid, "_take_over", lambda *args: None)
    done = bench.ok("rebuild", f"{STORAGE}/0", "--drive", disk(1), "--confirm-serial",
                    "XCCNEW01")
    assert done["changed"] is True and done["job"]["state"] == "pending", done
    shown = bench.show()
    assert disk(1) in shown["spares"]
    assert shown["volumes"][0]["raid_health"]["state"] == "degraded"
