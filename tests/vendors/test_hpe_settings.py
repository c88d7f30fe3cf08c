"""What the SmartStorageConfig pending settings hold (``settings.pending_changes``), and the
bodies hamnhw writes there, without a BMC."""

from __future__ import annotations

from captures import hpe
from hamnhw_drivers.hpe import settings

VUID = "600508B1001C045A9BAAC9F4F49498AE"


def test_settings_mirroring_the_current_configuration_hold_nothing() -> None:
    config = hpe("smart_storage_config.json")  # the published iLO 5 sample
    assert settings.pending_changes(config, config) == []
    assert config["LogicalDrives"][0]["VolumeUniqueIdentifier"] == VUID


def test_each_kind_of_pending_change_is_named() -> None:
    config = hpe("smart_storage_config.json")
    create = settings.create_body("RAID1", ["1I:1:3", "1I:1:4"], None, "data")
    assert settings.pending_changes(create, config) == [
        "creation of a Raid1 logical drive over 1I:1:3, 1I:1:4"]
    assert settings.pending_changes(settings.delete_body(VUID), config) == [
        f"LogicalDriveDelete of logical drive {VUID}"]
    assert settings.pending_changes(settings.spares_body(VUID, ["1I:1:5"]), config) == [
        f"spares of logical drive {VUID} set to 1I:1:5"]
    assert settings.pending_changes({"DataGuard": "Disabled", "LogicalDrives": []},
                                    config) == [
        f"deletion of logical drive {VUID} (omitted with DataGuard Disabled)"]
    erase = {"Actions": [{"Action": "PhysicalDriveErase"}], "DataGuard": "Disabled"}
    assert settings.pending_changes(erase, config) == ["controller action PhysicalDriveErase"]


def test_create_body_is_permissive_and_as_large_as_possible() -> None:
    body = settings.create_body("RAID1", ["1I:1:3", "1I:1:4"], None, None)
    assert body == {"DataGuard": "Permissive", "LogicalDrives": [
        {"Raid": "Raid1", "DataDrives": ["1I:1:3", "1I:1:4"], "CapacityGiB": -1}]}
    sized = settings.create_body("RAID1", ["1I:1:3", "1I:1:4"], 3 * 2**30 - 1, None)
    assert sized["LogicalDrives"][0]["CapacityGiB"] == 2
