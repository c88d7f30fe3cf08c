"""Waiting for power changes, through the one core poller :func:`hamnhw.poll.poll_until`.

* A read during a wait never ends it early: a garbled or 5xx answer, a BMC that does not
  answer (refused, dropped, timed out) all read as UNKNOWN and polling goes on until the
  budget ends.  Only the operation deadline passing ends it at once (nothing more can be
  sent within it).
* The reads are bounded by the wait's budget (plus :data:`~hamnhw.poll.LAST_READ_S` for
  the read made when it ends), not only by the operation's deadline: a hung read does not
  carry a wait past its budget.
* At the end, a BMC that was silent on the last read gives
  :class:`~hamnhw.errors.StateUnconfirmed` (exit 1: it answered before, it accepted or may
  have acted on the request), never "unreachable".
* After a reset whose answer never came (a dropped connection or a read timeout: the BMC
  may have acted on it), the state is polled for the rest of the budget until it shows the
  reset done or under way; the reset is never sent again.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from contextlib import AbstractContextManager

from hamnhw_drivers.generic.resets import ResetWatch, state_of
from hamnhw_drivers.generic.resource import Resource

from hamnhw.deadline import Deadline
from hamnhw.errors import (
    BmcTimeout,
    BmcUnreachable,
    ConnectionDropped,
    HamnhwError,
    MalformedResponse,
    PowerStateTimeout,
    ServerSideError,
    StateUnconfirmed,
)
from hamnhw.interfaces import PollPolicy
from hamnhw.log import get_logger
from hamnhw.models import PowerState
from hamnhw.poll import LAST_READ_S, poll_until

LOG = get_logger("hamnhw.drivers.generic.power")

CONFIRMING_READS: dict[PowerState, int] = {PowerState.OFF: 2, PowerState.ON: 1}
"""Consecutive reads of the target needed to believe it."""

UNREADABLE = (MalformedResponse, ServerSideError)
"""Answers that read as UNKNOWN during a wait (the BMC answered, badly)."""
SILENT = (BmcUnreachable, BmcTimeout, ConnectionDropped)
"""Failures of a BMC that did not answer a read; UNKNOWN too, but remembered."""


@dataclasses.dataclass(frozen=True)
class PowerRead:
    """One read of the system during a wait."""

    system: Resource | None
    """The document, or None when it could not be read."""
    state: PowerState
    """Its ``PowerState``; UNKNOWN when unreadable."""
    silence: HamnhwError | None = None
    """Why the BMC did not answer this read, when it did not."""

    def describe(self) -> str:
        """The state as progress reports and timeouts show it."""
        return "no answer" if self.silence is not None else self.state.value


class PowerPoller:
    """Reads and waits of one power interface.

    :param read_system: one GET of the ComputerSystem.
    :param policy: interval, default timeout, clock and sleep.
    :param host: the BMC, for messages.
    :param bound: bounds the requests of a block to a number of seconds (the client's
        :meth:`~hamnhw.transport.client.BmcClient.operation`); None: reads are bounded by
        the operation deadline only.
    """

    def __init__(self, read_system: Callable[[], Resource], policy: PollPolicy, host: str,
                 bound: Callable[[float], AbstractContextManager[None]] | None = None) -> None:
        self._read_system = read_system
        self.policy = policy
        self.host = host
        self._bound = bound

    def deadline(self, seconds: float) -> Deadline:
        """A wait budget of ``seconds`` from now, on the policy's clock."""
        return Deadline(seconds, self.policy.clock)

    def read(self, wait: Deadline | None = None) -> PowerRead:
        """One tolerant read (see the module docstring).

        :param wait: the budget of the wait reading: the read ends with it (and
            :data:`~hamnhw.poll.LAST_READ_S`), a read it cuts short is one without answer.
        :raises StateUnconfirmed: the operation deadline passed (no request can be sent).
        """
        try:
            with self._within(wait):
                system = self._read_system()
        except UNREADABLE as exc:
            LOG.warning("%s: power state unreadable while waiting: %s", self.host, exc)
            return PowerRead(None, PowerState.UNKNOWN)
        except SILENT as exc:
            cut_by_the_wait = wait is not None and wait.expired()
            if isinstance(exc, BmcTimeout) and exc.deadline_passed and not cut_by_the_wait:
                raise StateUnconfirmed(
                    f"the operation deadline passed while waiting for the power change; the "
                    f"power state is unconfirmed ({exc.message})", host=self.host,
                    accepted=True) from exc
            LOG.warning("%s: no answer while waiting for the power change (polling on): %s",
                        self.host, exc)
            return PowerRead(None, PowerState.UNKNOWN, exc)
        return PowerRead(system, state_of(system))

    def _within(self, wait: Deadline | None) -> AbstractContextManager[None]:
        if wait is None or self._bound is None:
            return contextlib.nullcontext()
        return self._bound(max(0.0, wait.left()) + LAST_READ_S)

    def confirm(self, target: PowerState, already_read: int = 0) -> bool:
        """Read until ``target`` was seen :data:`CONFIRMING_READS` times in a row, one
        interval apart; False at the first read of anything else."""
        needed = CONFIRMING_READS[target] - already_read
        if needed <= 0:
            return True
        self.policy.sleep(self.policy.interval)
        reads: list[PowerState] = []

        def settled(read: PowerRead) -> bool:
            reads.append(read.state)
            return read.state is not target or len(reads) >= needed

        last = poll_until(self.read, settled, None, self.policy, host=self.host,
                          what=f"{self.host}: confirming power {target.value}",
                          describe=PowerRead.describe)
        return last.state is target

    def wait_for(self, target: PowerState, deadline: Deadline, what: str) -> PowerState:
        """Poll until ``target`` is read :data:`CONFIRMING_READS` times in a row.

        :raises PowerStateTimeout: not confirmed by the deadline.
        :raises StateUnconfirmed: the BMC did not answer the last read (``what`` says which
            request it had accepted).
        """
        needed = CONFIRMING_READS[target]
        streak = 0

        def reached(read: PowerRead) -> bool:
            nonlocal streak
            streak = streak + 1 if read.state is target else 0
            return streak >= needed

        def timed_out(read: PowerRead, _elapsed: float) -> Exception:
            return self.silent_end(read, what) or PowerStateTimeout(
                host=self.host, target=target.value, last_state=read.state.value,
                elapsed_s=deadline.elapsed())

        return self._poll(reached, timed_out, deadline, f"power {target.value}").state

    def wait_for_reset(self, watch: ResetWatch, deadline: Deadline, what: str) -> PowerState:
        """Poll until the reads show the reset (:class:`ResetWatch`), then ``On``.

        :raises OperationFailed: no reset seen; :class:`PowerStateTimeout`: reset, not On.
        :raises StateUnconfirmed: the BMC did not answer the last read.
        """

        def reached(read: PowerRead) -> bool:
            seen = watch.seen if read.system is None else watch.see(read.system)
            return seen and read.state is PowerState.ON

        def timed_out(read: PowerRead, _elapsed: float) -> Exception:
            return self.silent_end(read, what) or watch.timed_out(
                self.host, read.state, deadline.elapsed())

        return self._poll(reached, timed_out, deadline, "power cycle").state

    def watch_unanswered(self, action: str, exc: HamnhwError, shows: Callable[[Resource], bool],
                         deadline: Deadline) -> None:
        """After a reset that got no answer (dropped, timed out), poll for the rest of the
        budget until a read ``shows`` it done or under way.

        :raises StateUnconfirmed: the reads never showed it (``exc`` chained).
        """
        LOG.warning("%s: the %s got no answer (%s); the BMC may have acted on it: reading the "
                    "power state until the deadline, never sending it again", self.host,
                    action, exc.message)

        last: list[PowerRead] = []

        def noted(read: PowerRead) -> bool:
            last[:] = [read]
            return read.system is not None and shows(read.system)

        def unconfirmed(until: str) -> StateUnconfirmed:
            read = last[0] if last else None
            seen = read.describe() if read else "nothing read"
            return StateUnconfirmed(
                f"the {action} request got no answer ({exc.message}); the BMC may have acted "
                f"on it, but no read until {until} showed it (last read: {seen}); it was not "
                "sent again", host=self.host, accepted=False,
                last_state=read.state.value if read and not read.silence else None)

        try:
            read = self._poll(noted, lambda _r, _e: unconfirmed("the deadline"), deadline,
                              f"the unanswered {action}")
        except StateUnconfirmed as ended:
            if ended.accepted:  # the operation deadline passed during a read
                raise unconfirmed("the operation deadline") from exc
            raise ended from exc
        LOG.warning("%s: the node shows the unanswered %s (%s); waiting to confirm",
                    self.host, action, read.state.value)

    def silent_end(self, read: PowerRead, what: str) -> StateUnconfirmed | None:
        """The error for a wait whose last read got no answer, else None."""
        if read.silence is None:
            return None
        return StateUnconfirmed(
            f"{what} was accepted, then the BMC stopped answering ({read.silence.message}); "
            f"the power state is unconfirmed", host=self.host, accepted=True)

    def _poll(self, reached: Callable[[PowerRead], bool],
              timed_out: Callable[[PowerRead, float], Exception], deadline: Deadline,
              what: str) -> PowerRead:
        return poll_until(lambda: self.read(deadline), reached, deadline, self.policy,
                          host=self.host, what=f"{self.host}: {what}",
                          describe=PowerRead.describe, on_timeout=timed_out)
