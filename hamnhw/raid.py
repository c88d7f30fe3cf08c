"""Hardware RAID in vendor-neutral terms: what a write asks for, what it would send (the
plan), what came of it (the outcome), and how healthy a volume is.

Every write of :class:`~hamnhw.interfaces.RaidInterface` has a ``plan_*`` twin that reads
the BMC, validates, and returns a :class:`RaidPlan` without sending anything; the write
itself runs the same plan.  ``--dry-run`` and the Ansible check mode print the plan.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from typing import Any

from hamnhw.jobs import Job, JobState, JobStatus
from hamnhw.models import Drive, Health, RaidType, Volume
from hamnhw.plan import PlannedRequest  # one request a write would send, for every plan

WRITE_CACHE_POLICIES = ("WriteThrough", "ProtectedWriteBack", "UnprotectedWriteBack", "Off")
"""Redfish ``WriteCachePolicy`` values (Volume v1.4)."""


class ApplyTime(enum.StrEnum):
    """When a RAID change takes effect (Redfish ``@Redfish.OperationApplyTime``)."""

    IMMEDIATE = "immediate"
    ON_RESET = "on-reset"

    @property
    def redfish(self) -> str:
        """The Redfish value: ``Immediate`` or ``OnReset``."""
        return "Immediate" if self is ApplyTime.IMMEDIATE else "OnReset"


class VolumeState(enum.StrEnum):
    """A volume's RAID health as hamnhw reports it."""

    OPTIMAL = "optimal"
    DEGRADED = "degraded"
    REBUILDING = "rebuilding"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True)
class VolumeHealth:
    """The classified health of one volume."""

    state: VolumeState
    """Optimal, degraded, rebuilding, failed or unknown."""
    percent: int | None = None
    """Rebuild progress, when rebuilding and the BMC says."""
    reason: str = ""
    """What the classification rests on, for people."""


@dataclasses.dataclass(frozen=True)
class RaidCapabilities:
    """What one storage controller says it can do."""

    storage_id: str
    """Member id of the Storage resource."""
    uri: str | None
    """The Storage resource."""
    raid_types: tuple[RaidType, ...] | None
    """``SupportedRAIDTypes`` of its controllers; None when not reported."""
    volumes_uri: str | None
    """Its Volumes collection, where volumes are created; None when it has none."""
    apply_times: tuple[str, ...] | None
    """``@Redfish.OperationApplyTimeSupport`` ``SupportedValues`` of the Volumes collection
    (``Immediate``, ``OnReset``...); None when not advertised."""
    volume_creation: bool | None
    """True when ``@Redfish.CollectionCapabilities`` lists ``VolumeCreation``, False when it
    lists other uses only, None when the annotation is absent."""


@dataclasses.dataclass(frozen=True)
class RaidStatus:
    """One read of a node's RAID: what ``raid show`` prints."""

    capabilities: tuple[RaidCapabilities, ...] | None
    """Per storage controller; None when the BMC shows no storage."""
    volumes: tuple[Volume, ...] | None
    """Volumes; None when the BMC cannot tell."""
    drives: tuple[Drive, ...] | None
    """Physical drives; None when the BMC cannot tell."""
    health: Mapping[str, VolumeHealth]
    """Classified health by volume id."""
    spares: tuple[str, ...] | None
    """Ids of hot-spare drives (global or dedicated); None when unknown."""
    unassigned: tuple[str, ...] | None
    """Ids of present drives neither member nor spare; None when a volume does not list its
    members (then no drive can be called free)."""
    foreign: tuple[str, ...] | None
    """Ids of drives carrying another controller's configuration; None when the driver cannot
    tell (generic Redfish has no standard for it)."""
    incomplete: bool = False
    """Part of the storage tree could not be read: a member missing from :attr:`drives` may
    be unread, not failed, so such a volume is classified from its own Status only."""
    warnings: tuple[str, ...] = ()
    """What could not be read."""


@dataclasses.dataclass(frozen=True)
class CreateRequest:
    """A volume to create."""

    raid_type: RaidType
    """RAID level."""
    drive_ids: tuple[str, ...]
    """Member drive ids, as ``raid show`` lists them."""
    name: str | None = None
    """Volume name; the BMC chooses when None."""
    size_bytes: int | None = None
    """Capacity; None for the smallest member's capacity (always sent)."""
    apply_time: ApplyTime | None = None
    """None: immediately where the BMC supports it, else refused."""
    write_cache: str | None = None
    """Redfish ``WriteCachePolicy`` to ask for; None leaves the controller's default."""


