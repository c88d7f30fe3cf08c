"""RAID semantics of one simulated server: volumes created now, after a task, or at the next
reset; failed drives; hot spares taking over a lost member by themselves; rebuilds whose
progress follows the injected clock.

Volumes, failures and global spares live in the cluster's :class:`~hamnhw.sim.bays.DriveBays`
(they travel with the disks); creates waiting for a reset belong to the server.  Time moves
only when the clock is read: :meth:`ServerRaid.settle` applies what is due (a finished task,
a finished rebuild, a spare to take over) before anything is shown or changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hamnhw.sim.bays import BayError, VolumeSpec
from hamnhw.sim.spec import DriveSpec

if TYPE_CHECKING:
    from hamnhw.sim.raidspec import RaidSpec
    from hamnhw.sim.state import ServerState, Task

REDUNDANT = {"RAID1": 2}
"""Members of a complete volume, per level the simulator builds (RAID0 has no redundancy)."""


@dataclasses.dataclass
class CreateJob:
    """A create accepted but not applied yet."""

    volume: VolumeSpec
    """The volume it makes."""
    due: float | None
    """When it applies; None: at the next reset."""
    task: Task | None = None
    """Its task, when the answer was 202."""
    outcome: str | None = None
    """``None`` while waiting, ``"done"``, or the reason it failed."""
    started: float = 0.0


class ServerRaid:
    """RAID state and rules of one simulated server (``state.raid``)."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.jobs: list[CreateJob] = []
        self.scheduled: list[tuple[float, Callable[[], object]]] = []
        """``(time, action)`` pairs applied when their time comes (a delete task)."""

    @property
    def spec(self) -> RaidSpec:
        """This BMC's RAID behaviour."""
        return self.state.spec.raid

    @property
    def bays(self) -> Any:
        """The cluster's drive bays (volumes, failures, global spares)."""
        return self.state.bays

    def now(self) -> float:
        """The simulator clock."""
        return self.state.clock()

    # -- drives ----------------------------------------------------------------------------
    def present(self) -> dict[str, DriveSpec]:
        """Drives physically in this server's bays, by serial."""
        return {d.serial: d for d in self.bays.drives_of(self.state.spec.name)}

    def fail_drive(self, serial: str) -> None:
        """Fail a drive of this server (its volume degrades; a spare may take over)."""
        if serial not in self.present():
            raise BayError(f"no drive with serial {serial!r} in {self.state.spec.name!r}")
        volume = self.member_of(serial)
        self.settle()  # what was due before the failure (a rebuild that ended) applies first
        with self.bays.lock:
            self.bays.failed.add(serial)
        self.settle()
        # the BMC tells after the controller noticed: a read on the event shows the failure
        self.state.storage_event("drive_failed", serial=serial)
        if volume is not None:
            lost = all(self.lost(member) for member in volume.members)
            self.state.storage_event("volume_failed" if lost else "volume_degraded",
                                     volume_id=volume.id)

    def lost(self, serial: str) -> bool:
        """A member that is failed, or pulled and not inserted anywhere."""
        return serial in self.bays.failed or self.bays.locate(serial) is None

    def member_of(self, serial: str) -> VolumeSpec | None:
        """The volume the drive is a member of."""
        return next((v for v in self.bays.volumes if serial in v.members), None)

    def dedicated_of(self, serial: str) -> VolumeSpec | None:
        """The volume the drive is a dedicated spare of."""
        return next((v for v in self.bays.volumes if serial in v.spares), None)

    def hotspare_type(self, serial: str) -> str:
        """Redfish ``HotspareType`` of a drive."""
        if self.dedicated_of(serial) is not None:
            return "Dedicated"
        return str(self.bays.hotspares.get(serial, "None"))

    def in_use(self, serial: str, volume: VolumeSpec | None = None) -> str | None:
        """Why the drive cannot take a new role (``volume``: the volume it would serve),
        or None."""
        member = self.member_of(serial)
        if member is not None:
            return f"is a member of {member.id}"
        dedicated = self.dedicated_of(serial)
        if dedicated is not None and dedicated is not volume:
            return f"is a dedicated spare of {dedicated.id}"
        if serial in self.bays.hotspares:
            return "is a global hot spare"
        if serial in self.bays.failed:
            return "has failed"
        return None

    def set_hotspare(self, serial: str, kind: str) -> None:
        """``Global`` makes the drive a global spare, ``None`` ends it."""
        with self.bays.lock:
            if kind == "Global":
                self.bays.hotspares[serial] = "Global"
            else:
                self.bays.hotspares.pop(serial, None)
        self.settle()

    def set_dedicated(self, volume: VolumeSpec, serials: tuple[str, ...]) -> None:
        """Replace the volume's dedicated spares."""
        with self.bays.lock:
            volume.spares = serials
        self.settle()

    # -- rebuild ---------------------------------------------------------------------------
    def rebuild_percent(self, volume: VolumeSpec) -> int | None:
        """Progress of the volume's running rebuild, or None."""
        if volume.rebuild is None:
            return None
        elapsed = self.now() - volume.rebuild[1]
        return max(0, min(100, int(elapsed * 100 / self.spec.rebuild_seconds)))

    def settle(self) -> None:
        """Apply what is due now: creates whose time came, finished rebuilds, spares taking
        over lost members."""
        with self.bays.lock:
            now = self.now()
            for job in [j for j in self.jobs if j.due is not None and j.due <= now]:
                self._apply(job)
            for due, action in [s for s in self.scheduled if s[0] <= now]:
                self.scheduled.remove((due, action))
                action()
            present = self.present()
            for volume in self.bays.volumes_on(set(present)):
                if volume.rebuild is not None and (self.rebuild_percent(volume) or 0) >= 100:
                    volume.rebuild = None
                    # computed when read: the event comes with the first read after the end
                    self.state.storage_event("rebuild_finished", volume_id=volume.id)
                elif volume.rebuild is not None and self.lost(volume.rebuild[0]):
                    self._stop_rebuild(volume)
                if volume.rebuild is None:
                    self._restart(volume, present, now)
                    self._take_over(volume, present, now)

    def _stop_rebuild(self, volume: VolumeSpec) -> None:
        """The drive rebuilt onto was pulled or failed: the rebuild stops, the volume stays
        degraded, that drive still counted as its (lost) member."""
        assert volume.rebuild is not None
        volume.stopped, volume.rebuild = volume.rebuild[0], None
        if volume.stopped not in self.bays.failed:  # a failure is told by fail_drive
            self.state.storage_event("volume_degraded", volume_id=volume.id)

    def _restart(self, volume: VolumeSpec, present: dict[str, DriveSpec], now: float) -> None:
        """A drive whose rebuild stopped, back healthy in a bay of this server: rebuilt onto
        again from the start (its copy is partial)."""
        serial = volume.stopped
        if serial is None or serial not in volume.members:
            volume.stopped = None
        elif serial in present and serial not in self.bays.failed:
            volume.stopped, volume.rebuild = None, (serial, now)

    def _take_over(self, volume: VolumeSpec, present: dict[str, DriveSpec], now: float) -> None:
        lost = [m for m in volume.members if self.lost(m)]
        if not lost or volume.raid_type not in REDUNDANT:
            return
        spare = self._spare_for(volume, lost[0], present)
        if spare is None:
            return
        volume.members = tuple(spare if m == lost[0] else m for m in volume.members)
        volume.stopped = None if volume.stopped == lost[0] else volume.stopped
        volume.spares = tuple(s for s in volume.spares if s != spare)
        self.bays.hotspares.pop(spare, None)
        volume.rebuild = (spare, now)

    def _spare_for(self, volume: VolumeSpec, lost: str,
                   present: dict[str, DriveSpec]) -> str | None:
        def fits(serial: str) -> bool:
            drive = present.get(serial)
            return (drive is not None and serial not in self.bays.failed
                    and self.member_of(serial) is None
                    and drive.capacity_bytes >= volume.capacity_bytes)

        candidates = [s for s in volume.spares if fits(s)]
        candidates += [s for s in self.bays.hotspares if fits(s)]
        if self.spec.auto_rebuild_on_insert:
            old_bay = next((d.bay for d in self.bays.pulled() if d.serial == lost), None)
            candidates += [s for s, d in present.items() if d.bay == old_bay and fits(s)
                           and self.in_use(s) is None]
        return candidates[0] if candidates else None

    def schedule(self, due: float, action: Callable[[], object]) -> None:
        """Run ``action`` once the clock reaches ``due``."""
        with self.bays.lock:
            self.scheduled.append((due, action))

    # -- creates ---------------------------------------------------------------------------
    def create(self, volume: VolumeSpec, due: float | None,
               make_task: Callable[[CreateJob], Task | None]) -> CreateJob:
        """Accept a create applied at ``due`` (None: at the next reset; now: at once)."""
        job = CreateJob(volume, due, started=self.now())
        job.task = make_task(job)
        self.jobs.append(job)
        self.settle()
        return job

    def on_reset(self) -> None:
        """The host resets: creates waiting for it apply."""
        for job in [j for j in self.jobs if j.due is None]:
            self._apply(job)

    def _apply(self, job: CreateJob) -> None:
        self.jobs.remove(job)
        present = self.present()
        problems = [f"drive {s} is not in {self.state.spec.name}" for s in job.volume.members
                    if s not in present]
        problems += [f"drive {s} {why}" for s in job.volume.members
                     if (why := self.in_use(s)) is not None]
        if problems:
            job.outcome = "; ".join(problems)
            return
        self.bays.add_volume(job.volume)
        job.outcome = "done"

    def job_progress(self, job: CreateJob) -> tuple[str, int | None, tuple[str, ...]]:
        """``(TaskState, PercentComplete, messages)`` of a create's task."""
        self.settle()
        if job.outcome == "done":
            return "Completed", 100, ()
        if job.outcome is not None:
            return "Exception", 100, (f"The volume could not be created: {job.outcome}.",)
        if job.due is None:
            return "Pending", 0, ("The volume is created at the next reset.",)
        span = max(job.due - job.started, 1e-9)
        return "Running", max(0, min(99, int((self.now() - job.started) * 100 / span))), ()
