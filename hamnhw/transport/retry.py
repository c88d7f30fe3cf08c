"""The GET retry policy (:class:`~hamnhw.deadline.Deadline` lives in core and is re-exported here).

Only GETs are retried (connection errors and 5xx), with exponential backoff
and jitter, a bounded number of attempts, and never past the operation
deadline.  Clock, sleep and randomness are injectable so tests never sleep.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable

from hamnhw.deadline import Clock, Deadline

__all__ = ["Clock", "Deadline", "RetryPolicy"]



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
