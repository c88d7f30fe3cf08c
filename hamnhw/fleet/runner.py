"""Run one task per node in a bounded thread pool and yield each result as it finishes.

The BMCs' waits dominate (tens to hundreds of milliseconds a request), so threads are
mostly idle: the default concurrency (:data:`DEFAULT_CONCURRENCY`) is high enough for a
few hundred BMCs to be worked on at once.  One failing node never stops the others: its
error is its result.  Tasks naming the same BMC (two node names for one address) run one
after the other, never at once, so that a BMC's own pacing (session limits, IPMI
pacing) is honoured.  A task may return :class:`Later`: its value is yielded at once and
the rest (the logout) runs after, in the task's thread and within its BMC's turn, so a
node's result never waits for its logout; the run ends when every logout has.

SIGINT/SIGTERM (:mod:`hamnhw.interrupts`): the :class:`~hamnhw.errors.Interrupted` that
reaches the waiting thread stops the start of new tasks; the running ones end at their
next request (a command's deadline reads as expired after a signal, see
:mod:`hamnhw.cli.budget`) and log out (within the logout's own short grace); their results
are yielded, each not started node is yielded with an ``Interrupted`` error of its own
(naming its BMC, as a running node's does, when ``run_each`` is told the BMCs' hosts),
then ``Interrupted`` is raised.  Requests in flight are ended at once
(:meth:`hamnhw.transport.watchdog.AbortScope.abort`: this run's requests only, not
those of other runs or other callers in the process), so a hung BMC does not hold the
command until its read timeout.

The generator closed before its end (``break``, garbage collection, an exception in the
caller's loop) or a ``KeyboardInterrupt`` reaching it: the same, without the results —
nothing more starts, this run's requests in flight end at once and each later one as soon
as it is sent, logouts get their short grace (:func:`hamnhw.transport.session.logout_grace`,
at most 5 s), and control returns once every started task has ended.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from hamnhw import coop
from hamnhw.errors import ConfigError, Interrupted
from hamnhw.log import get_logger

T = TypeVar("T")
R = TypeVar("R")

LOG = get_logger(__name__)

DEFAULT_CONCURRENCY = 256
"""Nodes worked on at once unless told otherwise (``--fanout``): enough for 200 BMCs at
once; each waiting thread costs little memory and no CPU."""


IO_VARIABLE = "HAMNHW_FANOUT_IO"
"""Set to ``threads``: a fan-out runs its nodes in threads even where they could run as
cooperative tasks (:mod:`hamnhw.coop`); a way back should a cooperative run misbehave."""


@dataclasses.dataclass(frozen=True)
class NodeResult(Generic[R]):
    """What one node's task gave: a value, or the error that ended it."""

    node: str
    """The node's name (config name or BMC URL)."""
    value: R | None
    """The task's return value (None when it failed)."""
    error: BaseException | None
    """The exception that ended the task (a :class:`~hamnhw.errors.HamnhwError` for
    anything the BMC or the config did), or None."""
    elapsed_s: float
    """Seconds the task took (0 for a node never started)."""

    @property
    def ok(self) -> bool:
        """True when the task returned."""
        return self.error is None


@dataclasses.dataclass(frozen=True)
class Later(Generic[R]):
    """What a task returns when work is left after its value is known: :func:`run_each`
    yields ``value`` at once, then calls ``then`` (a logout: it must not raise; an
    exception is logged)."""

    value: R
    then: Callable[[], None]


def check_concurrency(concurrency: int | None) -> int:
    """``concurrency`` or the default; at least 1.

    :raises ConfigError: below 1.
    """
    if concurrency is None:
        return DEFAULT_CONCURRENCY
    if concurrency < 1:
        raise ConfigError(f"the fan-out must be at least 1, not {concurrency}")
    return concurrency


class _PerBmc:
    """One lock per BMC key: tasks of the same BMC run one at a time.

    :param cooperative: the tasks are a hub's (:mod:`hamnhw.coop`): a task waiting for its
        BMC's turn is parked, never the hub's thread.
    """

    def __init__(self, cooperative: bool = False) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, AbstractContextManager[Any]] = {}
        self._cooperative = cooperative

    def lock(self, key: str) -> AbstractContextManager[Any]:
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                hub = coop.current() if self._cooperative else None
                lock = self._locks[key] = threading.Lock() if hub is None else hub.lock()
            return lock


