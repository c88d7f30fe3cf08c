"""Run one task per node in a bounded thread pool and yield each result as it finishes.

The BMCs' waits dominate (tens to hundreds of milliseconds a request), so threads are
mostly idle: the default concurrency (:data:`DEFAULT_CONCURRENCY`) is high enough for a
few hundred BMCs to be worked on at once.  One failing node never stops the others: its
error is its result.  Tasks naming the same BMC (two node names for one address) run one
after the other, never at once, so that a BMC's own pacing (session limits, IPMI
pacing) is honoured.

SIGINT/SIGTERM (:mod:`hamnhw.interrupts`): the :class:`~hamnhw.errors.Interrupted` that
reaches the waiting thread stops the start of new tasks; the running ones end at their
next request (a command's deadline reads as expired after a signal, see
:mod:`hamnhw.cli.budget`) and log out (within the logout's own short grace); their results
are yielded, each not started node is yielded with the ``Interrupted`` error, then
``Interrupted`` is raised.  Requests in flight are ended at once
(:func:`hamnhw.transport.watchdog.abort_requests_in_flight`), so a hung BMC does not hold
the command until its read timeout.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

from hamnhw.errors import ConfigError, Interrupted

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_CONCURRENCY = 256
"""Nodes worked on at once unless told otherwise (``--fanout``): enough for 200 BMCs at
once; each waiting thread costs little memory and no CPU."""


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
    """One lock per BMC key: tasks of the same BMC run one at a time."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


def run_each(items: Iterable[T], task: Callable[[T], R], *, name: Callable[[T], str],
             bmc: Callable[[T], str] | None = None,
             concurrency: int | None = None) -> Generator[NodeResult[R], None, None]:
    """Run ``task(item)`` for every item, at most ``concurrency`` at once, and yield a
    :class:`NodeResult` per item as it finishes (not in input order).

    :param name: the node name of an item (for its result).
    :param bmc: the BMC of an item (its address); items of one BMC never run at once.
        Default: the name.
    :param concurrency: at most this many tasks at once (default
        :data:`DEFAULT_CONCURRENCY`).
    :raises Interrupted: after the results of what ran (see the module docstring).
    """
    listed = list(items)
    workers = max(1, min(check_concurrency(concurrency), len(listed)))
    locks = _PerBmc()
    key = bmc or name

    def guarded(item: T) -> NodeResult[R]:
        start = time.monotonic()
        with locks.lock(key(item)):
            try:
                return NodeResult(name(item), task(item), None, time.monotonic() - start)
            except Exception as exc:  # the node's result; never stops the others
                return NodeResult(name(item), None, exc, time.monotonic() - start)
            except Interrupted as exc:
                return NodeResult(name(item), None, exc, time.monotonic() - start)

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hamnhw-fanout")
    futures: dict[Future[NodeResult[R]], T] = {pool.submit(guarded, i): i for i in listed}
    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    except Interrupted as interrupted:
        from hamnhw.transport.watchdog import abort_requests_in_flight

        abort_requests_in_flight()  # a hung BMC's request ends now; its logout still runs
        yield from _wind_down(futures, pending, name, interrupted)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _wind_down(futures: dict[Future[NodeResult[R]], T], pending: set[Future[NodeResult[R]]],
               name: Callable[[T], str], interrupted: Interrupted) -> Iterator[NodeResult[R]]:
    """After a signal: never start what waits, let what runs end, yield every result."""
    for future in pending:
        if future.cancel():
            yield NodeResult(name(futures[future]), None, interrupted, 0.0)
    for future in pending:
        if not future.cancelled():
            yield future.result()
