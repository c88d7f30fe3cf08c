"""Every retry the transport makes, in one policy (:class:`~hamnhw.deadline.Deadline` lives
in core and is re-exported here).  ``docs/retries.md`` is the table of it; a test keeps the
two in step.

* GETs are retried on 5xx answers and dropped connections, with exponential backoff and
  jitter, and on refused connections briefly at a fixed pace; each retry is logged as a
  warning ("retrying in 1s, 2/3").  Never after a timeout, a connect's included
  (:data:`NOT_RETRIED`): a silent BMC is not asked again, the caller that waits for it
  reads again on its own schedule.
* A login is tried at most twice, the second time only after an answer that created no
  session (503, 429, connection refused), never after a timeout or a dropped connection.
* A 401 leads to one fresh login per request; later re-logins of a long-running caller are
  spaced by :attr:`RetryPolicy.relogin_interval`.
* Nothing is ever retried past the operation deadline.  POST, PATCH and DELETE are never
  re-sent (a request answered 401 was not executed: see ``docs/retries.md``).

Clock, sleep and randomness are injectable so tests never sleep.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable

from hamnhw import coop, noanswer
from hamnhw.deadline import Clock, Deadline

__all__ = ["NOT_RETRIED", "Clock", "Deadline", "RetryPolicy"]

NOT_RETRIED = frozenset({noanswer.CONNECT_TIMEOUT, noanswer.CONNECT_CUT,
                         noanswer.HOST_UNREACHABLE, noanswer.NO_ANSWER_FRESH})
"""The reasons (:mod:`hamnhw.noanswer`) of a GET that never connected, or whose TLS
handshake never came, that are not retried: a timeout (TCP connect, TLS handshake) or no
route, silence each.  Retrying one would cost the whole connect timeout again, up to
:attr:`RetryPolicy.max_attempts` times (about 24 s for one silent read with the defaults),
and tell nothing more: TCP already sends the SYN again within one connect timeout.  The
callers that wait for a BMC (power waits, the failover) read again on their own schedule."""


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How the transport retries.

    After a 5xx or a dropped connection, the delay before GET attempt ``n + 1`` is
    ``min(max_delay, base_delay * 2 ** (n - 1))`` plus up to ``jitter`` times that, at
    random; after a refused connection it is :attr:`refused_delay`.
    """

    max_attempts: int = 4
    """GET attempts in all, the first included (5xx, dropped connection)."""
    base_delay: float = 0.5
    """Delay after the first failure, seconds."""
    max_delay: float = 8.0
    """Upper bound of one delay before jitter, seconds."""
    jitter: float = 0.25
    """Random extra, as a fraction of the delay."""
    sleep: Callable[[float], None] = coop.sleep
    """How to wait (``time.sleep``, or in a cooperative task its hub's: :mod:`hamnhw.coop`;
    tests inject a fake)."""
    clock: Clock = time.monotonic
    """Monotonic seconds (tests inject a fake); also drives deadlines."""
    rand: Callable[[], float] = random.random
    """Uniform [0, 1) for the jitter."""
    refused_attempts: int = 3
    """GET attempts in all while the connection is refused (a BMC web server restarting)."""
    refused_delay: float = 1.0
    """Seconds between two GET attempts on a refused connection, and between two login
    attempts when the BMC gave no ``Retry-After``."""
    login_attempts: int = 2
    """Login attempts in all; the second only after an answer that created no session."""
    login_max_delay: float = 5.0
    """Longest ``Retry-After`` honoured before the second login attempt, seconds."""
    relogin_interval: float = 30.0
    """Seconds between two re-logins after a 401 (the first one is never delayed): a 401
    sooner after the last re-login is :class:`~hamnhw.errors.AccessDenied`."""

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        base = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return base * (1 + self.jitter * self.rand())
