"""Reading power state and evidence of resets from a ComputerSystem document.

A power cycle is believed only with evidence that the reset happened: the node was On and
then reads Off, PoweringOff or PoweringOn, or a time mark (``LastResetTime``,
``BootProgress.LastStateTime``) present before and after has moved.
"""

from __future__ import annotations

import dataclasses

from hamnhw_drivers.generic.resource import Resource

from hamnhw.models import PowerState

RESETTING_STATES = frozenset({PowerState.OFF, PowerState.POWERING_OFF, PowerState.POWERING_ON})
"""States whose read after a cycle's POST shows that the reset took effect."""


def state_of(system: Resource) -> PowerState:
    """The ``PowerState`` of a system document; UNKNOWN unless an exact Redfish string."""
    return PowerState.from_redfish(system.doc.get("PowerState"))


@dataclasses.dataclass(frozen=True)
class ResetMarks:
    """What one read of a system says about resets, compared before and after a cycle."""

    power_state: PowerState
    """``PowerState``."""
    last_reset_time: str | None
    """``LastResetTime`` (ComputerSystem v1.12+)."""
    boot_progress_time: str | None
    """``BootProgress.LastStateTime``."""

    @classmethod
    def of(cls, system: Resource) -> ResetMarks:
        """Read the marks of a system document (None where absent or not a string)."""
        return cls(state_of(system), system.get("LastResetTime", str),
                   system.get(("BootProgress", "LastStateTime"), str))

    def reset_since(self, before: ResetMarks) -> bool:
        """Evidence of a reset since ``before``: the node was On and now reads Off, PoweringOff
        or PoweringOn, or a time mark present both times changed (an absent one proves
        nothing)."""
        if before.power_state is PowerState.ON and self.power_state in RESETTING_STATES:
            return True
        pairs = ((self.last_reset_time, before.last_reset_time),
                 (self.boot_progress_time, before.boot_progress_time))
        return any(now is not None and then is not None and now != then for now, then in pairs)
