"""The live model of one simulated server: power, boot, storage view, sessions and tasks.

All time-dependent behaviour is computed from the injected clock when it is read; there are no
background threads. Every public method takes the state's lock.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from hamnhw.sim import personalities
from hamnhw.sim.bays import DriveBays, VolumeSpec
from hamnhw.sim.power import OFF, ON, POWERING_OFF, PowerMachine
from hamnhw.sim.raid import ServerRaid
from hamnhw.sim.spec import DriveSpec, ServerSpec

Clock = Callable[[], float]

BOOT_TARGETS = ("None", "Pxe", "Hdd", "Cd", "Usb", "BiosSetup")
BOOT_ENABLED = ("Disabled", "Once", "Continuous")
RESTORE_POLICIES = ("AlwaysOn", "AlwaysOff", "LastState")


TaskProgress = Callable[[], tuple[str, int | None, tuple[str, ...]]]
"""``() -> (TaskState, PercentComplete, messages)`` of a task that says more than
running/completed."""


@dataclasses.dataclass
class Task:
    """An asynchronous operation behind a task monitor."""

    id: str
    name: str
    started: float
    is_done: Callable[[], bool]
    result_status: int = 204
    result_body: dict[str, Any] | None = None
    progress: TaskProgress | None = None
    """Its state, percent and messages, when it has more than running/completed."""
    payload: dict[str, Any] | None = None
    """Redfish Task ``Payload`` (the request it runs)."""
    result: Callable[[], tuple[int, dict[str, Any] | None]] | None = None
    """The monitor's final answer, computed when done (else ``result_status/_body``)."""


