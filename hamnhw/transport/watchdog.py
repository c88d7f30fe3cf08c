"""One watchdog thread per process: shuts a request's socket when its deadline passes.

A ``threading.Timer`` per request costs an OS thread start and stop each time (~0.3 ms of
CPU, and up to a millisecond before the request can go).  Here every armed
:class:`Watchdog` is an entry in one heap of expiry times, served by one daemon thread
that sleeps until the earliest; disarming is marking the entry (no lock), which the thread
drops when it comes up, or arming drops when the heap has grown (:attr:`_Scheduler.PRUNE_AT`).
A request takes the process-wide lock once (to arm), and wakes the thread only when its
deadline is the earliest.

:func:`abort_requests_in_flight` (a fan-out interrupted) fires every armed watchdog at once,
except those armed under :func:`spared_from_abort`: a login or logout in flight is given a
short grace to end by (its answer holds, or confirms the end of, a session on the BMC), so
the interrupt does not leave a session behind.  :class:`AbortScope` narrows that to the
requests of one fan-out (:func:`hamnhw.fanout` closed or interrupted): other fan-outs and
other callers in the process are not touched, and a request sent in a scope already
aborted ends at once (a spared one within its grace).
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import os
import queue
import socket
import threading
import time
from collections.abc import Iterator

from hamnhw import interrupts

_SPARED: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "hamnhw_watchdog_spared", default=None)


@contextlib.contextmanager
def spared_from_abort(grace: float) -> Iterator[None]:
    """Requests sent in this block (this thread or context) are not ended at once by
    :func:`abort_requests_in_flight`: they get at most ``grace`` more seconds (a login or
    a logout: cut short, its session could stay on the BMC)."""
    token = _SPARED.set(max(grace, 0.0))
    try:
        yield
    finally:
        _SPARED.reset(token)


class AbortScope:
    """The requests of one fan-out (sent under :func:`in_scope`), to end together
    (:meth:`abort`); a scope made inside another (a fan-out within a fan-out's task) is
    aborted with it."""

    def __init__(self, parent: AbortScope | None = None) -> None:
        self.parent = parent
        self._aborted = False

    @property
    def aborted(self) -> bool:
        """True once :meth:`abort` was called on it or on a scope it is within."""
        scope: AbortScope | None = self
        while scope is not None:
            if scope._aborted:
                return True
            scope = scope.parent
        return False

    def within(self, other: AbortScope) -> bool:
        """True when this scope is ``other`` or made inside it."""
        scope: AbortScope | None = self
        while scope is not None:
            if scope is other:
                return True
            scope = scope.parent
        return False

    def abort(self) -> int:
        """End this scope's requests in flight now (the spared ones within their grace),
        and every later one as soon as it is sent; how many ended at once."""
        self._aborted = True  # before fire_all takes the lock schedule() reads it under
        return _SCHEDULER.fire_all(scope=self)


_SCOPE: contextvars.ContextVar[AbortScope | None] = contextvars.ContextVar(
    "hamnhw_watchdog_scope", default=None)


def current_scope() -> AbortScope | None:
    """The :class:`AbortScope` requests sent here belong to (None: none)."""
    return _SCOPE.get()


@contextlib.contextmanager
def in_scope(scope: AbortScope) -> Iterator[None]:
    """Requests sent in this block (this thread or context) belong to ``scope``."""
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)


class Watchdog:
    """Shuts the watched socket down when fired (see :meth:`arm`)."""

    def __init__(self) -> None:
        self.abort_grace = _SPARED.get()
        """Seconds it may still run after :func:`abort_requests_in_flight` (made under
        :func:`spared_from_abort`); None: it fires then."""
        self.scope = _SCOPE.get()
        """The :class:`AbortScope` it belongs to (None: only a process-wide abort)."""
        self.fired = False
        self.cancelled = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def arm(self, seconds: float) -> None:
        """Fire in ``seconds`` unless disarmed first; a spared one armed after a signal
        came (:func:`hamnhw.interrupts.received`) within its grace."""
        _SCHEDULER.schedule(self, time.monotonic() + max(seconds, 0.0))

    def disarm(self) -> None:
        """Never fire (the entry stays in the heap until the thread or a prune drops it)."""
        self.cancelled = True

    def watch(self, sock: socket.socket | None) -> None:
        """The socket to shut (at once, when already fired)."""
        with self._lock:
            self._sock = sock
            if self.fired:
                self._shut()

    def fire(self) -> None:
        """Shut the watched socket (from the watchdog thread)."""
        with self._lock:
            if self.cancelled:
                return
            self.fired = True
            self._shut()

    def _shut(self) -> None:
        """Shut the TCP connection.  For TLS, the socket's own TCP shutdown, not
        ``SSLSocket.shutdown``, which also drops the TLS object: a thread about to read
        through it would then get a ``ValueError``, not the connection's end."""
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                if isinstance(sock, socket.socket):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                else:  # a cooperative task's (coopsocket), which does the same
                    sock.shutdown(socket.SHUT_RDWR)


class _Scheduler:
    """The heap of armed watchdogs and the one thread firing them."""

    PRUNE_AT = 1024
    """Drop the disarmed entries when the heap holds this many (or twice the entries left
    after the last prune, whichever is more: pruning stays a constant cost per request)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        """The condition's lock, taken directly by :meth:`schedule` (once per request: a
        C-level ``with``, not the ``Condition``'s Python one)."""
        self._cond = threading.Condition(self._lock)
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._order = itertools.count()
        self._prune_at = self.PRUNE_AT
        self._thread: threading.Thread | None = None
        """The firing thread; None until started, and again once it has ended (or in a
        forked child, which has no thread): the next :meth:`schedule` starts one."""

    def schedule(self, dog: Watchdog, when: float) -> None:
        with self._lock:
            # Checked under the lock fire_all takes, and a signal is recorded before it
            # hurries: either this sees the signal, or the hurrying sees this entry.
            if dog.abort_grace is not None and interrupts.received() is not None:
                when = min(when, time.monotonic() + dog.abort_grace)
            if dog.scope is not None and dog.scope.aborted:  # sent after its fan-out ended
                when = min(when, time.monotonic() + (dog.abort_grace or 0.0))
            if len(self._heap) >= self._prune_at:
                self._prune()
            heap = self._heap
            heapq.heappush(heap, (when, next(self._order), dog))
            if self._thread is None:
                thread = threading.Thread(target=self._run, name="hamnhw-watchdog",
                                          daemon=True)
                thread.start()  # kept only once started: a failed start is tried again
                self._thread = thread
            elif heap[0][2] is dog:
                self._cond.notify()

    def _prune(self) -> None:
        """Drop the disarmed entries (lock held)."""
        self._heap[:] = [entry for entry in self._heap if not entry[2].cancelled]
        heapq.heapify(self._heap)
        self._prune_at = max(self.PRUNE_AT, 2 * len(self._heap))

    def fire_all(self, *, spared_only: bool = False, scope: AbortScope | None = None) -> int:
        """Fire every armed watchdog now (the requests in flight end at once), but the
        spared ones, re-armed to fire within their grace; how many fired.

        :param spared_only: only re-arm the spared ones; fire none.
        :param scope: only those of this scope (and the scopes within it)."""
        now = time.monotonic()
        due: list[Watchdog] = []
        with self._cond:
            kept: list[tuple[float, int, Watchdog]] = []
            for when, order, dog in self._heap:
                if dog.cancelled:
                    continue
                if scope is not None and (dog.scope is None or not dog.scope.within(scope)):
                    kept.append((when, order, dog))
                elif dog.abort_grace is not None:
                    kept.append((min(when, now + dog.abort_grace), order, dog))
                elif spared_only:
                    kept.append((when, order, dog))
                else:
                    due.append(dog)
            self._heap[:] = kept
            heapq.heapify(self._heap)
            self._cond.notify()  # the earliest may be sooner now
        for dog in due:
            dog.fire()
        return len(due)

    def pending(self) -> int:
        """Armed watchdogs not yet fired nor cancelled (tests)."""
        with self._cond:
            return sum(1 for entry in self._heap if not entry[2].cancelled)

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    due = self._next_due()
                if due is not None:
                    due.fire()
        finally:  # not expected to end; should it, the next schedule() starts another
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None

    def _next_due(self) -> Watchdog | None:
        """Wait (lock held) until an entry is due; pop and return it (None: retry)."""
        while not self._heap:
            self._cond.wait()
        when, _, dog = self._heap[0]
        if dog.cancelled:
            heapq.heappop(self._heap)
            return None
        left = when - time.monotonic()
        if left > 0:
            self._cond.wait(left)
            return None
        heapq.heappop(self._heap)
        return dog

    def _forked(self) -> None:
        """In a forked child: no thread, a lock no other thread holds, and none of the
        parent's requests (their sockets are the parent's too: firing would cut them)."""
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._thread = None
        self._heap = []
        self._prune_at = self.PRUNE_AT


_SCHEDULER = _Scheduler()
os.register_at_fork(after_in_child=_SCHEDULER._forked)


def abort_requests_in_flight() -> int:
    """End every request in flight in this process now (their sockets shut), but those
    sent under :func:`spared_from_abort` (logins and logouts), which get their grace: a
    fan-out interrupted by SIGINT/SIGTERM does not wait for hung BMCs before logging out,
    nor cuts short a request whose answer a session depends on."""
    return _SCHEDULER.fire_all()


_HURRY: queue.SimpleQueue[None] = queue.SimpleQueue()
"""Fed by :func:`hurry_spared`; the thread :func:`ready_to_hurry` started reads it.  A
``SimpleQueue``'s ``put`` is reentrant (a signal arriving while the handler is already in
it, as a second SIGTERM may), an ``Event``'s ``set`` is not."""
_hurrier: threading.Thread | None = None
_hurrier_lock = threading.Lock()


def ready_to_hurry() -> None:
    """Start, once per process, the thread :func:`hurry_spared` wakes (call it before a
    block whose signal handler may hurry: a handler must start no thread)."""
    global _hurrier
    with _hurrier_lock:
        if _hurrier is None or not _hurrier.is_alive():
            thread = threading.Thread(target=_hurry_forever, name="hamnhw-watchdog-hurry",
                                      daemon=True)
            thread.start()
            _hurrier = thread


def _hurry_forever() -> None:
    while True:
        _HURRY.get()
        _SCHEDULER.fire_all(spared_only=True)


def hurry_spared() -> None:
    """Give the requests in flight under :func:`spared_from_abort` their grace, ending none
    at once (a signal held while a login is answered).  Safe from a signal handler, nested
    ones included: it only puts a wake-up into the reentrant queue that the thread
    :func:`ready_to_hurry` started reads."""
    _HURRY.put_nowait(None)


def _forget_hurrier() -> None:
    """In a forked child: no hurrying thread, a fresh queue."""
    global _hurrier, _HURRY, _hurrier_lock
    _hurrier, _HURRY, _hurrier_lock = None, queue.SimpleQueue(), threading.Lock()


os.register_at_fork(after_in_child=_forget_hurrier)


def threads() -> int:
    """Watchdog threads running in this process (0 or 1; tests)."""
    return sum(1 for t in threading.enumerate() if t.name == "hamnhw-watchdog")
