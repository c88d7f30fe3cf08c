"""Reading power state and evidence of resets from a ComputerSystem document.

A power cycle is believed only with evidence that the reset happened: the node was On and
then reads Off, PoweringOff or PoweringOn; a time mark (``LastResetTime``,
``BootProgress.LastStateTime``) present before and after has moved; or
``BootProgress.LastState`` went back to an earlier boot stage than already seen (a warm
reset, e.g. ``ForceRestart`` on iLO 5 or Supermicro, leaves ``PowerState`` On throughout).
A BMC showing none of these marks (:attr:`ResetMarks.can_show_a_warm_reset` False) is not
cycled by a reset at all: the power driver does off, then on.
"""

from __future__ import annotations

import dataclasses

from hamnhw_drivers.generic import mappings
from hamnhw_drivers.generic.resource import Resource

from hamnhw.errors import HamnhwError, OperationFailed, PowerStateTimeout
from hamnhw.models import PowerState

RESETTING_STATES = frozenset({PowerState.OFF, PowerState.POWERING_OFF, PowerState.POWERING_ON})
"""States whose read after a cycle's POST shows that the reset took effect."""

BOOT_STAGES: tuple[str, ...] = (
    "None", "PrimaryProcessorInitializationStarted", "BusInitializationStarted",
    "MemoryInitializationStarted", "SecondaryProcessorInitializationStarted",
    "PCIResourceConfigStarted", "SystemHardwareInitializationComplete", "SetupEntered",
    "OSBootStarted", "OSRunning",
)
"""``BootProgress.LastState`` values in boot order; ``OEM`` and unknown values are unranked."""


def state_of(system: Resource) -> PowerState:
    """The ``PowerState`` of a system document; UNKNOWN unless an exact Redfish string."""
    return mappings.power_state(system.doc.get("PowerState"))


def boot_stage(last_state: str | None) -> int | None:
    """Rank of a ``BootProgress.LastState`` in :data:`BOOT_STAGES`; None when unranked."""
    return BOOT_STAGES.index(last_state) if last_state in BOOT_STAGES else None


@dataclasses.dataclass(frozen=True)
class ResetMarks:
    """What one read of a system says about resets, compared before and after a cycle."""

    power_state: PowerState
    """``PowerState``."""
    last_reset_time: str | None
    """``LastResetTime`` (ComputerSystem v1.12+)."""
    boot_progress_time: str | None
    """``BootProgress.LastStateTime``."""
    boot_state: str | None = None
    """``BootProgress.LastState``."""

    @classmethod
    def of(cls, system: Resource) -> ResetMarks:
        """Read the marks of a system document (None where absent or not a string)."""
        return cls(state_of(system), system.get("LastResetTime", str),
                   system.get(("BootProgress", "LastStateTime"), str),
                   system.get(("BootProgress", "LastState"), str))

    @property
    def can_show_a_warm_reset(self) -> bool:
        """Whether this read holds a mark that a reset keeping ``PowerState`` On would move:
        a time mark, or a ranked boot stage past ``None``."""
        return (self.last_reset_time is not None or self.boot_progress_time is not None
                or bool(boot_stage(self.boot_state)))

    def reset_since(self, before: ResetMarks) -> bool:
        """Evidence of a reset since ``before``: the node was On and now reads Off, PoweringOff
        or PoweringOn, a time mark present both times changed (an absent one proves
        nothing), or the boot stage is earlier than before."""
        if before.power_state is PowerState.ON and self.power_state in RESETTING_STATES:
            return True
        pairs = ((self.last_reset_time, before.last_reset_time),
                 (self.boot_progress_time, before.boot_progress_time))
        if any(now is not None and then is not None and now != then for now, then in pairs):
            return True
        return _earlier(boot_stage(self.boot_state), boot_stage(before.boot_state))


def _earlier(stage: int | None, than: int | None) -> bool:
    return stage is not None and than is not None and stage < than


class ResetWatch:
    """Successive reads after a cycle's POST, judged against the read before it.

    Besides :meth:`ResetMarks.reset_since`, a boot stage earlier than the latest one seen
    since (e.g. ``OSRunning`` then ``SystemHardwareInitializationComplete``) shows a new boot.
    """

    def __init__(self, before: ResetMarks) -> None:
        self.before = before
        self.seen = False
        self._latest_stage = boot_stage(before.boot_state)

    def see(self, system: Resource) -> bool:
        """Judge one read; True once any read has shown the reset."""
        marks = ResetMarks.of(system)
        stage = boot_stage(marks.boot_state)
        self.seen = (self.seen or marks.reset_since(self.before)
                     or _earlier(stage, self._latest_stage))
        if stage is not None:
            self._latest_stage = max(stage, self._latest_stage or 0)
        return self.seen

    def timed_out(self, host: str, state: PowerState, elapsed: float) -> HamnhwError:
        """The error for a cycle's wait that ended at the deadline in ``state``."""
        if self.seen:
            return PowerStateTimeout(host=host, target=PowerState.ON.value,
                                     last_state=state.value, elapsed_s=elapsed)
        return OperationFailed(
            f"the BMC accepted the power cycle but the node never showed a reset within "
            f"{elapsed:.1f}s (last read: {state.value}; no off or transition state read, "
            f"LastResetTime, BootProgress.LastStateTime and LastState unchanged)", host=host)
