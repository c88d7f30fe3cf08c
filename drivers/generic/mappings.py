"""The Redfish vocabulary: Redfish property values mapped to hamnhw's plain enums.

In the style of sushy's ``mappings.py``: one table per Redfish enumeration, and a small
function that reads a raw value through it.  Core models (:mod:`hamnhw.models`) know
nothing of Redfish; every translation of a Redfish string lives here, and only drivers
import it.  Anything not in a table is the enum's UNKNOWN: a null, an empty string or
a value of the wrong case is never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from hamnhw.models import (
    BootStage,
    Health,
    LinkStatus,
    NicKind,
    NicSource,
    PowerState,
    RaidType,
)

T = TypeVar("T")

POWER_STATE: Mapping[str, PowerState] = {
    "On": PowerState.ON,
    "Off": PowerState.OFF,
    "PoweringOn": PowerState.POWERING_ON,
    "PoweringOff": PowerState.POWERING_OFF,
    "Paused": PowerState.UNKNOWN,
}
"""ComputerSystem ``PowerState``."""

HEALTH: Mapping[str, Health] = {
    "OK": Health.OK,
    "Warning": Health.WARNING,
    "Critical": Health.CRITICAL,
}
"""Resource ``Status.Health`` (and ``HealthRollup``)."""

RAID_TYPE: Mapping[str, RaidType] = {
    member.value: member for member in RaidType if member is not RaidType.UNKNOWN
}
"""Volume ``RAIDType`` (Volume >= 1.3) and StorageController ``SupportedRAIDTypes``."""

RAID_TYPE_REV: Mapping[RaidType, str] = {member: value for value, member in RAID_TYPE.items()}
"""The ``RAIDType`` string to send for a RAID level (volume creation)."""

VOLUME_TYPE: Mapping[str, RaidType] = {
    "Mirrored": RaidType.RAID1,
    "NonRedundant": RaidType.RAID0,
    "StripedWithParity": RaidType.RAID5,
    "SpannedMirrors": RaidType.RAID10,
    "SpannedStripesWithParity": RaidType.RAID50,
    "RawDevice": RaidType.NONE,
}
"""The deprecated Volume ``VolumeType``, read where ``RAIDType`` is absent."""

LINK_STATUS: Mapping[str, LinkStatus] = {
    "LinkUp": LinkStatus.UP,
    "Up": LinkStatus.UP,
    "LinkDown": LinkStatus.DOWN,
    "NoLink": LinkStatus.DOWN,
    "Down": LinkStatus.DOWN,
}
"""``LinkStatus`` of EthernetInterface (LinkUp, NoLink, LinkDown), Port (LinkUp, LinkDown...)
and the deprecated NetworkPort (Up, Down)."""

NIC_SOURCE: Mapping[str, NicSource] = {member.value: member for member in NicSource}
"""Redfish resource types a host NIC is read from."""

NIC_KIND: Mapping[str, NicKind] = {
    "Ethernet": NicKind.ETHERNET,
    "InfiniBand": NicKind.INFINIBAND,
}
"""Link technology of a port or function: NetworkDeviceFunction ``NetDevFuncType``, Port
``LinkNetworkTechnology``, the deprecated NetworkPort ``ActiveLinkTechnology``.  Other
values (``FibreChannel``, ``iSCSI``, ``GenZ``...) are no host NIC."""


def _lookup(table: Mapping[str, T], value: object, default: T) -> T:
    return table.get(value, default) if isinstance(value, str) else default


def power_state(value: object) -> PowerState:
    """Map a ``PowerState`` value; anything unexpected is UNKNOWN.

    Matching is exact (``"Off"`` only): a null, an empty string or a lower-case
    ``"off"`` from a confused BMC is not taken as off.
    """
    return _lookup(POWER_STATE, value, PowerState.UNKNOWN)


def health(value: object) -> Health:
    """Map a ``Status.Health`` value; null or unknown strings give UNKNOWN."""
    return _lookup(HEALTH, value, Health.UNKNOWN)


def raid_type(value: object, volume_type: object = None) -> RaidType:
    """Read ``RAIDType`` or, where it is absent or unknown, the deprecated ``VolumeType``."""
    found = _lookup(RAID_TYPE, value, RaidType.UNKNOWN)
    if found is RaidType.UNKNOWN:
        found = _lookup(VOLUME_TYPE, volume_type, RaidType.UNKNOWN)
    return found


def nic_kind(value: object) -> NicKind | None:
    """:data:`NIC_KIND` of a technology string; None when absent or another technology."""
    return _lookup(NIC_KIND, value, None)


def link_status(value: object) -> LinkStatus:
    """Map ``LinkStatus`` of an EthernetInterface, Port or NetworkPort."""
    return _lookup(LINK_STATUS, value, LinkStatus.UNKNOWN)


BOOT_STAGE: Mapping[str, BootStage] = {
    "None": BootStage.NONE,
    "PrimaryProcessorInitializationStarted": BootStage.POST,
    "BusInitializationStarted": BootStage.POST,
    "MemoryInitializationStarted": BootStage.POST,
    "SecondaryProcessorInitializationStarted": BootStage.POST,
    "PCIResourceConfigStarted": BootStage.POST,
    "SystemHardwareInitializationComplete": BootStage.POST_COMPLETE,
    "SetupEntered": BootStage.SETUP,
    "OSBootStarted": BootStage.OS_BOOT,
    "OSRunning": BootStage.OS_RUNNING,
}
"""ComputerSystem ``BootProgress.LastState`` (v1.13+); ``OEM`` and others are OTHER."""


def boot_stage(value: object) -> BootStage | None:
    """Map ``BootProgress.LastState``; None when absent, OTHER for OEM or unknown strings."""
    if not isinstance(value, str) or not value:
        return None
    return _lookup(BOOT_STAGE, value, BootStage.OTHER)
