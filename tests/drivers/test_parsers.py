"""Parsers on plain dicts: typed extraction, MACs, drives, volumes, controllers, NICs."""

from __future__ import annotations

import logging

import pytest
from hamnhw_drivers.generic import storage
from hamnhw_drivers.generic.adapters import (
    AdapterInfo,
    function_nic,
    function_port_uri,
    port_nics,
)
from hamnhw_drivers.generic.macs import normalize_mac
from hamnhw_drivers.generic.nics import parse_ethernet_interface
from hamnhw_drivers.generic.resource import Resource

from hamnhw.errors import MalformedResponse
from hamnhw.models import Health, LinkStatus, NicSource, Operation, RaidType


def res(doc: dict, uri: str = "/redfish/v1/X") -> Resource:
    return Resource(uri, doc, "bmc.test")


# -- resource layer -------------------------------------------------------------------------


def test_wrong_type_names_uri_and_json_path() -> None:
    with pytest.raises(MalformedResponse) as info:
        res({"Status": {"Health": 5}}, "/redfish/v1/Drives/1").get("Status.Health", str)

    assert info.value.uri == "/redfish/v1/Drives/1"
    assert info.value.json_path == "$.Status.Health"
    assert "bmc.test" in str(info.value)


def test_intermediate_step_of_wrong_type_is_malformed() -> None:
    with pytest.raises(MalformedResponse) as info:
        res({"Status": "OK"}).get("Status.Health", str)
    assert info.value.json_path == "$.Status"


def test_absent_and_null_read_as_none() -> None:
    resource = res({"A": None})
    assert resource.get("A", str) is None
    assert resource.get("B.C", str) is None
    assert resource.get("B", str, "default") == "default"


def test_numbers_are_not_booleans() -> None:
    with pytest.raises(MalformedResponse):
        res({"CapacityBytes": True}).get("CapacityBytes", int)


def test_members_without_odata_id_are_skipped_with_a_warning(caplog) -> None:
    collection = res({"Members": [{"@odata.id": "/a"}, {"Name": "x"}, "junk", {"@odata.id": "/b"}]},
                     "/redfish/v1/Coll")

    with caplog.at_level(logging.WARNING):
        assert collection.members() == ["/a", "/b"]

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all("/redfish/v1/Coll" in w and "@odata.id" in w for w in warnings)


def test_members_that_is_not_an_array_is_malformed() -> None:
    with pytest.raises(MalformedResponse) as info:
        res({"Members": {"@odata.id": "/a"}}).members()
    assert info.value.json_path == "$.Members"


# -- MACs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff"),
    ("aa-bb-cc-dd-ee-0f", "aa:bb:cc:dd:ee:0f"),
    ("AABB.CCDD.EEFF", "aa:bb:cc:dd:ee:ff"),
    ("aabbccddeeff", "aa:bb:cc:dd:ee:ff"),
    (" 12:44:6A:3B:04:11 ", "12:44:6a:3b:04:11"),
    ("00:00:00:00:00:00", None),
    ("ff:ff:ff:ff:ff:ff", None),
    ("FFFF.FFFF.FFFF", None),
    ("", None),
    (None, None),
    (42, None),
    ("aa:bb-cc:dd:ee:ff", None),
    ("aa:bb:cc:dd:ee", None),
    ("gg:bb:cc:dd:ee:ff", None),
])
def test_normalize_mac(raw, expected) -> None:
    assert normalize_mac(raw) == expected


def test_unusable_mac_is_skipped_with_a_warning_naming_the_interface(caplog) -> None:
    doc = {"Id": "NIC.Integrated.1-1", "MACAddress": "00:00:00:00:00:00",
           "PermanentMACAddress": "AA-BB-CC-DD-EE-01", "LinkStatus": "NoLink"}

    with caplog.at_level(logging.WARNING):
        nic = parse_ethernet_interface(res(doc))

    assert (nic.mac, nic.permanent_mac, nic.link) == (None, "aa:bb:cc:dd:ee:01", LinkStatus.DOWN)
    assert any("NIC.Integrated.1-1" in r.getMessage() for r in caplog.records)


