"""Every ``hamnhw raid`` command through the CLI against the ``supermicro`` personality:
creates answered with a task, a session that expires when idle (renewed by one login), and
a moved array whose import is refused naming the manual step."""

from __future__ import annotations

from vendor_bench import ids

from hamnhw.sim.personalities import of

STORAGE = "HA-RAID"


def disk(bay: int) -> str:
    return f"{STORAGE}/HA-RAID.0.StorageEnclosure.0.Disk.{bay - 1}"


def volume(number: int) -> str:
    return f"{STORAGE}/HA-RAID.0.Volume.{number}"


def test_create_follows_the_task_and_delete(start_cluster) -> None:
    bench = start_cluster("supermicro", raid={"task_seconds": 12.0})
    done = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    assert (done["job"]["kind"], done["job"]["state"]) == ("task", "completed")
    assert done["volume"]["id"] == volume(1)
    again = bench.ok("create", "--level", "1", "--drives", f"{disk(3)},{disk(4)}")
    assert again["changed"] is False
    bench.ok("delete", volume(1), "--yes")
    assert ids(bench.show()["volumes"]) == [volume(0)]


def test_an_idle_session_expires_and_one_login_renews_it(start_cluster) -> None:
    bench = start_cluster("supermicro")
    server = bench.server()
    from hamnhw import connect
    with connect(server.url, username="admin", password=server.password) as node:
        before = node.raid.status()
        bench.clock.advance(301.0)  # longer than the BMC's idle SessionTimeout (300 s)
        after = node.raid.status()
    assert [v.id for v in after.volumes or ()] == [v.id for v in before.volumes or ()]
    expired = [r for r in server.requests if r.status == 401 and r.method != "DELETE"]
    logins = [r for r in server.requests if r.method == "POST"
              and r.path.rstrip("/").endswith("SessionService/Sessions")]
    assert len(expired) == 1 and expired[0].method == "GET"
    assert len(logins) == 2


def test_degrade_replace_rebuild(start_cluster) -> None:
    bench = start_cluster("supermicro", raid={"rebuild_seconds": 60.0})
    bench.replace_failed(1, "SMCNEW01")
    done = bench.ok("rebuild", volume(0), "--drive", disk(1), "--confirm-serial",
                    "SMCNEW01", "--wait")
    assert done["job"]["state"] == "completed"
    assert bench.show()["volumes"][0]["raid_health"]["state"] == "optimal"


def test_spares(start_cluster) -> None:
    bench = start_cluster("supermicro")
    bench.ok("spare", "--drive", disk(3))
    bench.ok("spare", "--drive", disk(4), "--volume", volume(0))
    shown = bench.show()
    assert disk(3) in shown["spares"] and shown["volumes"][0]["spare_drive_ids"] == [disk(4)]


def test_moved_array_import_is_refused_naming_the_manual_step(start_cluster) -> None:
    bench = start_cluster("supermicro", names=("a", "b"))
    for serial in (bench.serial(1), bench.serial(2)):
        bench.cluster.move_drive(serial, "a", "b")
    assert bench.show(node="b")["volumes"] == []
    refused = bench.run("import-foreign", node="b")
    assert refused.exit_code == 1 and "storcli /c0/fall import" in refused.output
    dry = bench.run("import-foreign", "--dry-run", node="b")
    assert (dry.exit_code, dry.output) == (1, refused.output)  # the dry run predicts it
    smc = of(bench.server("b").state)
    assert smc is not None
    smc.import_foreign()
    assert len(bench.show(node="b")["volumes"]) == 1
