"""The exporter's background reads: each node's BMC read once per interval by a few worker
threads, a scrape answered at once from the latest samples.

A scrape never waits on a BMC: :meth:`Refresher.statuses` returns what the last read of each
node found, how old it is, and whether it is still current.  The BMCs are read by at most
``max_parallel`` worker threads, each taking the node whose read is most overdue; a node is
read again ``interval`` seconds after its previous read ended (never two reads of one node
at once), so a hung BMC holds one worker for at most its read timeout and never the scrape.
Nodes whose last read timed out hold at most all workers but one, so that the others are
still read while several BMCs hang (at the start nothing is known yet: more hung BMCs than
workers delay the first reads of the others by one read timeout).

A node is reported down (:attr:`NodeStatus.reason`) while no read of it has ended yet
(``pending``), when its last read failed (the reason its error gave, see
:func:`hamnhw.monitor.metrics.reason_of`), or when its last successful read is older than
:attr:`Refresher.stale_after` (``stale``: the reads that should have followed did not end,
because the BMC hangs or the workers are all busy).

:meth:`Refresher.close` ends the requests in flight at once
(:class:`hamnhw.transport.watchdog.AbortScope`; a login or logout within its short grace)
and waits at most :data:`CLOSE_WAIT_S` for the workers.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable, Sequence

from hamnhw.log import get_logger
from hamnhw.monitor.metrics import (
    DEFAULT_PARALLEL,
    NodeSample,
    Reader,
    reason_of,
    safe_read,
)
from hamnhw.transport.watchdog import AbortScope, in_scope

LOG = get_logger(__name__)

MIN_INTERVAL_S = 1.0
"""The shortest interval between two reads of one node (a smaller one is raised to it)."""
CLOSE_WAIT_S = 10.0
"""The longest :meth:`Refresher.close` waits for the workers: requests in flight end at
once, a logout within its grace (at most 5 s)."""
PENDING = "pending"
"""The reason of a node no read of which has ended yet."""
STALE = "stale"
"""The reason of a node whose last successful read is older than its bound."""


@dataclasses.dataclass(frozen=True)
class NodeStatus:
    """What a scrape says of one node: its latest sample and how current it is."""

    node: str
    sample: NodeSample | None
    """What the latest read that ended found (None: none has ended yet)."""
    age_s: float | None
    """Seconds since that read ended (None: none has)."""
    last_success: float | None
    """Unix time at which the last successful read ended (None: none has)."""
    reads: int
    """Reads of the node that ended since the start, whatever their outcome."""
    stale: bool = False
    """The sample is a success older than :attr:`Refresher.stale_after`."""

    @property
    def up(self) -> bool:
        """True when the latest read succeeded and is still current."""
        return self.sample is not None and self.sample.up and not self.stale

    @property
    def reason(self) -> str | None:
        """Why the node is down, one of :data:`hamnhw.monitor.metrics.REASONS` (None: up)."""
        if self.up:
            return None
        if self.sample is None:
            return PENDING
        if self.stale:
            return STALE
        return self.sample.reason or "error"


@dataclasses.dataclass
class _Node:
    """The refresher's book of one node (guarded by the refresher's condition)."""

    due: float = -math.inf
    reading: bool = False
    sample: NodeSample | None = None
    ended: float | None = None
    last_success: float | None = None
    reads: int = 0

    @property
    def suspect(self) -> bool:
        """Its last read timed out: the next may hold a worker for the whole timeout."""
        return self.sample is not None and self.sample.reason == "timeout"


class Refresher:
    """Reads every node in the background and keeps the latest sample of each.

    :param read: reads one node (:data:`hamnhw.monitor.metrics.Reader`).
    :param nodes: the node names.
    :param interval: seconds between the end of a node's read and the start of its next
        (at least :data:`MIN_INTERVAL_S`).
    :param timeout: the bound of one read; with ``interval`` it sets :attr:`stale_after`.
    :param max_parallel: reads at the same time (the worker threads).
    :param clock: monotonic seconds (ages, due times); ``wall``: Unix time (timestamps).
    """

    def __init__(self, read: Reader, nodes: Sequence[str], interval: float, timeout: float,
                 max_parallel: int = DEFAULT_PARALLEL,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self._read, self._clock, self._wall = read, clock, wall
        self.interval = max(interval, MIN_INTERVAL_S)
        self.stale_after = 2 * self.interval + timeout
        """A success older than this (seconds) no longer counts: one read was due, had its
        whole timeout, and one more interval passed."""
        self.nodes = list(dict.fromkeys(nodes))
        self._book = {node: _Node() for node in self.nodes}
        self._cond = threading.Condition()
        self._closed = False
        self._scope = AbortScope()
        self._workers = [threading.Thread(target=self._work, name=f"hamnhw-read-{i}",
                                          daemon=True)
                         for i in range(max(1, min(max_parallel, len(self.nodes))))]
        self.reads = 0
        """Reads ended, all nodes together (tests and benchmarks look at it)."""

    def start(self) -> Refresher:
        """Start the workers (the first reads begin at once); returns itself."""
        for worker in self._workers:
            worker.start()
        return self

    def statuses(self, wait: float = 0.0) -> list[NodeStatus]:
        """Every node's status now; first waiting at most ``wait`` seconds (``math.inf``:
        without bound) for every node to have had a read end."""
        with self._cond:
            if wait > 0:
                self._cond.wait_for(self._all_read, None if math.isinf(wait) else wait)
            now = self._clock()
            return [self._status(node, now) for node in self.nodes]

    def wait_reads(self, count: int, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds until ``count`` reads (all nodes together) have
        ended since the start; True when they have."""
        with self._cond:
            return self._cond.wait_for(lambda: self.reads >= count, timeout)

    def wake(self) -> None:
        """Let the workers look at the due times again (after a test's clock moved)."""
        with self._cond:
            self._cond.notify_all()

    def close(self) -> None:
        """Start no more reads, end those in flight (:class:`AbortScope`), wait at most
        :data:`CLOSE_WAIT_S` for the workers."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._scope.abort()
        ends = time.monotonic() + CLOSE_WAIT_S
        for worker in self._workers:
            if worker.is_alive():
                worker.join(max(0.0, ends - time.monotonic()))

    def _all_read(self) -> bool:
        return self._closed or all(book.sample is not None for book in self._book.values())

    def _status(self, node: str, now: float) -> NodeStatus:
        book = self._book[node]
        age = None if book.ended is None else max(0.0, now - book.ended)
        stale = bool(book.sample and book.sample.up and age is not None
                     and age > self.stale_after)
        return NodeStatus(node, book.sample, age, book.last_success, book.reads, stale)

    def _next(self) -> str | None:
        """The next node to read, once one is due (None: closed); condition held.  Nodes
        whose last read timed out (hung BMCs) hold at most all workers but one."""
        while not self._closed:
            now = self._clock()
            hung = sum(1 for book in self._book.values() if book.reading and book.suspect)
            full = hung >= max(1, len(self._workers) - 1)
            idle = [(book.due, node) for node, book in self._book.items()
                    if not book.reading and not (full and book.suspect)]
            if idle:
                due, node = min(idle)
                if due <= now:
                    self._book[node].reading = True
                    return node
                self._cond.wait(min(due - now, self.interval))
            else:
                self._cond.wait()
        return None

    def _work(self) -> None:
        while True:
            with self._cond:
                node = self._next()
            if node is None:
                return
            sample = self._read_one(node)
            self._record(node, sample)

    def _read_one(self, node: str) -> NodeSample:
        """One read, its requests in the refresher's abort scope; never raises."""
        started = self._clock()
        try:
            with in_scope(self._scope):
                return safe_read(self._read, node)
        except Exception as exc:  # a reader's bug: the node is down, the worker lives on
            LOG.error("%s: read failed unexpectedly: %s", node, type(exc).__name__,
                      exc_info=True)
            return NodeSample(node, False, duration_s=self._clock() - started,
                              error=type(exc).__name__, reason=reason_of(exc))

    def _record(self, node: str, sample: NodeSample) -> None:
        with self._cond:
            book = self._book[node]
            book.sample, book.reading, book.reads = sample, False, book.reads + 1
            book.ended = self._clock()
            book.due = book.ended + self.interval
            if sample.up:
                book.last_success = self._wall()
            self.reads += 1
            self._cond.notify_all()
