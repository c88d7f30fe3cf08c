"""RAID semantics of the simulator over HTTP: creates in both dialects answered 201 or 202
with a task, on the next reset; refusals as a real BMC gives them; failures, spares, rebuild
progress over simulated time; a moved array showing on the other server after its POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from simclient import STORAGE, Bmc

from hamnhw.sim import DriveSpec, ManualClock, RaidSpec, ServerSpec, SimCluster, SimServer
from hamnhw.sim.spec import fake_serial

VOLUMES = f"{STORAGE}/Volumes"
DRIVES = f"{STORAGE}/Drives"


def spec(name: str = "primary", raid1: bool = False, **raid: Any) -> ServerSpec:
    drives = tuple(DriveSpec(serial=fake_serial(name, i), bay=f"Bay {i}") for i in range(1, 5))
    return ServerSpec(name=name, power="On", raid1=raid1, drives=drives, post_time=0.0,
                      raid=RaidSpec(**raid))


@pytest.fixture
def sim(start_cluster: Callable[..., SimCluster]) -> Callable[..., tuple[SimServer, Bmc]]:
    clients: list[Bmc] = []

    def make(**raid: Any) -> tuple[SimServer, Bmc]:
        server = start_cluster(spec(**raid))["primary"]
        clients.append(Bmc(server))
        return server, clients[-1]

    yield make
    for client in clients:
        client.close()


def mirror(*bays: int, prop: str = "RAIDType", value: str = "RAID1", **extra: Any) -> dict:
    return {prop: value, "CapacityBytes": 10**12, "Name": "mn",
            "Links": {"Drives": [{"@odata.id": f"{DRIVES}/Bay{b}"} for b in bays]}, **extra}


def members(bmc: Bmc, volume: str) -> list[str]:
    return [d["@odata.id"].rsplit("/", 1)[-1] for d in bmc.get(volume).json()["Links"]["Drives"]]


def test_create_answers_201_with_location_and_the_volume(sim) -> None:
    _, bmc = sim()
    created = bmc.post(VOLUMES, mirror(1, 2))
    assert created.status_code == 201
    location = created.headers["Location"]
    volume = bmc.get(location).json()
    assert (volume["RAIDType"], volume["Status"]["Health"]) == ("RAID1", "OK")
    assert members(bmc, location) == ["Bay1", "Bay2"]
    listed = bmc.get(VOLUMES).json()
    assert [m["@odata.id"] for m in listed["Members"]] == [location]
    assert listed["@Redfish.OperationApplyTimeSupport"]["SupportedValues"] == [
        "Immediate", "OnReset"]


def test_create_as_a_task_with_progress(sim, clock: ManualClock) -> None:
    _, bmc = sim(create_answer="task", task_seconds=10.0)
    accepted = bmc.post(VOLUMES, mirror(1, 2))
    assert accepted.status_code == 202
    monitor = accepted.headers["Location"]
    clock.advance(4)
    running = bmc.get(monitor)
    assert (running.status_code, running.json()["TaskState"]) == (202, "Running")
    assert running.json()["PercentComplete"] == 40
    assert bmc.get(VOLUMES).json()["Members"] == []
    clock.advance(6)
    done = bmc.get(monitor)
    assert done.status_code == 200 and done.json()["RAIDType"] == "RAID1"


def test_volume_type_dialect_refuses_raid_type_as_unknown(sim) -> None:
    _, bmc = sim(dialect="VolumeType")
    refused = bmc.post(VOLUMES, mirror(1, 2))
    assert refused.status_code == 400
    info = refused.json()["error"]["@Message.ExtendedInfo"][0]
    assert info["MessageId"].endswith("PropertyUnknown") and info["MessageArgs"] == ["RAIDType"]
    created = bmc.post(VOLUMES, mirror(1, 2, prop="VolumeType", value="Mirrored"))
    volume = bmc.get(created.headers["Location"]).json()
    assert (volume["@odata.type"], volume["VolumeType"]) == ("#Volume.v1_0_3.Volume", "Mirrored")
    assert "RAIDType" not in volume


def test_drive_in_use_is_a_400_with_extended_info(sim) -> None:
    _, bmc = sim()
    assert bmc.post(VOLUMES, mirror(1, 2)).status_code == 201
    refused = bmc.post(VOLUMES, mirror(2, 3))
    info = refused.json()["error"]["@Message.ExtendedInfo"][0]
    assert refused.status_code == 400 and info["MessageId"].endswith("ResourceInUse")
    assert "Bay2" in info["Message"] and len(bmc.get(VOLUMES).json()["Members"]) == 1


@pytest.mark.parametrize("raid,body,message_id", [
    ({}, mirror(1, 2, Colour="blue"), "PropertyUnknown"),
    ({"apply_times": ("Immediate",)}, mirror(1, 2, **{"@Redfish.OperationApplyTime": "OnReset"}),
     "PropertyValueNotInList"),
    ({"apply_times": None}, mirror(1, 2, **{"@Redfish.OperationApplyTime": "Immediate"}),
     "PropertyUnknown"),
    ({}, mirror(1), "PropertyValueIncorrect"),
    ({}, mirror(1, 2, CapacityBytes=10**13), "PropertyValueIncorrect"),
])
def test_refusals_of_a_real_bmc(sim, raid: dict, body: dict, message_id: str) -> None:
    _, bmc = sim(**raid)
    refused = bmc.post(VOLUMES, body)
    assert refused.status_code == 400
    assert refused.json()["error"]["@Message.ExtendedInfo"][0]["MessageId"].endswith(message_id)


def test_on_reset_create_waits_for_the_reset_as_a_pending_task(sim) -> None:
    _, bmc = sim()
    accepted = bmc.post(VOLUMES, mirror(1, 2, **{"@Redfish.OperationApplyTime": "OnReset"}))
    assert accepted.status_code == 202
    task = bmc.get(accepted.headers["Location"]).json()
    assert task["TaskState"] == "Pending" and task["Payload"]["TargetUri"] == VOLUMES
    assert bmc.get(VOLUMES).json()["Members"] == []
    assert bmc.reset("ForceRestart").status_code == 204
    assert len(bmc.get(VOLUMES).json()["Members"]) == 1
    assert bmc.get(accepted.headers["Location"]).status_code == 200


def test_delete_frees_the_drives(sim) -> None:
    _, bmc = sim()
    location = bmc.post(VOLUMES, mirror(1, 2)).headers["Location"]
    assert bmc.delete(location).status_code == 204
    assert bmc.get(location).status_code == 404
    assert bmc.post(VOLUMES, mirror(1, 2)).status_code == 201


def test_fail_replace_rebuild_over_simulated_time(sim, clock: ManualClock) -> None:
    server, bmc = sim(rebuild_seconds=60.0)
    location = bmc.post(VOLUMES, mirror(1, 2)).headers["Location"]
    failed = server.drives[0].serial
    control = bmc.session.post(bmc.url("/hamnhw-sim/drives/fail"), json={"serial": failed},
                               timeout=10)
    assert control.status_code == 204
    degraded = bmc.get(location).json()
    assert degraded["Status"]["Health"] == "Warning"
    drive = bmc.get(f"{DRIVES}/Bay1").json()
    assert (drive["Status"]["Health"], drive["StatusIndicator"]) == ("Critical", "Fail")
    server.pull_drive(failed)
    server.insert_drive(DriveSpec(serial="NEWDISK1", bay="Bay 1"))
    assert bmc.get(location).json()["Status"]["Health"] == "Warning"
    spares = {"Links": {"DedicatedSpareDrives": [{"@odata.id": f"{DRIVES}/Bay1"}]}}
    assert bmc.patch(location, spares).status_code == 200
    clock.advance(30)
    rebuilding = bmc.get(location).json()
    assert rebuilding["Operations"] == [{"OperationName": "Rebuilding",
                                         "PercentageComplete": 50}]
    assert bmc.get(f"{DRIVES}/Bay1").json()["Operations"][0]["PercentageComplete"] == 50
    clock.advance(30)
    rebuilt = bmc.get(location).json()
    assert (rebuilt["Status"]["Health"], rebuilt["Operations"]) == ("OK", [])
    assert members(bmc, location) == ["Bay1", "Bay2"]


def test_pulling_the_drive_rebuilt_onto_stops_the_rebuild(sim, clock: ManualClock) -> None:
    """As a controller does: the volume is degraded again, no rebuild shown, the drive gone
    from its members (the rebuild went on to "finish" onto the pulled disk); back in its
    bay, the disk is rebuilt onto from the start, its copy being partial."""
    server, bmc = sim(rebuild_seconds=60.0)
    location = bmc.post(VOLUMES, mirror(1, 2)).headers["Location"]
    server.fail_drive(server.drives[0].serial)
    server.pull_drive(server.drives[0].serial)
    server.insert_drive(DriveSpec(serial="NEWDISK3", bay="Bay 1"))
    spares = {"Links": {"DedicatedSpareDrives": [{"@odata.id": f"{DRIVES}/Bay1"}]}}
    assert bmc.patch(location, spares).status_code == 200
    clock.advance(30)
    server.pull_drive("NEWDISK3")
    clock.advance(40)
    stopped = bmc.get(location).json()
    assert (stopped["Status"]["Health"], stopped["Operations"]) == ("Warning", [])
    assert members(bmc, location) == ["Bay2"]
    server.insert_drive("NEWDISK3", "Bay 1")
    clock.advance(30)
    again = bmc.get(location).json()
    assert again["Operations"] == [{"OperationName": "Rebuilding", "PercentageComplete": 50}]
    assert members(bmc, location) == ["Bay1", "Bay2"]
    clock.advance(30)
    assert bmc.get(location).json()["Status"]["Health"] == "OK"


@pytest.mark.parametrize("kind", ["dedicated", "global"])
def test_a_spare_takes_over_a_failed_member_by_itself(sim, clock: ManualClock, kind: str) -> None:
    server, bmc = sim(rebuild_seconds=10.0)
    location = bmc.post(VOLUMES, mirror(1, 2)).headers["Location"]
    if kind == "dedicated":
        body = {"Links": {"DedicatedSpareDrives": [{"@odata.id": f"{DRIVES}/Bay3"}]}}
        assert bmc.patch(location, body).status_code == 200
    else:
        assert bmc.patch(f"{DRIVES}/Bay3", {"HotspareType": "Global"}).status_code == 200
    assert bmc.get(f"{DRIVES}/Bay3").json()["HotspareType"] == kind.capitalize()
    server.fail_drive(server.drives[1].serial)
    assert members(bmc, location) == ["Bay1", "Bay3"]
    assert bmc.get(location).json()["Operations"][0]["OperationName"] == "Rebuilding"
    clock.advance(10)
    assert bmc.get(location).json()["Status"]["Health"] == "OK"
    assert bmc.get(f"{DRIVES}/Bay3").json()["HotspareType"] == "None"


def test_spare_refusals(sim) -> None:
    _, bmc = sim()
    location = bmc.post(VOLUMES, mirror(1, 2)).headers["Location"]
    member = {"Links": {"DedicatedSpareDrives": [{"@odata.id": f"{DRIVES}/Bay2"}]}}
    assert bmc.patch(location, member).status_code == 400
    assert bmc.patch(f"{DRIVES}/Bay1", {"HotspareType": "Global"}).status_code == 400
    assert bmc.patch(f"{DRIVES}/Bay3", {"SerialNumber": "x"}).status_code == 400


def test_auto_rebuild_when_a_disk_goes_into_the_lost_members_bay(sim, clock) -> None:
    server, bmc = sim(auto_rebuild_on_insert=True)
    location = bmc.post(VOLUMES, mirror(1, 2)).headers["Location"]
    lost = server.drives[0].serial
    server.fail_drive(lost)
    server.pull_drive(lost)
    server.insert_drive(DriveSpec(serial="NEWDISK2", bay="Bay 1"))
    assert bmc.get(location).json()["Operations"][0]["OperationName"] == "Rebuilding"


def test_moved_array_shows_on_the_other_server_after_its_post(start_cluster, clock) -> None:
    cluster = start_cluster(spec("primary", raid1=True),
                            ServerSpec(name="standby", power="Off", drives=(), raid1=False))
    primary, standby = cluster["primary"], cluster["standby"]
    primary.set_power("Off")
    client = Bmc(standby)
    try:
        for drive in primary.drives[:2]:
            cluster.move_drive(drive.serial, "primary", "standby")
        assert client.get(VOLUMES).json()["Members"] == []
        assert client.reset("On").status_code == 204
        clock.advance(5)
        [listed] = client.get(VOLUMES).json()["Members"]
        volume = client.get(listed["@odata.id"]).json()
        assert volume["Status"]["Health"] == "OK" and len(volume["Links"]["Drives"]) == 2
    finally:
        client.close()
