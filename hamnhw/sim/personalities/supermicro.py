"""The ``supermicro`` personality: a Supermicro X12 board with a Broadcom MegaRAID controller.

Shapes from Supermicro's Redfish Reference Guide (storage of Broadcom controllers under
``Systems/1/Storage/HA-RAID``, volumes created by POST and answered with a task, sessions
with an idle ``SessionTimeout``, no ``LastResetTime``); unverified (no public capture here):
the exact drive and volume ids, the task bodies.  A session unused for
:attr:`SupermicroPersonality.idle_timeout` seconds is dropped (the next request gets 401); a
moved array stays a foreign configuration until imported from the controller's setup
utility or storcli (no Redfish action), :meth:`SupermicroPersonality.import_foreign` stands
for that manual step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from hamnhw.sim import actions
from hamnhw.sim.actions import Response
from hamnhw.sim.bays import VolumeSpec
from hamnhw.sim.personalities.base import StandardStorage, bay_number
from hamnhw.sim.spec import DriveSpec

if TYPE_CHECKING:
    from hamnhw.sim.state import ServerState

SPEC_DEFAULTS = {
    "manager_id": "1", "chassis_id": "1",
    "vendor": "Supermicro", "manufacturer": "Supermicro", "model": "SYS-120U-TNR",
    "manager_model": "", "firmware": "01.01.06",
    "controller_model": "Broadcom MegaRAID 9540-8i", "controller_firmware": "52.26.0-5179",
    "oem": {"Supermicro": {"@odata.type": "#SmcServiceRoot.v1_0_0.SmcServiceRoot"}},
    "last_reset_time": False,
    "reset_types": ("On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart",
                    "Nmi", "ForceOn"),
}


class SupermicroPersonality(StandardStorage):
    """A Supermicro BMC with one Broadcom controller (``HA-RAID``)."""

    tracks_foreign: ClassVar[bool] = True
    storage_id: ClassVar[str] = "HA-RAID"
    volume_type = "#Volume.v1_6_0.Volume"

    def __init__(self, state: ServerState) -> None:
        super().__init__(state)
        self.idle_timeout = 300.0
        """Seconds a session may stay unused (Supermicro's SessionTimeout)."""
        self.last_used: dict[str, float] = {}

    def drive_id(self, drive: DriveSpec) -> str:
        """``HA-RAID.0.StorageEnclosure.0.Disk.<n>`` (unverified)."""
        return f"HA-RAID.0.StorageEnclosure.0.Disk.{bay_number(drive.bay) - 1}"

    def volume_id(self, volume: VolumeSpec) -> str:
        """``HA-RAID.0.Volume.<n>`` (unverified)."""
        return f"HA-RAID.0.Volume.{self.volume_number(volume)}"

    def session_alive(self, session_id: str) -> bool:
        """Drop a session idle longer than :attr:`idle_timeout`; else note its use."""
        now = self.state.clock()
        last = self.last_used.get(session_id, now)
        if now - last > self.idle_timeout:
            with self.state.lock:
                self.state.sessions.pop(session_id, None)
            self.last_used.pop(session_id, None)
            return False
        self.last_used[session_id] = now
        return True

    def create(self, body: Any) -> Response:
        """A create answered 202 with a task; the volume exists when the task ends."""
        parsed = self.parse_create(body)
        if isinstance(parsed, Response):
            return parsed
        volume, _ = parsed
        self.state.raid.schedule(self.state.clock() + self.spec.raid.task_seconds,
                                 lambda: self.add_volume(volume))

        def done() -> bool:
            self.state.raid.settle()
            return volume in self.state.bays.volumes

        task = self.state.create_task(f"Create volume {volume.name}", done)
        return actions.task_accepted(self.state, task.id)


PERSONALITY = SupermicroPersonality
