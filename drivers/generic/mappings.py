"""The Redfish vocabulary: Redfish property values mapped to hamnhw's plain enums.

In the style of sushy's ``mappings.py``: one table per Redfish enumeration, and a small
function that reads a raw value through it.  Core models (:mod:`hamnhw.models`) know
nothing of Redfish; every translation of a Redfish string lives here, and only drivers
import it.  Anything not in a table is the enum's UNKNOWN: a null, an empty string or
a value of the wrong case is never guessed.  The storage vocabulary (health, RAID
level) is in :mod:`.storagemappings`, so that a power command does not load the storage
models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from hamnhw.models import BootStage, LinkStatus, NicKind, NicSource, PowerState

T = TypeVar("T")

POWER_STATE: Mapping[str, PowerState] = {
    "On": PowerState.ON,
    "Off": PowerState.OFF,
    "PoweringOn": PowerState.POWERING_ON,
    "PoweringOff": PowerState.POWERING_OFF,
    "Paused": PowerState.UNKNOWN,
}
"""ComputerSystem ``PowerState``."""

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


def lookup(table: Mapping[str, T], value: object, default: T) -> T:
    """``table[value]`` for a string ``value`` in the table, else ``default``."""
    return table.get(value, default) if isinstance(value, str) else default


def power_state(value: object) -> PowerState:
    """Map a ``PowerState`` value; anything unexpected is UNKNOWN.

    Matching is exact (``"Off"`` only): a null, an empty string or a lower-case
    ``"off"`` from a confused BMC is not taken as off.
    """
    return lookup(POWER_STATE, value, PowerState.UNKNOWN)


def nic_kind(value: object) -> NicKind | None:
    """:data:`NIC_KIND` of a technology string; None when absent or another technology."""
    return lookup(NIC_KIND, value, None)


def link_status(value: object) -> LinkStatus:
    """Map ``LinkStatus`` of an EthernetInterface, Port or NetworkPort."""
    return lookup(LINK_STATUS, value, LinkStatus.UNKNOWN)


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
    return lookup(BOOT_STAGE, value, BootStage.OTHER)