class ServerState:
    """Live state of one simulated server, shared by its HTTP handler and the Python API."""

    def __init__(self, spec: ServerSpec, bays: DriveBays, clock: Clock) -> None:
        self.spec = spec
        self.bays = bays
        self.clock = clock
        self.lock = threading.RLock()
        self.boot_target = "None"
        self.boot_enabled = "Disabled"
        self.restore_policy = spec.power_restore_policy
        self.led = False
        self.sessions: dict[str, str] = {}
        self.tasks: dict[str, Task] = {}
        self.event_sink: Callable[..., Any] | None = None
        """Where :meth:`storage_event` goes (the server's EventService)."""
        self._session_counter = 0
        self._on_since = 0.0
        self._left_on_at: float | None = None
        self._current_boot_target = "None"
        self.ignore_override_next_boot = False
        self._snapshot: tuple[DriveSpec, ...] = ()
        self._wall_offset = time.time() - clock()
        self._last_reset_at = clock() - spec.boot_time
        self.raid = ServerRaid(self)
        self.power = PowerMachine(OFF, spec.power_delay, self._on_power_change)
        if spec.power == ON:
            self.power.force(ON, clock() - spec.boot_time)
        else:
            self._snapshot = bays.drives_of(spec.name)
            self._left_on_at = clock()

    # -- power and boot ------------------------------------------------------------------
    def advance(self) -> str:
        """Apply due power steps; return the Redfish PowerState."""
        with self.lock:
            return self.power.advance(self.clock())

    @property
    def power_state(self) -> str:
        """Redfish ``PowerState`` now."""
        return self.advance()

    def reset(self, reset_type: str, flap_after: float | None = None) -> None:
        """Run ComputerSystem.Reset; raises :class:`~hamnhw.sim.power.ResetConflict`."""
        with self.lock:
            now = self.clock()
            self.power.reset(reset_type, now, flap_after)
            self._last_reset_at = now

    @property
    def last_reset_time(self) -> str:
        """``LastResetTime`` (ComputerSystem v1.12+): when a reset last took effect, as a
        Redfish DateTime with milliseconds, in wall time derived from the injected clock."""
        with self.lock:
            return self._wall(self._last_reset_at)

    def _wall(self, at: float) -> str:
        moment = datetime.datetime.fromtimestamp(self._wall_offset + at, tz=datetime.UTC)
        return moment.isoformat(timespec="milliseconds")

    def set_power(self, state: str) -> None:
        """Put the host On or Off at once (no transition, no faults); a test helper."""
        if state not in (ON, OFF):
            raise ValueError(f"state must be On or Off, got {state!r}")
        with self.lock:
            self.power.force(state, self.clock())

    @property
    def boot_progress(self) -> str:
        """``BootProgress.LastState`` now."""
        return self.boot_stage()[0]

    def boot_stage(self) -> tuple[str, float | None]:
        """``(BootProgress.LastState, clock time the stage began or None)`` now."""
        with self.lock:
            state = self.advance()
            if state == ON:
                return self._progress_at(self.clock())
            if state == POWERING_OFF and self._left_on_at is not None:
                return self._progress_at(self._left_on_at)
            return "None", self._left_on_at

    def boot_stage_time(self) -> str | None:
        """``BootProgress.LastStateTime`` as a Redfish DateTime, or None."""
        since = self.boot_stage()[1]
        return None if since is None else self._wall(since)

    def _progress_at(self, at: float) -> tuple[str, float]:
        elapsed, start = at - self._on_since, self._on_since
        post, boot = self.spec.post_time, self.spec.boot_time
        if elapsed < post:
            stage = ("MemoryInitializationStarted" if self.spec.post_detail
                     else "SystemHardwareInitializationComplete")
            return stage, start
        if self._current_boot_target == "BiosSetup":
            if not self.spec.setup_entered:
                return "SystemHardwareInitializationComplete", start + post
            return "SetupEntered", start + post
        os_start = post + (max(0.0, boot - post) / 4 if self.spec.post_detail else 0.0)
        if self.spec.post_detail and elapsed < os_start:
            return "SystemHardwareInitializationComplete", start + post
        if elapsed < boot:
            return "OSBootStarted", start + os_start
        return "OSRunning", start + boot

    def _post_done(self, at: float) -> bool:
        return self.power.state == ON and at - self._on_since >= self.spec.post_time

    def _on_power_change(self, state: str, at: float) -> None:
        if state == ON:
            self._boot(at)
        elif self.power.state != ON and self._left_on_at is None:
            self._leave_on(at)

    def _boot(self, at: float) -> None:
        self.raid.on_reset()
        personalities.on_reset(self)
        self._on_since = at
        self._left_on_at = None
        self._current_boot_target = self.boot_target if self.boot_enabled != "Disabled" else "None"
        if self.ignore_override_next_boot:  # the ignore_boot_override fault
            self.ignore_override_next_boot = False
            self._current_boot_target = "None"
        if self.boot_enabled == "Once":
            self.boot_enabled = "Disabled"
            self.boot_target = "None"

    def _leave_on(self, at: float) -> None:
        if at - self._on_since >= self.spec.post_time:
            self._snapshot = self.bays.drives_of(self.spec.name)
        self._left_on_at = at

    # -- storage view --------------------------------------------------------------------
    def storage_visible(self) -> bool:
        """False when this BMC shows no storage (``storage_when_off="empty"`` while not On)."""
        with self.lock:
            self.advance()
            return self.spec.storage_when_off == "stale" or self._post_done(self.clock())

    def visible_drives(self) -> tuple[DriveSpec, ...]:
        """Drives the BMC reports: live after POST, else what the last POST saw."""
        with self.lock:
            self.advance()
            if self._post_done(self.clock()):
                return self.bays.drives_of(self.spec.name)
            if self.spec.storage_when_off == "empty":
                return ()
            return self._snapshot

    def visible_volumes(self) -> list[tuple[VolumeSpec, tuple[DriveSpec, ...]]]:
        """Volumes on the visible drives, each with its visible member drives."""
        drives = self.visible_drives()
        by_serial = {drive.serial: drive for drive in drives}
        volumes = [v for v in self.bays.volumes_on(set(by_serial))
                   if not (self.spec.foreign_volumes and v.home not in (None, self.spec.name))]
        return [
            (volume, tuple(by_serial[s] for s in volume.members if s in by_serial))
            for volume in volumes
        ]

    # -- sessions ------------------------------------------------------------------------
    def create_session(self) -> tuple[str, str]:
        """A new session: ``(session id, token)``."""
        with self.lock:
            self._session_counter += 1
            session_id = str(self._session_counter)
            self.sessions[session_id] = secrets.token_hex(16)
            return session_id, self.sessions[session_id]

    def session_for_token(self, token: str) -> str | None:
        """The id of the session holding ``token``, or ``None``."""
        with self.lock:
            for session_id, known in self.sessions.items():
                if secrets.compare_digest(known, token):
                    return session_id
            return None

    def expire_sessions(self) -> None:
        """Invalidate every session (clients must log in again)."""
        with self.lock:
            self.sessions.clear()

    def rotate_password(self) -> None:
        """Another administrator changed the account's password (the ``rotate_password``
        fault): the old one is refused from now on, sessions made with it stay valid."""
        with self.lock:
            self.spec = dataclasses.replace(self.spec, password=self.spec.password + "-rotated")

    # -- tasks ---------------------------------------------------------------------------
    def create_task(self, name: str, is_done: Callable[[], bool], result_status: int = 204,
                    result_body: dict[str, Any] | None = None, *,
                    progress: TaskProgress | None = None,
                    payload: dict[str, Any] | None = None,
                    result: Callable[[], tuple[int, dict[str, Any] | None]] | None = None,
                    ) -> Task:
        """Register an asynchronous operation; its monitor answers 202 until ``is_done()``."""
        with self.lock:
            task_id = str(len(self.tasks) + 1)
            task = Task(task_id, name, self.clock(), is_done, result_status, result_body,
                        progress, payload, result)
            self.tasks[task_id] = task
            return task

    # -- events --------------------------------------------------------------------------
    def storage_event(self, kind: str, *, serial: str | None = None,
                      volume_id: str | None = None) -> None:
        """Tell the BMC's EventService that storage changed: the hook the RAID model calls
        (``drive_failed``, ``volume_degraded``, ``rebuild_finished``... see
        :data:`hamnhw.sim.events.STORAGE_EVENTS`) with the drive's serial or the volume's id.
        Does nothing until the server wires :attr:`event_sink`."""
        if self.event_sink is not None:
            self.event_sink(kind, serial=serial, volume_id=volume_id)
