"""Power state machine of one simulated host, evaluated lazily against an injectable clock.

Every change is a schedule of ``(time, state)`` steps; nothing runs in the background. Each
read applies the steps whose time has come, in order, at their own time (not at the time of the
read), so that a host whose power went Off at t=5 and came back by itself at t=8 reports exactly
what a real one would at any later read.
"""

from __future__ import annotations

import collections
from collections.abc import Callable

ON, OFF, POWERING_ON, POWERING_OFF = "On", "Off", "PoweringOn", "PoweringOff"

#: ResetType values the simulated ComputerSystem.Reset advertises.
RESET_TYPES = (
    "On", "ForceOff", "GracefulShutdown", "ForceRestart", "PowerCycle", "GracefulRestart",
)

_ALLOWED = {
    OFF: {"On"},
    ON: {"ForceOff", "GracefulShutdown", "ForceRestart", "PowerCycle", "GracefulRestart"},
    POWERING_ON: {"ForceOff"},
    POWERING_OFF: set(),
}


class ResetConflict(Exception):
    """A reset type that is valid but not allowed in the current power state (HTTP 409)."""


class PowerMachine:
    """Applies scheduled power steps and notifies ``on_change(state, at)`` for each one."""

    def __init__(self, initial: str, delay: float, on_change: Callable[[str, float], None]) -> None:
        self.state = initial
        self.delay = delay
        self._steps: collections.deque[tuple[float, str]] = collections.deque()
        self._on_change = on_change

    @property
    def busy(self) -> bool:
        """True while steps are pending (a transition or a scheduled flap)."""
        return bool(self._steps)

    def advance(self, now: float) -> str:
        """Apply every step due by ``now``; return the current state."""
        while self._steps and self._steps[0][0] <= now:
            at, state = self._steps.popleft()
            self._set(state, at)
        return self.state

    def force(self, state: str, now: float) -> None:
        """Put the host in ``state`` at once, dropping pending steps (test helper)."""
        self._steps.clear()
        self._set(state, now)

    def reset(self, reset_type: str, now: float, flap_after: float | None = None) -> None:
        """Start the transition for ``reset_type``.

        :param flap_after: when set, power comes back On by itself this many seconds after
            reaching Off (the ``power_flap`` fault).
        :raises ResetConflict: the reset type is not allowed in the current state.
        """
        current = self.advance(now)
        if reset_type not in _ALLOWED[current]:
            raise ResetConflict(
                f"ResetType {reset_type} is not allowed while PowerState is {current}")
        self._steps.clear()
        if reset_type == "On":
            self._schedule_on(now)
        else:
            off_at = self._schedule_off(now)
            if reset_type in ("ForceRestart", "PowerCycle", "GracefulRestart"):
                self._schedule_on(off_at)
            elif flap_after is not None:
                self._schedule_on(off_at + flap_after)
        self.advance(now)

    def _schedule_on(self, start: float) -> float:
        self._steps.extend([(start, POWERING_ON), (start + self.delay, ON)])
        return start + self.delay

    def _schedule_off(self, start: float) -> float:
        self._steps.extend([(start, POWERING_OFF), (start + self.delay, OFF)])
        return start + self.delay

    def _set(self, state: str, at: float) -> None:
        previous, self.state = self.state, state
        if previous != state:
            self._on_change(state, at)
