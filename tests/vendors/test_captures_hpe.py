"""The iLO 5 Smart Array samples published in proliantutils 2.16.3 (some files are dicts of
several named samples), parsed by the HPE driver with their values asserted (read from the
cache, never copied here)."""

from __future__ import annotations

from captures import FakeClient, hpe, hpe_tree
from hamnhw_drivers.generic.resource import Reader, Resource
from hamnhw_drivers.generic.storage import parse_drive, parse_volume
from hamnhw_drivers.hpe import settings, smartstorage
from hamnhw_drivers.hpe.inventory import HpeNics

from hamnhw.jobs import JobState
from hamnhw.models import Health, RaidType

MIB = 1024 * 1024
CTRL = "/redfish/v1/Systems/1/SmartStorage/ArrayControllers/0/"


def test_array_controller() -> None:
    doc = hpe("array_controller.json")
    controller = smartstorage.parse_controller(Resource(doc["@odata.id"], doc))
    assert (controller.id, controller.model, controller.firmware, controller.health) == (
        "SmartArray.0", "HPE Smart Array P408i-a SR Gen10", "0.01-808", Health.WARNING)


def test_disk_drives_every_named_sample() -> None:
    samples = hpe("disk_drive.json")
    assert set(samples) == {"disk-erase-progress", "disk-erase-completed", "drive1", "drive2"}
    drives = {name: smartstorage.parse_disk(Resource(doc["@odata.id"], doc), "SmartArray.0")
              for name, doc in samples.items()}
    one, two = drives["drive1"], drives["drive2"]
    assert (one.id, one.serial, one.location, one.capacity_bytes) == (
        "SmartArray.0/1I:0:1", "KWGER73R", "1I:0:1", 572325 * MIB)
    assert (one.media, one.protocol, one.health, one.model) == ("HDD", "SAS", Health.WARNING,
                                                                 "EG0600FBVFP")
    assert (two.media, two.model, two.hotspare) == ("SSD", "EG0600FBVFX", "None")
    erasing = drives["disk-erase-progress"]
    assert (erasing.serial, erasing.location, erasing.capacity_bytes, erasing.health) == (
        None, "1I:2:3", 1144641 * MIB, Health.UNKNOWN)


def test_logical_drives_every_named_sample() -> None:
    samples = hpe("logical_drive.json")
    volumes = {name: smartstorage.parse_logical(Resource(doc["@odata.id"], doc),
                                                "SmartArray.0", None, None)
               for name, doc in samples.items()}
    assert volumes["logical_drive1"].raid_type is RaidType.RAID0
    second = volumes["logical_drive2"]
    assert (second.raid_type, second.capacity_bytes, second.health, second.name) == (
        RaidType.RAID1, 953837 * MIB, Health.OK, "019D4217PWDRE0XRH57093 7DA4")


def test_smart_storage_config_settings() -> None:
    config = hpe("smart_storage_config.json")
    time, messages = settings.settings_outcome(config)
    assert (time, messages) == ("2017-10-31T12:12:35+00:00",
                                ("SmartStorageMessages.2.0.0.Success",))
    assert settings.applied_status(messages).state is JobState.COMPLETED
    assert settings.pending_drives(config) == []  # every entry names its VolumeUniqueIdentifier
    entry = config["LogicalDrives"][0]
    assert smartstorage.raid_level(entry["Raid"]) is RaidType.RAID0
    assert entry["VolumeUniqueIdentifier"] == "600508B1001C045A9BAAC9F4F49498AE"


def test_whole_smart_storage_tree_read_from_the_samples() -> None:
    """The samples' two logical drives share an id (``1``) and a VolumeUniqueIdentifier, their
    two disks a location (``1I:0:1``) and a serial: every id stays unique, each clash is
    reported, and the controller is marked so that nothing is written through it."""
    docs = hpe_tree()
    system = docs["/redfish/v1/Systems/1/"]
    resource = Resource(system["@odata.id"], system)
    assert smartstorage.config_uris(resource) == ["/redfish/v1/systems/1/smartstorageconfig/"]
    view = smartstorage.read(Reader(FakeClient(docs)), resource)
    assert view is not None
    assert [c.model for c in view.controllers] == ["HPE Smart Array P408i-a SR Gen10"]
    assert [(v.id, v.raid_type) for v in view.volumes] == [
        ("SmartArray.0/LogicalDrive.1", RaidType.RAID0),
        ("SmartArray.0/LogicalDrive.1@2", RaidType.RAID1)]
    assert all(v.drive_ids is None for v in view.volumes)  # DataDrives not published
    assert [(d.id, d.serial) for d in view.drives] == [("SmartArray.0/1I:0:1", "KWGER73R"),
                                                       ("SmartArray.0/1I:0:1@4", "KWGER73R")]
    info = view.storages[0]
    assert info.ambiguous == view.warnings == (
        f"disk SmartArray.0/1I:0:1 is shown twice (the second at {CTRL}DiskDrives/4/)",
        "VolumeUniqueIdentifier 600508B1001CC8EF62AC74E1ABD407C1 is shown by two logical "
        "drives of SmartArray.0",
        "logical drive SmartArray.0/LogicalDrive.1 is shown twice (the second at "
        f"{CTRL}LogicalDrives/2/)")
    assert info.settings_uri == "/redfish/v1/systems/1/smartstorageconfig/settings/"
    assert info.capabilities.apply_times == ("OnReset",)


def test_host_nics_linked_only_under_oem_hpe() -> None:
    system = hpe("system.json")["System_for_oem_ethernet_interfaces"]
    resource = Resource(system["@odata.id"], system)
    assert resource.link("EthernetInterfaces") is None
    nics = object.__new__(HpeNics)  # the hook reads only the system document
    assert nics.interfaces_uri(resource) == "/redfish/v1/Systems/1/EthernetInterfaces/"


def test_standard_storage_samples_through_rde_parsers() -> None:
    volume = hpe("volume.json")
    parsed = parse_volume(Resource(volume["@odata.id"], volume))
    assert (parsed.raid_type, parsed.capacity_bytes, parsed.drive_ids) == (
        RaidType.RAID1, 899527000000, ("1/3F5A8C54207B7233", "1/35D38F11ACEF7BD3"))
    drives = hpe("drive.json")
    assert {name: parse_drive(Resource(doc["@odata.id"], doc)).protocol
            for name, doc in drives.items()} == {"drive1": "SAS", "drive2": "NVMe",
                                                 "drive3": "SAS"}
    assert parse_drive(Resource(drives["drive1"]["@odata.id"], drives["drive1"])).serial == \
        "1234567"
