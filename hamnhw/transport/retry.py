"""Deadlines and the GET retry policy.

Only GETs are retried (connection errors and 5xx), with exponential backoff
and jitter, a bounded number of attempts, and never past the operation
deadline.  Clock, sleep and randomness are injectable so tests never sleep.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable

Clock = Callable[[], float]


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How GETs are retried.

    The delay before attempt ``n + 1`` is ``min(max_delay, base_delay * 2 ** (n - 1))``
    plus up to ``jitter`` times that, at random.
    """

    max_attempts: int = 4
    """Attempts in all, the first included."""
    base_delay: float = 0.5
    """Delay after the first failure, seconds."""
    max_delay: float = 8.0
    """Upper bound of one delay before jitter, seconds."""
    jitter: float = 0.25
    """Random extra, as a fraction of the delay."""
    sleep: Callable[[float], None] = time.sleep
    """How to wait (tests inject a fake)."""
    clock: Clock = time.monotonic
    """Monotonic seconds (tests inject a fake); also drives deadlines."""
    rand: Callable[[], float] = random.random
    """Uniform [0, 1) for the jitter."""

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        base = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return base * (1 + self.jitter * self.rand())


class Deadline:
    """One overall time limit, measured on ``clock``."""

    def __init__(self, seconds: float, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self.seconds = seconds
        """The limit as given."""
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

    def __repr__(self) -> str:
        return f"Deadline({self.seconds}s, {self.left():.1f}s left)"