@dataclasses.dataclass(frozen=True)
class RaidPlan:
    """What a write would do, decided from a fresh read, before anything is sent."""

    operation: str
    """``create``, ``delete``, ``rebuild``, ``spare`` or ``import_foreign``."""
    summary: str
    """One line for people."""
    changed: bool
    """False when the node is already in the requested state: nothing would be sent."""
    requests: tuple[PlannedRequest, ...] = ()
    """What would be sent, in order (empty when not ``changed``)."""
    pending: bool = False
    """An earlier request for the same change waits for the next reset."""
    volume_id: str | None = None
    """The volume concerned (existing or, after create, found)."""
    drive_ids: tuple[str, ...] = ()
    """The drives concerned."""
    apply_time: ApplyTime | None = None
    """When the change would take effect."""
    notes: tuple[str, ...] = ()
    """What else the operator should know (dialect chosen, fallbacks, warnings)."""
    context: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False)
    """Driver data carried from planning to execution (not printed)."""


@dataclasses.dataclass(frozen=True)
class RaidOutcome:
    """What a write did."""

    plan: RaidPlan
    """The plan it ran."""
    job: Job | None
    """The long operation it started, None when nothing was sent."""
    status: JobStatus | None
    """The job's last status read (completed, pending until a reset, running...)."""
    volume: Volume | None = None
    """The volume as read back, when there is one."""
    notes: tuple[str, ...] = ()
    """What happened beyond the plan (a dialect fallback, a read-back)."""

    @property
    def changed(self) -> bool:
        """True when something was sent and accepted."""
        return self.plan.changed

    @property
    def pending(self) -> bool:
        """True when the change waits for the next reset (the job's last status, else the
        plan's finding)."""
        if self.status is not None:
            return self.status.state is JobState.PENDING
        return self.plan.pending


# -- health -------------------------------------------------------------------------------

MIN_MEMBERS: Mapping[RaidType, int] = {
    RaidType.RAID1: 2, RaidType.RAID1E: 3, RaidType.RAID5: 3, RaidType.RAID6: 4,
    RaidType.RAID10: 4, RaidType.RAID50: 6, RaidType.RAID60: 8,
}
"""Fewest members of a complete volume of each redundant level."""
FAILED_VOLUME_STATES = frozenset({"Disabled", "UnavailableOffline"})
"""Volume ``Status.State`` values of a volume that serves no data."""
FAILED_DRIVE_STATES = frozenset({"Absent", "Disabled", "UnavailableOffline"})
"""Drive ``Status.State`` values of a member that is gone."""


def drive_failed(drive: Drive | None) -> bool:
    """True for a member that is gone: not found, absent, disabled, critical or ``Fail``."""
    return (drive is None or drive.health is Health.CRITICAL
            or drive.state in FAILED_DRIVE_STATES
            or drive.status_indicator in ("Fail", "InAFailedArray"))


def rebuild_progress(volume: Volume,
                     members: Sequence[Drive | None]) -> tuple[str, int | None] | None:
    """``(where, percent)`` of a rebuild shown by the volume or one of its members, or None."""
    if volume.operation and "rebuild" in volume.operation.name.lower():
        return "volume operation", volume.operation.percent
    for drive in members:
        if drive is None:
            continue
        if drive.operation and "rebuild" in drive.operation.name.lower():
            return f"drive {drive.id}", drive.operation.percent
        if drive.status_indicator == "Rebuild":
            return f"drive {drive.id}", None
    return None


def classify_volume(volume: Volume, members: Sequence[Drive | None] | None) -> VolumeHealth:
    """Classify a volume from its Status, its Operations, its members' Status and their
    Operations.

    :param members: the member drives as found (None where a listed member could not be
        found among the drives); None when the BMC does not list the members.
    """
    progress = rebuild_progress(volume, members or ())
    if progress is not None:
        where, percent = progress
        done = f" {percent}%" if percent is not None else ""
        return VolumeHealth(VolumeState.REBUILDING, percent, f"rebuild{done} ({where})")
    if volume.state in FAILED_VOLUME_STATES:
        return VolumeHealth(VolumeState.FAILED, reason=f"volume Status.State {volume.state}")
    if not members:
        return _from_volume_health(volume, "members not listed" if members is None
                                   else "no member drive listed")
    return _from_members(volume, members)


def _from_volume_health(volume: Volume, why: str) -> VolumeHealth:
    state = {Health.OK: VolumeState.OPTIMAL, Health.WARNING: VolumeState.DEGRADED,
             Health.CRITICAL: VolumeState.FAILED}.get(volume.health, VolumeState.UNKNOWN)
    return VolumeHealth(state, reason=f"volume health {volume.health.value}; {why}")


