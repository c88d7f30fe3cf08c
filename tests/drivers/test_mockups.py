"""The generic driver against DMTF mockups (public-localstorage, public-rackmount1,
public-tower), served through `responses` to the real transport and to a plain requests
client.  Expected values are read from the mockup files themselves."""

from __future__ import annotations

from pathlib import Path

from driver_fakes import make_driver
from driver_mockups import MOCKUPS, read_mockup

from hamnhw.models import Health, LinkStatus, NicSource, RaidType

LOCAL = "public-localstorage"
RACK = "public-rackmount1"
TOWER = "public-tower"
LOCAL_SYSTEM = "/redfish/v1/Systems/437XR1138R2"
TOWER_SYSTEM = "/redfish/v1/Systems/437XR1238R2"


def _local(path: str) -> dict:
    return read_mockup(Path(MOCKUPS) / LOCAL, path)


def _tower(path: str) -> dict:
    return read_mockup(Path(MOCKUPS) / TOWER, path)


def owner_qualified(uri: str, member_id: str | None = None) -> str:
    """The id hamnhw gives the drive or volume at ``uri``: ``<owner id>/<member id>``, the
    owner of a chassis drive prefixed ``chassis:``."""
    parts = uri.rstrip("/").split("/")
    prefix = "chassis:" if parts[-4] == "Chassis" else ""
    return f"{prefix}{parts[-3]}/{member_id or parts[-1]}"


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
        # "chassis:1U/<Id>": its chassis
        assert drive.id == owner_qualified(doc["@odata.id"], doc["Id"])
        assert drive.uri == doc["@odata.id"]
        assert drive.model == doc["Model"]
        assert drive.capacity_bytes == doc["CapacityBytes"]
        assert drive.media == doc["MediaType"]
        assert drive.protocol == doc["Protocol"]
        assert drive.health is Health(doc["Status"]["Health"])
        assert drive.state == doc["Status"]["State"]


def test_localstorage_raid1_volume_with_its_two_member_drives(serve) -> None:
    client, _ = serve(LOCAL)
    doc = _local(f"{LOCAL_SYSTEM}/Storage/1/Volumes/1")
    member_ids = tuple(owner_qualified(link["@odata.id"]) for link in doc["Links"]["Drives"])

    volumes = make_driver(client).raid.volumes()

    assert volumes is not None and len(volumes) == 3
    raid1 = [v for v in volumes if v.raid_type is RaidType.RAID1]
    assert len(raid1) == 1
    assert raid1[0].id == f"1/{doc['Id']}"  # qualified by its storage
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

    assert nics is not None and [n.mac for n in nics] == expected
    assert {n.source for n in nics} == {NicSource.ETHERNET_INTERFACE}
    assert nics[0].link is LinkStatus.UP
    assert nics[0].speed_mbps == 1000
    bmc = driver.nics.bmc_nics()
    assert bmc is not None and [n.mac for n in bmc] == ["23:11:8a:33:cf:ea"]


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
        ("1/0", "12Gbs Integrated RAID", "1.0.0.7")]
    assert inventory.drives is not None and len(inventory.drives) == 4
    # public-localstorage never models bays: whether any is empty is unknown, not "none"
    assert (inventory.empty_bays, inventory.incomplete, inventory.warnings) == (None, False, ())
    volume_drives = {d for v in inventory.volumes or () for d in v.drive_ids or ()}
    assert volume_drives <= {d.id for d in inventory.drives}


def test_rackmount_simple_storage_and_no_volumes(serve) -> None:
    client, _ = serve(RACK)

    driver = make_driver(client)
    inventory = driver.inventory.inventory()
    drives = inventory.drives

    assert drives is not None
    assert [(d.id, d.model, d.capacity_bytes, d.state) for d in drives] == [
        ("1/SATA Bay 1", "3000GT8", 8000000000000, "Enabled"),
        ("1/SATA Bay 2", "3000GT7", 4000000000000, "Enabled"),
    ]
    assert drives[1].health is Health.WARNING
    # the two Absent devices are bays without a drive, not drives
    assert [(b.id, b.location) for b in inventory.empty_bays or ()] == [
        ("1/SATA Bay 3", "SATA Bay 3"), ("1/SATA Bay 4", "SATA Bay 4")]
    assert driver.raid.volumes() is None  # SimpleStorage cannot tell about volumes


