"""Vendor-neutral storage model: health, RAID levels, drives, volumes and controllers.

Part of :mod:`hamnhw.models` (which re-exports every name here, so
``from hamnhw.models import Drive`` keeps working).  ``None`` means the BMC did not
tell; an empty tuple means it said there are none.
"""

from __future__ import annotations

import dataclasses
import enum


class Health(enum.StrEnum):
    """Redfish ``Status.Health`` rolled into four values."""

    OK = "OK"
    WARNING = "Warning"
    CRITICAL = "Critical"
    UNKNOWN = "unknown"


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


@dataclasses.dataclass(frozen=True)
class Operation:
    """A long-running operation on a volume (rebuild, initialize, ...)."""

    name: str
    """Operation name as the BMC reports it, e.g. ``Rebuild``."""
    percent: int | None
    """Completion percentage, or None when the BMC does not say."""


@dataclasses.dataclass(frozen=True)
class Drive:
    """A physical disk."""

    id: str
    """Id unique on the node and stable: qualified by its owner, ``<storage id>/<drive id>``
    for a drive under a Storage, ``<chassis id>/<drive id>`` for one under a chassis
    (``<simple storage id>/<device name>`` for a SimpleStorage device).  Opaque to callers:
    use :attr:`uri` to link to the drive."""
    uri: str | None
    """Resource URI on the BMC (None for a SimpleStorage device, which has none)."""
    serial: str | None
    """Drive serial number: the identity used to follow a disk between nodes; None when the
    BMC shows none or a placeholder (blank, ``N/A``, ``To Be Filled By O.E.M.``...)."""
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
    """Redfish ``Status.State`` (``Enabled``, ``Disabled``...); an ``Absent`` drive is an
    :class:`EmptyBay`, never a Drive."""
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
class EmptyBay:
    """A drive bay the BMC shows with no drive in it (``Status.State`` ``Absent``)."""

    id: str
    """Id of the placeholder resource, qualified like :attr:`Drive.id`."""
    uri: str | None
    """Resource URI of the placeholder, or None."""
    location: str | None
    """Bay label (``Bay 3``), where the BMC reports one."""


@dataclasses.dataclass(frozen=True)
class Volume:
    """A logical disk built by a RAID controller."""

    id: str
    """Id unique on the node: ``<storage id>/<volume id>``."""
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
    """:attr:`Drive.id` of each drive the volume is built from; None when the BMC does not
    list them."""
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