def _from_members(volume: Volume, members: Sequence[Drive | None]) -> VolumeHealth:
    failed = [d for d in members if drive_failed(d)]
    named = ", ".join("missing" if d is None else d.id for d in failed)
    if len(failed) == len(members):
        return VolumeHealth(VolumeState.FAILED, reason=f"every member failed ({named})")
    needed = MIN_MEMBERS.get(volume.raid_type)
    if failed and needed is None and volume.raid_type is not RaidType.UNKNOWN:
        return VolumeHealth(VolumeState.FAILED, reason=f"{volume.raid_type.value} lost {named}")
    if failed:
        return VolumeHealth(VolumeState.DEGRADED, reason=f"failed member(s): {named}")
    if needed is not None and len(members) < needed:
        return VolumeHealth(VolumeState.DEGRADED,
                            reason=f"{len(members)} of {needed} members present")
    if volume.health in (Health.WARNING, Health.CRITICAL):
        return VolumeHealth(VolumeState.DEGRADED, reason=f"volume health {volume.health.value}")
    known = [d for d in members if d is not None and d.health is not Health.UNKNOWN]
    if volume.health is Health.UNKNOWN and not known:
        return VolumeHealth(VolumeState.UNKNOWN, reason="neither the volume nor its members "
                                                        "report health")
    warned = [d.id for d in members if d is not None and d.health is Health.WARNING]
    note = f"; member health Warning: {', '.join(warned)}" if warned else ""
    return VolumeHealth(VolumeState.OPTIMAL, reason=f"all {len(members)} members healthy{note}")


@dataclasses.dataclass(frozen=True)
class ImportState:
    """What the BMC shows of foreign-configuration imports, read after a crash left one's
    fate unknown (:meth:`~hamnhw.interfaces.RaidInterface.foreign_import_state`).

    Only ``not pending and foreign_left`` means that nothing was imported and nothing waits:
    the one case in which an import may be sent again.
    """

    pending: tuple[Job, ...]
    """Jobs scheduled or running on the controllers holding the foreign drives (an import
    in flight, or another job that would refuse one): followed, never sent again."""
    foreign_left: bool
    """Drives still carry a foreign configuration (not imported)."""


@dataclasses.dataclass(frozen=True)
class RaidCheck:
    """The verdict of ``raid show --check``."""

    ok: bool
    """True only when every volume is optimal."""
    state: str
    """``optimal``, the worst volume state, ``none`` (no volume) or ``unknown``."""
    reason: str
    """Why, for people."""


_SEVERITY = (VolumeState.FAILED, VolumeState.DEGRADED, VolumeState.REBUILDING,
             VolumeState.UNKNOWN, VolumeState.OPTIMAL)


def unread_members(status: RaidStatus) -> dict[str, list[str]]:
    """Volume id -> the listed members the walk did not read (only on an incomplete read)."""
    if not status.incomplete or status.volumes is None:
        return {}
    read = {d.id for d in status.drives or ()}
    found = {v.id: [m for m in v.drive_ids or () if m not in read] for v in status.volumes}
    return {vid: members for vid, members in found.items() if members}


def settled(status: RaidStatus) -> RaidStatus:
    """``status`` with each volume whose members were not all read made ``unknown``: a
    partial read never passes as fact (the volume's own Status alone cannot say the mirror
    is whole).  A worse state read from what was read stays."""
    unread = unread_members(status)
    if not unread:
        return status
    health = dict(status.health)
    for vid, members in unread.items():
        was = health.get(vid, VolumeHealth(VolumeState.UNKNOWN))
        if was.state in (VolumeState.OPTIMAL, VolumeState.UNKNOWN):
            health[vid] = VolumeHealth(VolumeState.UNKNOWN, reason=(
                f"member(s) {', '.join(members)} not read (incomplete read); as read: "
                f"{was.state.value}, {was.reason}"))
    return dataclasses.replace(status, health=health)


def check(status: RaidStatus) -> RaidCheck:
    """Every volume optimal: ok; anything else (a degraded, rebuilding, failed or unknown
    volume, no volume at all, or a BMC that cannot tell) is not; an incomplete read is never
    ok (``unknown`` unless what was read is worse)."""
    verdict = _check_volumes(settled(status))
    if not status.incomplete:
        return verdict
    why = f"incomplete read ({'; '.join(status.warnings) or 'not said'})"
    if verdict.ok:
        return RaidCheck(False, VolumeState.UNKNOWN.value, f"{why}; as read: {verdict.reason}")
    return dataclasses.replace(verdict, reason=f"{verdict.reason}; {why}")


def _check_volumes(status: RaidStatus) -> RaidCheck:
    if status.volumes is None:
        return RaidCheck(False, "unknown", "the BMC does not tell which volumes exist")
    if not status.volumes:
        return RaidCheck(False, "none", "no RAID volume exists")
    states = {v.id: status.health.get(v.id, VolumeHealth(VolumeState.UNKNOWN)) for v in
              status.volumes}
    worst = min(states.values(), key=lambda h: _SEVERITY.index(h.state))
    if worst.state is VolumeState.OPTIMAL:
        return RaidCheck(True, "optimal", f"{len(states)} volume(s) optimal")
    bad = [f"{vid}: {h.state.value} ({h.reason})" for vid, h in states.items()
           if h.state is not VolumeState.OPTIMAL]
    return RaidCheck(False, worst.state.value, "; ".join(bad))