def test_rackmount_nics_leave_out_vlan_and_host_interface(serve) -> None:
    client, _ = serve(RACK)

    nics = make_driver(client).nics.list()

    assert nics is not None and [(n.id, n.mac, n.permanent_mac) for n in nics] == [
        ("12446A3B0411", "12:44:6a:3b:04:11", "12:44:6a:3b:04:11"),
        ("12446A3B8890", "aa:bb:cc:dd:ee:00", "12:44:6a:3b:88:90"),
    ]


# -- public-tower: a tower with an add-in card and drives behind several controllers ----------


def tower_drive_docs() -> dict[str, dict]:
    chassis = _tower("/redfish/v1/Chassis/Tower")
    return {link["@odata.id"]: _tower(link["@odata.id"]) for link in chassis["Links"]["Drives"]}


def test_tower_nics_are_the_system_interfaces_and_the_adapter_functions(serve) -> None:
    client, server = serve(TOWER)
    interfaces = _tower(f"{TOWER_SYSTEM}/EthernetInterfaces")["Members"]
    adapter = "/redfish/v1/Chassis/Tower/NetworkAdapters/NIC1"
    functions = _tower(f"{adapter}/NetworkDeviceFunctions")["Members"]
    expected = ([(_tower(m["@odata.id"])["MACAddress"].lower(), NicSource.ETHERNET_INTERFACE)
                 for m in interfaces]
                + [(_tower(m["@odata.id"])["Ethernet"]["MACAddress"].lower(),
                    NicSource.NETWORK_DEVICE_FUNCTION) for m in functions])
    assert len(expected) == 4 and len({mac for mac, _ in expected}) == 4

    nics = make_driver(client).nics.list()

    assert nics is not None and [(n.mac, n.source) for n in nics] == expected
    card = [n for n in nics if n.source is NicSource.NETWORK_DEVICE_FUNCTION]
    label = _tower(adapter)["Controllers"][0]["Location"]["PartLocation"]["ServiceLabel"]
    assert [(n.adapter, n.location, n.port, n.speed_mbps) for n in card] == [
        ("NIC1", label, "1", 10000), ("NIC1", label, "2", 10000)]
    # reached twice (NetworkInterfaces -> NetworkAdapter, and the chassis): read once
    assert server.gets().count(adapter) == 1


def test_tower_drives_deduplicated_and_absent_bays_apart(serve) -> None:
    client, server = serve(TOWER)
    docs = tower_drive_docs()
    present = {uri for uri, doc in docs.items() if doc["Status"]["State"] != "Absent"}
    absent = set(docs) - present
    assert len(present) == 10 and len(absent) == 8

    inventory = make_driver(client).inventory.inventory()

    assert inventory.drives is not None and inventory.empty_bays is not None
    assert sorted(d.uri for d in inventory.drives) == sorted(present)  # once each
    assert sorted(b.uri for b in inventory.empty_bays) == sorted(absent)
    assert {d.id for d in inventory.drives} == {owner_qualified(u) for u in present}
    assert not inventory.incomplete
    for uri in docs:
        assert server.gets().count(uri) == 1


def test_tower_volume_members_are_drive_ids(serve) -> None:
    client, _ = serve(TOWER)
    boot = _tower(f"{TOWER_SYSTEM}/Storage/NVMeSWRAID/Volumes/Boot")

    inventory = make_driver(client).inventory.inventory()

    assert inventory.volumes is not None and inventory.drives is not None
    by_id = {v.id: v for v in inventory.volumes}
    volume = by_id["NVMeSWRAID/Boot"]
    assert volume.raid_type is RaidType(boot["RAIDType"])
    assert volume.drive_ids == tuple(owner_qualified(link["@odata.id"])
                                     for link in boot["Links"]["Drives"])
    drive_ids = {d.id for d in inventory.drives}
    assert all(set(v.drive_ids or ()) <= drive_ids for v in inventory.volumes)
