"""Storage like a real BMC: stale while off, refreshed by POST; drives moving between servers."""

from __future__ import annotations

import pytest
from simclient import STORAGE, SYSTEM, Bmc

from hamnhw.sim import BayError, DriveSpec, ServerSpec


@pytest.fixture
def pair(start_cluster):
    cluster = start_cluster(ServerSpec(name="primary", power="On"), ServerSpec(name="standby"))
    clients = {name: Bmc(cluster[name]) for name in ("primary", "standby")}
    yield cluster, clients
    for client in clients.values():
        client.close()


def volume(client: Bmc, volume_id: str = "Volume1") -> dict:
    response = client.get(f"{STORAGE}/Volumes/{volume_id}")
    assert response.status_code == 200, response.text
    return response.json()


def test_storage_shapes(bmc, primary):
    storage = bmc.get(STORAGE).json()
    assert storage["StorageControllers"][0]["SupportedRAIDTypes"] == ["RAID0", "RAID1"]
    drive = bmc.get(storage["Drives"][0]["@odata.id"]).json()
    expected = primary.drives[0]
    assert drive["SerialNumber"] == expected.serial
    assert drive["CapacityBytes"] == expected.capacity_bytes
    assert (drive["MediaType"], drive["Protocol"]) == ("HDD", "SAS")
    assert drive["Status"]["Health"] == "OK"
    assert drive["PhysicalLocation"]["PartLocation"]["ServiceLabel"] == "Bay 1"
    vol = volume(bmc)
    assert vol["RAIDType"] == "RAID1"
    assert [link["@odata.id"] for link in vol["Links"]["Drives"]] == [
        link["@odata.id"] for link in storage["Drives"]]
    assert vol["Status"]["Health"] == "OK"
    assert vol["Operations"] == []
    chassis = bmc.get("/redfish/v1/Chassis/Chassis1").json()
    assert chassis["Links"]["Drives"] == storage["Drives"]


def test_nics_and_manager(bmc, primary):
    members = bmc.get(f"{SYSTEM}/EthernetInterfaces").json()["Members"]
    nics = [bmc.get(member["@odata.id"]).json() for member in members]
    macs = [nic["MACAddress"] for nic in nics]
    assert len(set(macs)) == 2
    assert all(int(mac.split(":")[0], 16) & 0x02 for mac in macs)
    assert nics[0]["LinkStatus"] == "LinkUp"
    assert nics[0]["SpeedMbps"] == 25000
    manager = bmc.get("/redfish/v1/Managers/BMC").json()
    assert (manager["Model"], manager["FirmwareVersion"]) == ("Contoso BMC", "1.00")
    bmc_nics = bmc.get(manager["EthernetInterfaces"]["@odata.id"]).json()["Members"]
    bmc_mac = bmc.get(bmc_nics[0]["@odata.id"]).json()["MACAddress"]
    assert bmc_mac == primary.spec.bmc_mac
    assert bmc_mac not in macs


def test_defaults_differ_between_servers(pair):
    cluster, _ = pair
    primary, standby = cluster["primary"].spec, cluster["standby"].spec
    assert {n.mac for n in primary.nics}.isdisjoint({n.mac for n in standby.nics})
    assert primary.serial != standby.serial
    assert primary.uuid != standby.uuid


def test_moved_drives_show_stale_until_post_then_follow(pair, clock):
    cluster, clients = pair
    serials = [drive.serial for drive in cluster["primary"].drives]
    standby_own = clients["standby"].drive_serials()
    cluster["primary"].set_power("Off")
    for serial in serials:
        cluster.move_drive(serial, "primary", "standby")
    # Both hosts are off: each BMC still shows what its last POST saw.
    assert clients["primary"].drive_serials() == serials
    assert clients["standby"].drive_serials() == standby_own
    clients["standby"].reset("On")
    clock.advance(0.5)  # POST still running: still stale
    assert clients["standby"].drive_serials() == standby_own
    clock.advance(1.0)
    assert sorted(clients["standby"].drive_serials()) == sorted(standby_own + serials)
    vol_ids = [m["@odata.id"].rsplit("/", 1)[-1] for m in clients["standby"].get(
        f"{STORAGE}/Volumes").json()["Members"]]
    assert sorted(vol_ids) == ["Volume1", "Volume2"]
    moved = volume(clients["standby"], "Volume1")
    assert moved["Status"]["Health"] == "OK"
    assert len(moved["Links"]["Drives"]) == 2
    # The primary, once it POSTs again, has nothing left.
    clients["primary"].reset("On")
    clock.advance(1.0)
    assert clients["primary"].drive_serials() == []


def test_pulling_one_member_degrades_the_volume_on_a_running_host(pair, clock):
    cluster, clients = pair
    clock.advance(5)
    serial = cluster["primary"].drives[1].serial
    pulled = cluster.pull_drive(serial, "primary")
    assert pulled.serial == serial
    vol = volume(clients["primary"])
    assert vol["Status"]["Health"] == "Warning"
    assert len(vol["Links"]["Drives"]) == 1
    placed = cluster.insert_drive(serial, "primary", bay="Bay 5")
    assert placed.bay == "Bay 5"
    assert volume(clients["primary"])["Status"]["Health"] == "OK"


def test_empty_storage_while_off(start_cluster, clock):
    server = start_cluster(ServerSpec(name="blind", storage_when_off="empty"))["blind"]
    client = Bmc(server)
    assert client.get(f"{SYSTEM}/Storage").json()["Members"] == []
    assert client.get(STORAGE).status_code == 404
    client.reset("On")
    clock.advance(1.0)
    assert client.get(f"{SYSTEM}/Storage").json()["Members@odata.count"] == 1
    assert len(client.drive_serials()) == 2


def test_volume_operation_is_reported(bmc, primary):
    primary.state.bays.volumes[0].operation = ("Rebuild", 40)
    assert volume(bmc)["Operations"] == [{"OperationName": "Rebuild", "PercentageComplete": 40}]


def test_bay_errors(pair):
    cluster, _ = pair
    serial = cluster["primary"].drives[0].serial
    with pytest.raises(BayError, match="no drive"):
        cluster.move_drive("NOPE", "primary", "standby")
    with pytest.raises(BayError, match="holds"):
        cluster.move_drive(serial, "primary", "standby", bay="Bay 1")
    assert cluster.bays.locate(serial) == ("primary", "Bay 1")  # rolled back
    with pytest.raises(BayError, match="already in a bay"):
        cluster.insert_drive(DriveSpec(serial=serial), "standby")


def test_custom_drives_without_raid(start_cluster):
    drives = (DriveSpec("S1", media="SSD", protocol="NVMe", bay="Bay 3"),)
    server = start_cluster(ServerSpec(name="nvme", drives=drives, raid1=False))["nvme"]
    client = Bmc(server)
    assert client.drive_serials() == ["S1"]
    assert client.get(f"{STORAGE}/Volumes").json()["Members"] == []