def test_absent_permanent_mac_is_silent(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        nic = parse_ethernet_interface(res({"Id": "1", "MACAddress": "aabbccddeeff"}))
    assert nic.permanent_mac is None and nic.mac == "aa:bb:cc:dd:ee:ff"
    assert caplog.records == []


# -- chassis NIC fallback parsers ---------------------------------------------------------------


def test_device_function_with_its_port() -> None:
    function = res({"Id": "1", "Name": "Function 1",
                    "Ethernet": {"MACAddress": "00:0C:29:9A:98:ED",
                                 "PermanentMACAddress": "00:0C:29:9A:98:ED"},
                    "Links": {"PhysicalPortAssignment": {"@odata.id": "/p/1"}}})
    port = res({"Id": "1", "Name": "NIC Port 1", "LinkStatus": "LinkUp",
                "CurrentSpeedGbps": 10}, "/p/1")

    assert function_port_uri(function) == "/p/1"
    nic = function_nic(AdapterInfo("NIC1", "Slot 2"), function, port)

    assert (nic.id, nic.name, nic.mac, nic.link, nic.speed_mbps) == (
        "NIC1/1", "NIC Port 1", "00:0c:29:9a:98:ed", LinkStatus.UP, 10000)
    assert (nic.source, nic.adapter, nic.location, nic.port) == (
        NicSource.NETWORK_DEVICE_FUNCTION, "NIC1", "Slot 2", "1")


def test_network_port_mac_from_associated_addresses() -> None:
    port = res({"Id": "2", "AssociatedNetworkAddresses": ["AA:BB:CC:00:11:22"],
                "LinkStatus": "Down", "CurrentLinkSpeedMbps": 1000})

    [nic] = port_nics(AdapterInfo("NIC1", None), port, NicSource.NETWORK_PORT,
                      keep_without_mac=False)

    assert (nic.id, nic.mac, nic.link, nic.speed_mbps, nic.source) == (
        "NIC1/2", "aa:bb:cc:00:11:22", LinkStatus.DOWN, 1000, NicSource.NETWORK_PORT)


# -- storage ---------------------------------------------------------------------------------


def test_drive_location_from_physical_location_service_label() -> None:
    drive = storage.parse_drive(res({
        "Id": "Disk.Bay.0", "SerialNumber": "S1", "CapacityBytes": 480103981056.0,
        "MediaType": "SSD", "Protocol": "SATA",
        "Status": {"Health": "Critical", "State": "Enabled"},
        "PhysicalLocation": {"PartLocation": {"ServiceLabel": "Slot 0"}}}))

    assert (drive.id, drive.serial, drive.capacity_bytes, drive.media, drive.protocol) == (
        "Disk.Bay.0", "S1", 480103981056, "SSD", "SATA")
    assert (drive.health, drive.state, drive.location) == (Health.CRITICAL, "Enabled", "Slot 0")


def test_drive_location_from_deprecated_location_array() -> None:
    drive = storage.parse_drive(res({"Id": "d", "Location": [{"Info": "Bay 3",
                                                                "InfoFormat": "Bay Number"}]}))
    assert drive.location == "Bay 3"
    assert drive.serial is None and drive.health is Health.UNKNOWN


def test_drive_with_serial_of_wrong_type_is_malformed() -> None:
    with pytest.raises(MalformedResponse) as info:
        storage.parse_drive(res({"Id": "d", "SerialNumber": ["x"]}, "/d"))
    assert (info.value.uri, info.value.json_path) == ("/d", "$.SerialNumber")


def test_volume_from_raid_type_with_operation() -> None:
    volume = storage.parse_volume(res({
        "Id": "Disk.Virtual.0", "Name": "os", "RAIDType": "RAID1", "CapacityBytes": 10,
        "Status": {"Health": "Warning", "State": "Updating"},
        "Links": {"Drives": [{"@odata.id": "/S/1/Drives/Disk.Bay.0"},
                             {"@odata.id": "/S/1/Drives/Disk.Bay.1"}]},
        "Operations": [{"OperationName": "Rebuild", "PercentageComplete": 42}]}))

    assert volume.raid_type is RaidType.RAID1
    assert volume.drive_ids == ("1/Disk.Bay.0", "1/Disk.Bay.1")  # qualified by their storage
    assert volume.operation == Operation("Rebuild", 42)
    assert (volume.health, volume.state) == (Health.WARNING, "Updating")


def test_volume_from_deprecated_volume_type_without_links() -> None:
    volume = storage.parse_volume(res({"Id": "v", "VolumeType": "Mirrored",
                                       "Operations": [{"Operation": "Initialize"}]}))
    assert volume.raid_type is RaidType.RAID1
    assert volume.drive_ids is None  # no Links.Drives: the BMC does not say, not "no drives"
    assert volume.operation == Operation("Initialize", None)


def test_volume_with_empty_drive_links_lists_no_drives() -> None:
    volume = storage.parse_volume(res({"Id": "v", "RAIDType": "RAID1", "Links": {"Drives": []}}))
    assert volume.drive_ids == ()


def test_controller_raid_types_and_embedded_ids() -> None:
    storage_doc = res({"Id": "RAID.Integrated.1-1", "StorageControllers": [
        {"MemberId": "0", "Model": "PERC H740P", "FirmwareVersion": "51.0",
         "SupportedRAIDTypes": ["RAID0", "RAID1", "RAID99"], "Status": {"Health": "OK"}}]},
        "/S/RAID.Integrated.1-1")

    entries = storage.embedded_controllers(storage_doc)
    controller = storage.parse_controller(entries[0], "RAID.Integrated.1-1", 0)

    assert entries[0].uri == "/S/RAID.Integrated.1-1#/StorageControllers/0"
    assert (controller.id, controller.model, controller.firmware, controller.health) == (
        "RAID.Integrated.1-1/0", "PERC H740P", "51.0", Health.OK)
    assert controller.raid_types == (RaidType.RAID0, RaidType.RAID1)


def test_controller_without_supported_raid_types_reports_none() -> None:
    controller = storage.parse_controller(res({"Name": "HBA"}), "S", 0)
    assert controller.id == "S/0" and controller.raid_types is None
