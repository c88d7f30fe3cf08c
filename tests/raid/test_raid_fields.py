"""The RAID fields of drive and volume documents: spares, cache policy, drive operations."""

from __future__ import annotations

from hamnhw_drivers.generic import storage
from hamnhw_drivers.generic.resource import Resource

from hamnhw.models import Operation

STO = "/redfish/v1/Systems/1/Storage/1"


def test_drive_spare_indicator_and_rebuild_operation() -> None:
    drive = storage.parse_drive(Resource(f"{STO}/Drives/D3", {
        "Id": "D3", "HotspareType": "Dedicated", "StatusIndicator": "Rebuild",
        "Operations": [{"Operation": "Rebuild", "PercentageComplete": 37}]}))
    assert (drive.hotspare, drive.status_indicator) == ("Dedicated", "Rebuild")
    assert drive.operation == Operation("Rebuild", 37)


def test_drive_without_raid_fields_says_nothing() -> None:
    drive = storage.parse_drive(Resource(f"{STO}/Drives/D1", {"Id": "D1"}))
    assert (drive.hotspare, drive.status_indicator, drive.operation) == (None, None, None)


def test_volume_dedicated_spares_and_write_cache() -> None:
    volume = storage.parse_volume(Resource(f"{STO}/Volumes/V1", {
        "Id": "V1", "RAIDType": "RAID1", "WriteCachePolicy": "ProtectedWriteBack",
        "Links": {"Drives": [{"@odata.id": f"{STO}/Drives/D1"}],
                  "DedicatedSpareDrives": [{"@odata.id": f"{STO}/Drives/D3"}]}}))
    assert volume.write_cache_policy == "ProtectedWriteBack"
    assert volume.spare_drive_ids == ("1/D3",)  # qualified by its storage, like members


def test_volume_without_spare_links_is_unknown_not_none() -> None:
    volume = storage.parse_volume(Resource(f"{STO}/Volumes/V1", {
        "Id": "V1", "Links": {"Drives": [], "DedicatedSpareDrives": []}}))
    assert volume.spare_drive_ids == ()
    bare = storage.parse_volume(Resource(f"{STO}/Volumes/V2", {"Id": "V2"}))
    assert (bare.spare_drive_ids, bare.write_cache_policy) == (None, None)
