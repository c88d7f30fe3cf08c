"""One watchdog thread per process: shuts a request's socket when its deadline passes.

A ``threading.Timer`` per request costs an OS thread start and stop each time (~0.3 ms of
CPU, and up to a millisecond before the request can go).  Here every armed
:class:`Watchdog` is an entry in one heap of expiry times, served by one daemon thread
that sleeps until the earliest; disarming is marking the entry, which the thread drops
when it comes up (or when cancelled entries pile up).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time


class Watchdog:
    """Shuts the watched socket down when fired (see :meth:`arm`)."""

    def __init__(self) -> None:
        self.fired = False
        self.cancelled = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def arm(self, seconds: float) -> None:
        """Fire in ``seconds`` unless disarmed first."""
        _SCHEDULER.schedule(self, time.monotonic() + max(seconds, 0.0))

    def disarm(self) -> None:
        """Never fire."""
        self.cancelled = True
        _SCHEDULER.cancelled()

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
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)


class _Scheduler:
    """The heap of armed watchdogs and the one thread firing them."""

    PRUNE_AT = 1024
    """Rebuild the heap when this many entries are cancelled."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        """The condition's lock, taken directly by :meth:`schedule` and :meth:`cancelled`
        (twice per request: a C-level ``with``, not the ``Condition``'s Python one)."""
        self._cond = threading.Condition(self._lock)
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._order = itertools.count()
        self._cancelled = 0
        self._thread: threading.Thread | None = None

    def schedule(self, dog: Watchdog, when: float) -> None:
        with self._lock:
            heapq.heappush(self._heap, (when, next(self._order), dog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="hamnhw-watchdog",
                                                daemon=True)
                self._thread.start()
            elif self._heap[0][2] is dog:
                self._cond.notify()

    def cancelled(self) -> None:
        with self._lock:
            self._cancelled += 1
            if self._cancelled >= self.PRUNE_AT:
                self._heap = [entry for entry in self._heap if not entry[2].cancelled]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def fire_all(self) -> int:
        """Fire every armed watchdog now (the requests in flight end at once); how many."""
        with self._cond:
            due = [entry[2] for entry in self._heap if not entry[2].cancelled]
            self._heap.clear()
            self._cancelled = 0
        for dog in due:
            dog.fire()
        return len(due)

    def pending(self) -> int:
        """Armed watchdogs not yet fired nor cancelled (tests)."""
        with self._cond:
            return sum(1 for entry in self._heap if not entry[2].cancelled)

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._next_due()
            if due is not None:
                due.fire()

    def _next_due(self) -> Watchdog | None:
        """Wait (lock held) until an entry is due; pop and return it (None: retry)."""
        while not self._heap:
            self._cond.wait()
        when, _, dog = self._heap[0]
        if dog.cancelled:
            heapq.heappop(self._heap)
            self._cancelled = max(0, self._cancelled - 1)
            return None
        left = when - time.monotonic()
        if left > 0:
            self._cond.wait(left)
            return None
        heapq.heappop(self._heap)
        return dog


_SCHEDULER = _Scheduler()


def abort_requests_in_flight() -> int:
    """End every request in flight in this process now (their sockets shut): a fan-out
    interrupted by SIGINT/SIGTERM does not wait for hung BMCs before logging out."""
    return _SCHEDULER.fire_all()


def threads() -> int:
    """Watchdog threads running in this process (0 or 1; tests)."""
    return sum(1 for t in threading.enumerate() if t.name == "hamnhw-watchdog")
