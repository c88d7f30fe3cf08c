"""The Redfish vocabulary (drivers/generic/mappings.py): exact strings only, else UNKNOWN;
and placeholder values read as unknown."""

from __future__ import annotations

import pytest
from hamnhw_drivers.generic import mappings, storagemappings

from hamnhw.models import Health, LinkStatus, NicSource, PowerState, RaidType
from hamnhw.placeholders import known_text, known_uuid, placeholder_mac


@pytest.mark.parametrize(
    ("value", "state"),
    [
        ("On", PowerState.ON),
        ("Off", PowerState.OFF),
        ("PoweringOff", PowerState.POWERING_OFF),
        ("PoweringOn", PowerState.POWERING_ON),
        ("Paused", PowerState.UNKNOWN),
        ("off", PowerState.UNKNOWN),
        (None, PowerState.UNKNOWN),
        ("", PowerState.UNKNOWN),
        (0, PowerState.UNKNOWN),
    ],
)
def test_power_state_is_exact(value: object, state: PowerState) -> None:
    assert mappings.power_state(value) is state


def test_raid_type_prefers_raidtype_then_volumetype() -> None:
    assert storagemappings.raid_type("RAID1", "NonRedundant") is RaidType.RAID1
    assert storagemappings.raid_type(None, "Mirrored") is RaidType.RAID1
    assert storagemappings.raid_type("RAID99", "StripedWithParity") is RaidType.RAID5
    assert storagemappings.raid_type(None, None) is RaidType.UNKNOWN
    assert storagemappings.raid_type("unknown", None) is RaidType.UNKNOWN
    assert storagemappings.RAID_TYPE_REV[RaidType.RAID1] == "RAID1"
    assert RaidType.UNKNOWN not in storagemappings.RAID_TYPE_REV


def test_health_mapping() -> None:
    assert storagemappings.health("Critical") is Health.CRITICAL
    assert storagemappings.health("ok") is Health.UNKNOWN
    assert storagemappings.health(None) is Health.UNKNOWN


@pytest.mark.parametrize(("value", "link"), [
    ("LinkUp", LinkStatus.UP), ("Up", LinkStatus.UP), ("NoLink", LinkStatus.DOWN),
    ("LinkDown", LinkStatus.DOWN), ("Down", LinkStatus.DOWN), ("Starting", LinkStatus.UNKNOWN),
    (None, LinkStatus.UNKNOWN)])
def test_link_status_of_every_schema(value: object, link: LinkStatus) -> None:
    assert mappings.link_status(value) is link


def test_nic_sources_are_the_redfish_resource_types() -> None:
    assert sorted(mappings.NIC_SOURCE) == ["EthernetInterface", "NetworkDeviceFunction",
                                           "NetworkPort", "Port"]
    assert mappings.NIC_SOURCE["Port"] is NicSource.PORT


@pytest.mark.parametrize("value", [
    None, "", "   ", "To Be Filled By O.E.M.", "to be filled by o.e.m.", "Not Specified",
    "N/A", "Default string", "  NA ", 42])
def test_placeholder_texts_are_unknown(value: object) -> None:
    assert known_text(value) is None


def test_real_text_is_kept_stripped() -> None:
    assert known_text(" SIM1234 ") == "SIM1234"


@pytest.mark.parametrize(("value", "expected"), [
    ("00000000-0000-0000-0000-000000000000", None),
    ("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", None),
    ("ffffffff-ffff-ffff-ffff-ffffffffffff", None),
    ("Not Specified", None),
    ("4c4c4544-0051-3010-8052-b5c04f4d3532", "4c4c4544-0051-3010-8052-b5c04f4d3532"),
])
def test_placeholder_uuids_are_unknown(value: str, expected: str | None) -> None:
    assert known_uuid(value) == expected


def test_placeholder_macs() -> None:
    assert placeholder_mac("000000000000") and placeholder_mac("FFFFFFFFFFFF")
    assert not placeholder_mac("02aabbccddee")
