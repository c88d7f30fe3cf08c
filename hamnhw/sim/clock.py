"""A manual clock to inject into the simulator so that tests step time instead of sleeping."""

from __future__ import annotations

import threading


class ManualClock:
    """A callable clock that only moves when told to.

    ``clock()`` returns the current time; :meth:`advance` moves it forward. Pass it as
    ``SimCluster(..., clock=clock)`` and, in a client under test, as its clock too; its
    :meth:`sleep` advances time instead of waiting.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []
        """Every :meth:`sleep` asked for, in order (tests assert backoffs with it)."""

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def clock(self) -> float:
        """The current time (the same as calling the clock)."""
        return self()

    @property
    def now(self) -> float:
        """The current time."""
        return self()

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds``; returns the new time."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._now += seconds
            return self._now

    def sleep(self, seconds: float) -> None:
        """A ``time.sleep`` stand-in that advances this clock."""
        self.sleeps.append(seconds)
        self.advance(seconds)