def run_each(items: Iterable[T], task: Callable[[T], R | Later[R]], *, name: Callable[[T], str],
             bmc: Callable[[T], str] | None = None, host: Callable[[T], str | None] | None = None,
             concurrency: int | None = None,
             cooperative: bool = False) -> Generator[NodeResult[R], None, None]:
    """Run ``task(item)`` for every item, at most ``concurrency`` at once, and yield a
    :class:`NodeResult` per item as it finishes (not in input order).

    :param task: what to do for one item; it may return :class:`Later` (the value, then the
        work left, e.g. the logout, done after the value was yielded).
    :param name: the node name of an item (for its result).
    :param bmc: the BMC of an item (its address); items of one BMC never run at once.
        Default: the name.
    :param host: the ``host[:port]`` of an item's BMC, named by its ``Interrupted`` error
        (one of its own, whether the item was running or never started), as every other
        error of a node names it; None: not known.
    :param concurrency: at most this many tasks at once (default
        :data:`DEFAULT_CONCURRENCY`).
    :param cooperative: run the tasks as cooperative tasks on one thread
        (:class:`hamnhw.coop.TaskPool`) instead of a thread each: only for tasks whose waits
        are all sockets of the lean transport, sleeps of :func:`hamnhw.coop.sleep` and
        host name lookups (Redfish nodes; not IPMI, whose sessions have threads of their
        own).  Ignored where ``greenlet`` is missing.
    :raises Interrupted: after the results of what ran (see the module docstring).
    """
    from hamnhw.transport.watchdog import AbortScope, current_scope, in_scope

    listed = list(items)
    scope = AbortScope(parent=current_scope())
    workers = max(1, min(check_concurrency(concurrency), len(listed)))
    cooperative = (cooperative and workers > 1 and coop.available()
                   and os.environ.get(IO_VARIABLE, "") != "threads")
    locks = _PerBmc(cooperative)
    key = bmc or name
    ready: queue.Queue[int] = queue.Queue()
    results: dict[int, NodeResult[R]] = {}
    escaped: dict[int, BaseException] = {}

    def guarded(index: int, item: T) -> None:
        start = time.monotonic()
        then: Callable[[], None] | None = None
        with locks.lock(key(item)), in_scope(scope):
            try:
                value: Any = task(item)
                if isinstance(value, Later):
                    value, then = value.value, value.then
                result = NodeResult(name(item), value, None, time.monotonic() - start)
            except Exception as exc:  # the node's result; never stops the others
                result = NodeResult(name(item), None, exc, time.monotonic() - start)
            except Interrupted as exc:
                exc.host = exc.host or (host(item) if host is not None else None)
                result = NodeResult(name(item), None, exc, time.monotonic() - start)
            except BaseException as exc:  # not a node's error (SystemExit...): the caller's
                escaped[index] = exc
                ready.put(index)
                raise
            results[index] = result
            ready.put(index)
            if then is not None:
                _finish(then, result.node)

    pool: ThreadPoolExecutor | coop.TaskPool = (
        coop.TaskPool(workers, "hamnhw-fanout-hub") if cooperative
        else ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hamnhw-fanout"))
    futures: dict[int, Future[None]] = {}
    yielded: set[int] = set()
    try:  # a signal while the nodes are handed out winds down as one later would
        for index, item in enumerate(listed):
            futures[index] = pool.submit(guarded, index, item)
            futures[index].add_done_callback(functools.partial(
                _told_or_not, index, results, escaped, ready))
        while len(yielded) < len(listed):
            index = ready.get()
            yielded.add(index)
            if index in escaped:
                raise escaped[index]
            yield results[index]
    except Interrupted as interrupted:
        scope.abort()  # a hung BMC's request ends now; its logout still runs
        signum = interrupted.signum
        yield from _wind_down(listed, futures, yielded, results, name,
                              lambda item: Interrupted(signum, host=host(item) if host else None))
        raise
    except BaseException:  # closed (GeneratorExit), KeyboardInterrupt, a task's escape
        for future in futures.values():
            future.cancel()  # what waits never starts
        scope.abort()  # what runs ends at its request in flight or its next; logouts run
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _told_or_not(index: int, results: dict[int, Any], escaped: dict[int, BaseException],
                 ready: queue.Queue[int], future: Future[None]) -> None:
    """A task's future ended without its task telling (the pool itself failed, e.g. the
    loop of :class:`hamnhw.coop.TaskPool`): its error is raised to the caller, who would
    otherwise wait for ever."""
    if future.cancelled() or index in results or index in escaped:
        return
    error = future.exception()
    if error is not None:
        escaped[index] = error
        ready.put(index)


def _finish(then: Callable[[], None], node: str) -> None:
    """Run a task's :attr:`Later.then` after its result went out."""
    try:
        then()
    except Exception as exc:  # a logout logs its own failures; this is a last resort
        LOG.warning("%s: after the result: %s", node, exc)


def _wind_down(listed: list[T], futures: dict[int, Future[None]], yielded: set[int],
               results: dict[int, NodeResult[R]], name: Callable[[T], str],
               interrupted: Callable[[T], Interrupted]) -> Iterator[NodeResult[R]]:
    """After a signal: never start what waits or was not handed out yet (its result:
    ``interrupted(item)``), let what runs end, yield every result not yielded yet."""
    running = []
    for index in range(len(listed)):
        future = futures.get(index)
        if index in yielded:
            continue
        if future is None or future.cancel():
            yield NodeResult(name(listed[index]), None, interrupted(listed[index]), 0.0)
        else:
            running.append(index)
    for index in running:
        futures[index].result()
        if index in results:
            yield results[index]
