"""The generic driver against DMTF mockups (public-localstorage, public-rackmount1),
served through `responses` to the real transport and to a plain requests client.
Expected values are read from the mockup files themselves."""

from __future__ import annotations

from pathlib import Path

from driver_fakes import make_driver
from driver_mockups import MOCKUPS, read_mockup

from hamnhw.models import Health, LinkStatus, RaidType

LOCAL = "public-localstorage"
RACK = "public-rackmount1"
LOCAL_SYSTEM = "/redfish/v1/Systems/437XR1138R2"


def _local(path: str) -> dict:
    return read_mockup(Path(MOCKUPS) / LOCAL, path)


def test_localstorage_drives_are_exactly_the_mockup_drives(serve) -> None:
    client, _ = serve(LOCAL)
    storage = _local(f"{LOCAL_SYSTEM}/Storage/1")
    expected = {}
    for link in storage["Drives"]:
        doc = _local(link["@odata.id"])
        expected[doc["SerialNumber"]] = doc
    assert len(expected) == 4

    drives = make_driver(client).inventory.drives()

    assert drives is not None
    assert sorted(d.serial for d in drives) == sorted(expected)
    for drive in drives:
        doc = expected[drive.serial]
        assert drive.id == doc["Id"]
        assert drive.model == doc["Model"]
        assert drive.capacity_bytes == doc["CapacityBytes"]
        assert drive.media == doc["MediaType"]
        assert drive.protocol == doc["Protocol"]
        assert drive.health is Health(doc["Status"]["Health"])
        assert drive.state == doc["Status"]["State"]


def test_localstorage_raid1_volume_with_its_two_member_drives(serve) -> None:
    client, _ = serve(LOCAL)
    doc = _local(f"{LOCAL_SYSTEM}/Storage/1/Volumes/1")
    member_ids = tuple(link["@odata.id"].rsplit("/", 1)[-1] for link in doc["Links"]["Drives"])

    volumes = make_driver(client).raid.volumes()

    assert volumes is not None and len(volumes) == 3
    raid1 = [v for v in volumes if v.raid_type is RaidType.RAID1]
    assert len(raid1) == 1
    assert raid1[0].id == doc["Id"]
    assert raid1[0].name == doc["Name"]
    assert raid1[0].capacity_bytes == doc["CapacityBytes"]
    assert raid1[0].drive_ids == member_ids
    assert len(member_ids) == 2
    assert raid1[0].operation is None


def test_localstorage_system_nics_are_the_two_mockup_macs(serve) -> None:
    client, _ = serve(LOCAL)
    collection = _local(f"{LOCAL_SYSTEM}/EthernetInterfaces")
    expected = [_local(m["@odata.id"])["MACAddress"].lower() for m in collection["Members"]]
    assert len(expected) == 2

    driver = make_driver(client)
    nics = driver.nics.list()

    assert [n.mac for n in nics] == expected
    assert nics[0].link is LinkStatus.UP
    assert nics[0].speed_mbps == 1000
    bmc = driver.nics.bmc_nics()
    assert [n.mac for n in bmc] == ["23:11:8a:33:cf:ea"]


def test_localstorage_inventory_system_manager_controller(serve) -> None:
    client, _ = serve(LOCAL)
    system_doc = _local(LOCAL_SYSTEM)

    inventory = make_driver(client).inventory.inventory()

    assert inventory.system.id == "437XR1138R2"
    assert inventory.system.manufacturer == system_doc["Manufacturer"]
    assert inventory.system.serial == system_doc["SerialNumber"]
    assert inventory.system.uuid == system_doc["UUID"]
    assert inventory.system.bios_version == system_doc["BiosVersion"]
    assert inventory.manager is not None
    assert (inventory.manager.model, inventory.manager.firmware) == ("Joo Janta 200", "1.00")
    assert inventory.controllers is not None
    assert [(c.id, c.model, c.firmware) for c in inventory.controllers] == [
        ("0", "12Gbs Integrated RAID", "1.0.0.7")]
    assert inventory.drives is not None and len(inventory.drives) == 4


def test_rackmount_simple_storage_and_no_volumes(serve) -> None:
    client, _ = serve(RACK)

    driver = make_driver(client)
    drives = driver.inventory.drives()

    assert drives is not None
    assert [(d.id, d.model, d.capacity_bytes, d.state) for d in drives] == [
        ("SATA Bay 1", "3000GT8", 8000000000000, "Enabled"),
        ("SATA Bay 2", "3000GT7", 4000000000000, "Enabled"),
        ("SATA Bay 3", None, None, "Absent"),
        ("SATA Bay 4", None, None, "Absent"),
    ]
    assert drives[1].health is Health.WARNING
    assert driver.raid.volumes() is None  # SimpleStorage cannot tell about volumes


def test_rackmount_nics_leave_out_vlan_and_host_interface(serve) -> None:
    client, _ = serve(RACK)

    nics = make_driver(client).nics.list()

    assert [(n.id, n.mac, n.permanent_mac) for n in nics] == [
        ("12446A3B0411", "12:44:6a:3b:04:11", "12:44:6a:3b:04:11"),
        ("12446A3B8890", "aa:bb:cc:dd:ee:00", "12:44:6a:3b:88:90"),
    ]
