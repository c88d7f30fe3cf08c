"""One overall time limit: the :class:`Deadline` every operation, wait and request shares.

It lives in core, not in the transport, because the CLI, the failover coordinator and
the poller start deadlines before any transport exists (Ironic keeps its deadlines in
the conductor, not in the Redfish library).
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Monotonic seconds."""


class Deadline:
    """One overall time limit, measured on ``clock``."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self.seconds = seconds
        """The limit as given."""
        self.stated = seconds
        """The limit the user stated: a share of a deadline (a command's work, before its
        logout) keeps the whole one's, so that a message names the figure the user gave."""
        self.started = clock()
        """Clock reading at the start."""
        self.expires = self.started + seconds
        """Clock reading at which it expires."""

    def left(self) -> float:
        """Seconds left (negative once expired)."""
        return self.expires - self._clock()

    def elapsed(self) -> float:
        """Seconds since the start."""
        return self._clock() - self.started

    def expired(self) -> bool:
        """True once no time is left."""
        return self.left() <= 0

    def allows(self, seconds: float) -> bool:
        """True when waiting ``seconds`` still leaves time to do something."""
        return self.left() > seconds

    def narrowed(self, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now, but never later than this one.

        When this one expires first it is returned itself, so that a timeout
        reports the elapsed time of the operation whose deadline passed.
        """
        inner = Deadline(seconds, self._clock)
        return self if inner.expires >= self.expires else inner

    def logout_deadline(self, grace: float) -> Deadline:
        """The deadline of a logout starting now under this one: ``grace`` seconds,
        whatever is left of this one, so that a session is not left behind on the BMC when
        the work ran out.  A command that must end by a given time bounds its logouts
        itself (:class:`hamnhw.cli.budget.CommandDeadline`)."""
        return Deadline(grace, self._clock)

    def __repr__(self) -> str:
        return f"Deadline({self.seconds}s, {self.left():.1f}s left)"
