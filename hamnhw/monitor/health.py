"""One read of a node's RAID health, in the shape every monitor output uses.

The state of each volume (optimal, degraded, rebuilding with percent, failed, unknown) is the
RAID interface's classification (:meth:`RaidInterface.status() <hamnhw.interfaces.
RaidInterface.status>`, through the ``classify_health`` hook vendor drivers override); this
module only carries it to the checks, the exporter and the event listener and compares two
reads.  ``None`` means the BMC did not tell, ``()`` that it said there are none.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from hamnhw.models import Health, Volume
from hamnhw.raid import RaidStatus, VolumeHealth, VolumeState, settled


class Severity(enum.IntEnum):
    """How bad a state is: the value of ``hamnhw_volume_health`` and ``hamnhw_drive_health``."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


VOLUME_SEVERITY = {
    VolumeState.OPTIMAL: Severity.OK,
    VolumeState.DEGRADED: Severity.WARNING,
    VolumeState.REBUILDING: Severity.WARNING,
    VolumeState.FAILED: Severity.CRITICAL,
    VolumeState.UNKNOWN: Severity.UNKNOWN,
}
DRIVE_SEVERITY = {
    Health.OK: Severity.OK,
    Health.WARNING: Severity.WARNING,
    Health.CRITICAL: Severity.CRITICAL,
    Health.UNKNOWN: Severity.UNKNOWN,
}


@dataclasses.dataclass(frozen=True)
class VolumeReading:
    """One volume's classified health, with what identifies it."""

    id: str
    """Volume member id."""
    name: str | None
    """Volume name."""
    state: VolumeState
    """Classified state."""
    percent: int | None = None
    """Rebuild progress in percent while rebuilding, when the BMC tells."""
    raid_type: str | None = None
    """RAID level."""
    reason: str | None = None
    """What the classification rests on (the RAID interface's words)."""

    @property
    def severity(self) -> Severity:
        """OK, WARNING, CRITICAL or UNKNOWN."""
        return VOLUME_SEVERITY[self.state]

    @property
    def label(self) -> str:
        """The name to show: the volume's name, else its id."""
        return self.name or self.id


@dataclasses.dataclass(frozen=True)
class DriveHealth:
    """One physical drive's health."""

    id: str
    serial: str | None
    bay: str | None
    health: Health
    capacity_bytes: int | None = None

    @property
    def severity(self) -> Severity:
        """OK, WARNING, CRITICAL or UNKNOWN."""
        return DRIVE_SEVERITY[self.health]


@dataclasses.dataclass(frozen=True)
class RaidHealth:
    """Volumes and drives from one read; either None when the BMC did not tell."""

    volumes: tuple[VolumeReading, ...] | None
    drives: tuple[DriveHealth, ...] | None
    incomplete: bool = False
    """Part of the storage tree could not be read: :attr:`drives` may miss some."""

    def volume(self, volume_id: str) -> VolumeReading | None:
        """The volume with this id, if read."""
        return next((v for v in self.volumes or () if v.id == volume_id), None)


def read_raid_health(node: Any) -> RaidHealth:
    """Read ``node``'s RAID status once (volumes classified by the RAID interface).

    :raises hamnhw.errors.HamnhwError: the read failed (typed); ``UnsupportedOperation`` for
        a driver without RAID (IPMI).
    """
    return from_status(node.raid.status())


def from_status(status: RaidStatus) -> RaidHealth:
    """A :class:`RaidHealth` from a :class:`~hamnhw.raid.RaidStatus`; a volume whose members
    were not all read (an incomplete read) is unknown (:func:`hamnhw.raid.settled`)."""
    status = settled(status)
    unknown = VolumeHealth(VolumeState.UNKNOWN, reason="not classified")
    volumes = None if status.volumes is None else tuple(
        _reading(v, status.health.get(v.id, unknown)) for v in status.volumes)
    drives = None if status.drives is None else tuple(
        DriveHealth(d.id, d.serial, d.location, d.health, d.capacity_bytes)
        for d in status.drives)
    return RaidHealth(volumes, drives, status.incomplete)


def _reading(volume: Volume, health: VolumeHealth) -> VolumeReading:
    percent = health.percent if health.state is VolumeState.REBUILDING else None
    return VolumeReading(volume.id, volume.name, health.state, percent, volume.raid_type.value,
                         health.reason or None)


@dataclasses.dataclass(frozen=True)
class Change:
    """One difference between two reads of a node's RAID health."""

    kind: str
    """``volume`` or ``drive``."""
    subject: str
    """Volume id, or drive serial (its id when the serial is unknown)."""
    old: str | None
    """Previous state (None: not seen before)."""
    new: str | None
    """New state (None: gone)."""
    percent: int | None = None
    """Rebuild percent, for a rebuilding volume."""
    name: str | None = None
    """Volume name or drive bay."""


def changes(old: RaidHealth | None, new: RaidHealth) -> list[Change]:
    """What changed from ``old`` to ``new`` (every volume and drive when ``old`` is None)."""
    before = {v.id: v for v in (old.volumes or ())} if old else {}
    after = {v.id: v for v in new.volumes or ()}
    found = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was is not None and now is not None and (was.state, was.percent) == (
                now.state, now.percent):
            continue
        either = now or was
        found.append(Change("volume", key, was.state.value if was else None,
                            now.state.value if now else None, now.percent if now else None,
                            either.label if either else None))
    drives_before = {_drive_key(d): d for d in (old.drives or ())} if old else {}
    drives_after = {_drive_key(d): d for d in new.drives or ()}
    for key in sorted(set(drives_before) | set(drives_after)):
        was_d, now_d = drives_before.get(key), drives_after.get(key)
        if was_d is not None and now_d is not None and was_d.health == now_d.health:
            continue
        drive = now_d or was_d
        found.append(Change("drive", key, was_d.health.value if was_d else None,
                            now_d.health.value if now_d else None,
                            name=drive.bay if drive else None))
    return found


def _drive_key(drive: DriveHealth) -> str:
    return drive.serial or drive.id
