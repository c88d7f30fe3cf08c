"""The one poller of hamnhw: power changes, RAID jobs and the failover all wait through
:func:`poll_until` (as sushy waits through its single TaskMonitor), so that the interval,
the deadline, the progress report and the timeout error are the same everywhere.

::

    from hamnhw.poll import PollPolicy, poll_until

    policy = PollPolicy(interval=2.0)
    state = poll_until(node.power.state, lambda s: s is PowerState.ON,
                       policy.deadline(120), policy, what="primary: power on")
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import TypeVar

from hamnhw import coop, progress, readmemo
from hamnhw.deadline import Deadline
from hamnhw.errors import WaitTimeout

T = TypeVar("T")

LAST_READ_S = 2.0
"""Seconds the last read of a wait may take: a wait reads once more when its budget ends,
so a wait of ``timeout`` seconds whose reads are bounded (a power change's) ends within
``timeout + LAST_READ_S``; a command keeps them for it before its logout reserve."""


@dataclasses.dataclass(frozen=True)
class PollPolicy:
    """How a wait polls.  Inject ``clock``/``sleep`` in tests (``hamnhw.sim.ManualClock``)."""

    interval: float = 2.0
    """Seconds between two reads."""
    timeout: float = 120.0
    """Seconds before giving up (overridable per call); the same default as the overall
    operation deadline (:class:`~hamnhw.connection.Timeouts`), so that a wait never
    outlives the deadline of the command that started it."""
    clock: Callable[[], float] = time.monotonic
    """Monotonic clock."""
    sleep: Callable[[float], None] = coop.sleep
    """Sleep function (``time.sleep``, or in a cooperative task its hub's: :mod:`hamnhw.coop`)."""

    def deadline(self, seconds: float | None = None) -> Deadline:
        """A deadline of ``seconds`` (default :attr:`timeout`) on this policy's clock."""
        return Deadline(self.timeout if seconds is None else seconds, self.clock)


def poll_until(read: Callable[[], T], reached: Callable[[T], bool], deadline: Deadline | None,
               policy: PollPolicy, *, what: str, host: str | None = None,
               describe: Callable[[T], str] = str,
               percent: Callable[[T], int | None] | None = None,
               next_delay: Callable[[T], float | None] | None = None,
               on_timeout: Callable[[T, float], Exception] | None = None) -> T:
    """Call ``read`` until ``reached(value)``; return that value.

    Every read is reported to :func:`hamnhw.progress.current` (what, the state as
    ``describe(value)``, elapsed, budget, percent).  Between reads the poller sleeps
    ``next_delay(value)`` when it gives a number (a task's ``Retry-After``), else
    ``policy.interval``, never past the deadline.  Exceptions of ``read`` propagate
    (the caller decides what a failed read means).

    :param deadline: the bound; None waits without one (a RAID rebuild followed with no
        ``--wait-timeout``: the caller's own interrupts end it).
    :param on_timeout: builds the error raised at the deadline from the last value and the
        elapsed seconds; default :class:`~hamnhw.errors.WaitTimeout`.
    :raises WaitTimeout: (or ``on_timeout``'s error) when the deadline passes first.
    """
    reporter = progress.current()
    started = policy.clock()
    budget = None if deadline is None else max(0.0, deadline.left())
    while True:
        readmemo.new_epoch()  # every read of a wait goes to the BMC
        value = read()
        elapsed = policy.clock() - started
        update = progress.WaitUpdate(what, describe(value), elapsed, budget,
                                     percent(value) if percent else None)
        reporter.update(update)
        if reached(value):
            reporter.finish(update, True)
            return value
        left = None if deadline is None else deadline.left()
        if left is not None and left <= 0:
            reporter.finish(update, False)
            if on_timeout is not None:
                raise on_timeout(value, elapsed)
            raise WaitTimeout(host=host, what=what, last_state=update.state, elapsed_s=elapsed)
        delay = (next_delay(value) if next_delay else None) or policy.interval
        policy.sleep(delay if left is None else min(delay, left))
