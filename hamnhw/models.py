"""Vendor-neutral data model: frozen dataclasses and enums.

Every driver translates what its BMC says into these types; nothing above the
driver layer sees Redfish JSON or IPMI bytes.  ``None`` always means "the BMC
did not tell us" and is never used for "there are none": an empty tuple is a
positive statement that the BMC reported nothing.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any


class PowerState(enum.StrEnum):
    """Host power state as hamnhw reports it."""

    ON = "on"
    OFF = "off"
    POWERING_ON = "powering_on"
    POWERING_OFF = "powering_off"
    UNKNOWN = "unknown"

    @classmethod
    def from_redfish(cls, value: object) -> PowerState:
        """Map a Redfish ``PowerState`` value; anything unexpected is UNKNOWN.

        Matching is exact (``"Off"`` only): a null, an empty string or a
        lower-case ``"off"`` from a confused BMC is not taken as off.
        """
        return _REDFISH_POWER.get(value, cls.UNKNOWN) if isinstance(value, str) else cls.UNKNOWN


_REDFISH_POWER = {
    "On": PowerState.ON,
    "Off": PowerState.OFF,
    "PoweringOn": PowerState.POWERING_ON,
    "PoweringOff": PowerState.POWERING_OFF,
    "Paused": PowerState.UNKNOWN,
}


class Health(enum.StrEnum):
    """Redfish ``Status.Health`` rolled into four values."""

    OK = "OK"
    WARNING = "Warning"
    CRITICAL = "Critical"
    UNKNOWN = "unknown"

    @classmethod
    def from_redfish(cls, value: object) -> Health:
        """Map a Redfish health string; null or unknown strings give UNKNOWN."""
        for member in (cls.OK, cls.WARNING, cls.CRITICAL):
            if value == member.value:
                return member
        return cls.UNKNOWN


class RaidType(enum.StrEnum):
    """RAID level, valued as the Redfish ``RAIDType`` strings."""

    RAID0 = "RAID0"
    RAID1 = "RAID1"
    RAID1E = "RAID1E"
    RAID5 = "RAID5"
    RAID6 = "RAID6"
    RAID10 = "RAID10"
    RAID50 = "RAID50"
    RAID60 = "RAID60"
    NONE = "None"
    UNKNOWN = "unknown"

    @classmethod
    def from_redfish(cls, raid_type: object, volume_type: object = None) -> RaidType:
        """Read ``RAIDType`` or, on older schemas, the deprecated ``VolumeType``."""
        for member in cls:
            if raid_type == member.value and member is not cls.UNKNOWN:
                return member
        return _VOLUME_TYPE.get(volume_type, cls.UNKNOWN) if isinstance(volume_type, str) else (
            cls.UNKNOWN)


_VOLUME_TYPE = {
    "Mirrored": RaidType.RAID1,
    "NonRedundant": RaidType.RAID0,
    "StripedWithParity": RaidType.RAID5,
    "SpannedMirrors": RaidType.RAID10,
    "SpannedStripesWithParity": RaidType.RAID50,
    "RawDevice": RaidType.NONE,
}


class LinkStatus(enum.StrEnum):
    """Link state of a NIC port."""

    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"


class BootSource(enum.StrEnum):
    """Boot override targets, valued as Redfish ``BootSourceOverrideTarget``."""

    NONE = "None"
    PXE = "Pxe"
    HDD = "Hdd"
    CD = "Cd"
    USB = "Usb"
    BIOS_SETUP = "BiosSetup"


class BootOverrideMode(enum.StrEnum):
    """Redfish ``BootSourceOverrideEnabled``."""

    DISABLED = "Disabled"
    ONCE = "Once"
    CONTINUOUS = "Continuous"


class PowerRestorePolicy(enum.StrEnum):
    """What the host does when AC power returns (Redfish ``PowerRestorePolicy``)."""

    ALWAYS_ON = "AlwaysOn"
    ALWAYS_OFF = "AlwaysOff"
    LAST_STATE = "LastState"


@dataclasses.dataclass(frozen=True)
class Operation:
    """A long-running operation on a volume (rebuild, initialize, ...)."""

    name: str
    """Operation name as the BMC reports it, e.g. ``Rebuild``."""
    percent: int | None
    """Completion percentage, or None when the BMC does not say."""


@dataclasses.dataclass(frozen=True)
class System:
    """The host computer a BMC manages."""

    id: str
    """Redfish member id (``Systems/<id>``)."""
    uri: str | None
    """Resource URI on the BMC."""
    manufacturer: str | None
    """Vendor name as the BMC reports it."""
    model: str | None
    """Product model."""
    serial: str | None
    """Chassis or system serial number."""
    uuid: str | None
    """SMBIOS system UUID."""
    bios_version: str | None
    """Firmware (BIOS/UEFI) version."""
    power_state: PowerState = PowerState.UNKNOWN
    """Power state at the time of reading."""


@dataclasses.dataclass(frozen=True)
class Manager:
    """The BMC itself."""

    id: str
    """Redfish member id (``Managers/<id>``)."""
    uri: str | None
    """Resource URI on the BMC."""
    model: str | None
    """BMC model, e.g. ``iDRAC 9``."""
    firmware: str | None
    """BMC firmware version."""


@dataclasses.dataclass(frozen=True)
class Nic:
    """One host network port as the BMC sees it."""

    id: str
    """Member id of the interface or port."""
    name: str | None
    """Name the BMC gives the port, if any."""
    mac: str | None
    """Current MAC, lower-case colon form; None if the BMC gave none usable."""
    permanent_mac: str | None
    """Burned-in MAC, lower-case colon form, or None."""
    link: LinkStatus = LinkStatus.UNKNOWN
    """Link state."""
    speed_mbps: int | None = None
    """Negotiated speed in Mbit/s, or None."""
    uri: str | None = None
    """Resource URI on the BMC."""


@dataclasses.dataclass(frozen=True)
class Drive:
    """A physical disk."""

    id: str
    """Member id of the drive."""
    uri: str | None
    """Resource URI on the BMC."""
    serial: str | None
    """Drive serial number: the identity used to follow a disk between nodes."""
    model: str | None
    """Drive model."""
    capacity_bytes: int | None
    """Raw capacity in bytes."""
    media: str | None
    """``HDD`` or ``SSD``, as Redfish ``MediaType``."""
    protocol: str | None
    """``SAS``, ``SATA``, ``NVMe``... as Redfish ``Protocol``."""
    health: Health = Health.UNKNOWN
    """Rolled-up health."""
    state: str | None = None
    """Redfish ``Status.State`` (``Enabled``, ``Absent``...)."""
    location: str | None = None
    """Bay or slot label, where the BMC reports one."""
    hotspare: str | None = None
    """Redfish ``HotspareType`` (Drive >= 1.5): ``None`` (not a spare), ``Global``,
    ``Dedicated`` or ``Chassis``; Python None when the BMC does not say."""
    status_indicator: str | None = None
    """Redfish ``StatusIndicator``: ``OK``, ``Fail``, ``Rebuild``, ``Hotspare``,
    ``InACriticalArray``, ``InAFailedArray``, ``PredictiveFailureAnalysis``..."""
    operation: Operation | None = None
    """Running operation on the drive (a rebuild onto it), or None."""


@dataclasses.dataclass(frozen=True)
class Volume:
    """A logical disk built by a RAID controller."""

    id: str
    """Member id of the volume."""
    uri: str | None
    """Resource URI on the BMC."""
    name: str | None
    """Volume name."""
    raid_type: RaidType
    """RAID level."""
    capacity_bytes: int | None
    """Usable capacity in bytes."""
    health: Health = Health.UNKNOWN
    """Rolled-up health."""
    state: str | None = None
    """Redfish ``Status.State``."""
    drive_ids: tuple[str, ...] | None = None
    """Member ids of the drives the volume is built from; None when the BMC does not list them."""
    operation: Operation | None = None
    """Running operation (rebuild...), or None."""
    write_cache_policy: str | None = None
    """Redfish ``WriteCachePolicy`` (Volume >= 1.4): ``WriteThrough``,
    ``ProtectedWriteBack``, ``UnprotectedWriteBack`` or ``Off``; None when not reported."""
    spare_drive_ids: tuple[str, ...] | None = None
    """Ids of the volume's dedicated hot spares (``Links.DedicatedSpareDrives``); None when
    the BMC does not list them."""


@dataclasses.dataclass(frozen=True)
class StorageController:
    """A storage (RAID or HBA) controller."""

    id: str
    """Member id of the storage resource or controller."""
    uri: str | None
    """Resource URI on the BMC."""
    name: str | None
    """Controller name."""
    model: str | None = None
    """Controller model."""
    firmware: str | None = None
    """Controller firmware version."""
    health: Health = Health.UNKNOWN
    """Rolled-up health."""
    raid_types: tuple[RaidType, ...] | None = None
    """RAID levels the controller supports, or None if not reported."""


@dataclasses.dataclass(frozen=True)
class Inventory:
    """Everything the inventory interface reads in one go."""

    system: System
    """The host."""
    manager: Manager | None
    """The BMC, or None when not reported."""
    controllers: tuple[StorageController, ...] | None
    """Storage controllers; None when the BMC shows no storage at all."""
    drives: tuple[Drive, ...] | None
    """Physical drives; None when the BMC cannot tell."""
    volumes: tuple[Volume, ...] | None
    """Logical volumes; None when the BMC cannot tell."""


@dataclasses.dataclass(frozen=True)
class BootOverride:
    """The current boot source override."""

    target: BootSource
    """Where the host boots next."""
    mode: BootOverrideMode
    """Once, continuous, or disabled."""


@dataclasses.dataclass(frozen=True)
class PowerResult:
    """Outcome of a power request, after waiting (or not) for the target."""

    power_state: PowerState
    """State read back at the end."""
    changed: bool
    """False when the node was already in the target state."""
    elapsed_s: float
    """Seconds spent, request and polling included."""
    confirmed: bool = True
    """True when the target state was confirmed by the required reads; False with wait=False
    (``power_state`` is then the state as read once)."""


@dataclasses.dataclass(frozen=True)
class Detection:
    """Which driver was chosen for a BMC, and why."""

    driver: str
    """Entry-point name of the driver."""
    reason: str
    """Human-readable reason, e.g. ``ServiceRoot Vendor 'Dell'``."""


def to_jsonable(value: Any) -> Any:
    """Convert models (recursively) to plain JSON types; enums become their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v) for v in value]
    return value
