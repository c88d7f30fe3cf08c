"""The request gate of one BMC: several requests at once, a re-login alone.

Requests of one transport may be in flight together (independent reads of one command,
:meth:`hamnhw.readmemo.MemoClient.prefetch`), at most :data:`MAX_IN_FLIGHT` at once (each
holds one keep-alive connection: a few connections per BMC at most).  What changes the
credentials the requests carry (a re-login after a 401, the logout) holds the gate
*exclusively*: it waits until the requests in flight have been answered, no request
starts while it runs, and the thread holding it may send its own requests (the DELETE of
the superseded session, the new login).  A waiting exclusive holder goes before new
requests, so that a stream of reads never starves a re-login.

Every wait is bounded by the waiting thread's deadline.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from hamnhw.deadline import Deadline
from hamnhw.errors import BmcTimeout
from hamnhw.log import get_logger

LOG = get_logger("hamnhw.transport.redfish")

MAX_IN_FLIGHT = 4
"""Requests of one BMC in flight at once (and so, connections to it)."""


class GateTimeout(Exception):
    """The deadline passed while waiting for the gate."""


class RequestGate:
    """Shared (a request) and exclusive (a re-login, the logout) holds of one BMC.

    :param limit: requests in flight at once.
    """

    def __init__(self, limit: int = MAX_IN_FLIGHT) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        """The condition's lock, taken directly where no wait or notify is needed (a C-level
        ``with``: entering the ``Condition`` itself is Python code, twice per request)."""
        self._cond = threading.Condition(self._lock)
        self._waiting = 0
        """Threads waiting on the condition (no ``notify_all`` when none: most requests)."""
        self._in_flight = 0
        self._owner: int | None = None
        """The thread holding the gate exclusively."""
        self._depth = 0
        self._writers_waiting = 0
        self.peak = 0
        """Most requests ever in flight at once (tests and benchmarks read it)."""

    @contextlib.contextmanager
    def request(self, deadline: Deadline) -> Iterator[None]:
        """Hold one of the :attr:`limit` request places for the block.

        The thread holding the gate exclusively passes at once (its own requests).

        :raises GateTimeout: ``deadline`` passed first.
        """
        counted = self.enter(deadline)
        try:
            yield
        finally:
            self.leave(counted)

    def enter(self, deadline: Deadline) -> bool:
        """Take one request place (:meth:`request` without a context manager: the send path
        pairs it with :meth:`leave` in ``try``/``finally``, two generator context managers
        less per request, measured).

        :returns: whether a place was counted (False for the exclusive holder's own
            requests), to pass to :meth:`leave`.
        :raises GateTimeout: ``deadline`` passed first.
        """
        me = threading.get_ident()
        with self._lock:
            if self._owner == me:
                return False
            if (self._owner is not None or self._writers_waiting
                    or self._in_flight >= self.limit):
                self._wait(deadline, lambda: self._owner is None and not self._writers_waiting
                           and self._in_flight < self.limit)
            self._in_flight += 1
            if self._in_flight > self.peak:
                self.peak = self._in_flight
            return True

    def leave(self, counted: bool) -> None:
        """Give back the place :meth:`enter` took (when ``counted``)."""
        if not counted:
            return
        with self._lock:
            self._in_flight -= 1
            if self._waiting:
                self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self, deadline: Deadline) -> Iterator[None]:
        """Hold the gate alone for the block, once the requests in flight are answered
        (re-entrant in one thread).

        :raises GateTimeout: ``deadline`` passed first.
        """
        me = threading.get_ident()
        with self._lock:
            if self._owner != me:
                self._writers_waiting += 1
                try:
                    self._wait(deadline, lambda: self._owner is None and not self._in_flight)
                finally:
                    self._writers_waiting -= 1
                    if self._waiting:  # readers queued behind this writer may go now
                        self._cond.notify_all()
                self._owner = me
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if not self._depth:
                    self._owner = None
                    if self._waiting:
                        self._cond.notify_all()

    def exclusive_or_timeout(self, deadline: Deadline, host: str,
                             what: str) -> contextlib.AbstractContextManager[None]:
        """:meth:`exclusive`, a wait past ``deadline`` being :class:`BmcTimeout`."""
        return _timed_out_as_bmc(self.exclusive(deadline), deadline, host, what)

    @contextlib.contextmanager
    def alone_for_logout(self, deadline: Deadline, host: str) -> Iterator[None]:
        """Hold the gate alone for a logout (no request of another thread in flight that a
        401 would make log in again); when a hung request still holds a place after half
        the time left, log out anyway."""
        try:
            with self.exclusive(deadline.narrowed(max(0.0, deadline.left() / 2))):
                yield
                return
        except GateTimeout:
            LOG.warning("%s: logging out while another request is still in flight", host)
        yield

    def _wait(self, deadline: Deadline, ready: Callable[[], bool]) -> None:
        """Wait (lock held) until ``ready()``; :class:`GateTimeout` at the deadline."""
        while not ready():
            left = deadline.left()
            if left <= 0:
                raise GateTimeout
            self._waiting += 1
            try:
                self._cond.wait(left)
            finally:
                self._waiting -= 1


@contextlib.contextmanager
def _timed_out_as_bmc(hold: contextlib.AbstractContextManager[None], deadline: Deadline,
                      host: str, what: str) -> Iterator[None]:
    try:
        hold.__enter__()
    except GateTimeout:
        raise waited_too_long(deadline, host, what) from None
    try:
        yield
    finally:
        hold.__exit__(None, None, None)


def waited_too_long(deadline: Deadline, host: str, what: str) -> BmcTimeout:
    """The error of a request whose deadline passed while it waited for the gate."""
    return BmcTimeout(f"{what}: operation deadline exceeded while other requests to this "
                      "BMC were in flight", host=host, elapsed_s=deadline.elapsed(),
                      deadline_passed=True)
