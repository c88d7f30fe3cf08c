"""Independent pieces of one command's work run side by side: the reads of one BMC that do
not depend on each other (a collection's members, see
:meth:`hamnhw.readmemo.MemoClient.prefetch`), the login sent while the ServiceRoot is read
(:func:`beside`).

:func:`each` runs a function on every item with at most ``width`` at once: the calling
thread works too, and up to ``width - 1`` helper threads from one process-wide pool join
it.  A helper that has not started by the time the caller ran out of items is cancelled,
so a busy pool never holds a command back (the work is then done in the caller, one item
after the other, as without helpers).  When many callers are at it at once, or many BMCs
are open in the process (more than :data:`BUSY`: a fan-out over many BMCs), each works
alone.  Helpers run in a copy of the caller's context: its deadlines
(:class:`~hamnhw.transport.client.DeadlineScope`), its command and its read epoch (context
variables all).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from hamnhw import coop

T = TypeVar("T")

HELPERS = 64
"""Helper threads of the process (shared by every BMC and command)."""

QUICK_ANSWER_S = 0.02
"""A BMC answering within this many seconds is read one request after the other: going side
by side would save at most a round trip this short per request, and costs a connection
more (a TLS handshake, ~1 ms of CPU) and threads handing work over; a fleet of such BMCs is
CPU-bound.  BMCs over a network answer in tens to hundreds of milliseconds."""


def answers_quickly(seconds: float | None) -> bool:
    """Whether a BMC that answered in ``seconds`` (None: not known yet) is read one request
    after the other (:data:`QUICK_ANSWER_S`)."""
    return seconds is not None and seconds < QUICK_ANSWER_S


BUSY = 8
"""More calls of :func:`each` or :func:`beside` than this at once, or more BMCs open in the
process (:func:`bmc_opened`: a fan-out over many BMCs), and each call works alone: the
waits of many BMCs already overlap, and helpers would only add connections (a TLS
handshake each) and CPU."""

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_callers = 0
_open_bmcs = 0


def bmc_opened() -> None:
    """A BMC's connection (a transport) opened in this process: counted until
    :func:`bmc_closed`."""
    global _open_bmcs
    with _pool_lock:
        _open_bmcs += 1


def bmc_closed() -> None:
    """A BMC's connection counted by :func:`bmc_opened` closed."""
    global _open_bmcs
    with _pool_lock:
        _open_bmcs -= 1


def _enter() -> bool:
    """Count a caller in; whether it works alone (:data:`BUSY`, or a cooperative task's:
    :mod:`hamnhw.coop`, whose waits overlap with the other tasks')."""
    global _callers
    with _pool_lock:
        _callers += 1
        return _callers > BUSY or _open_bmcs > BUSY or coop.current() is not None


def _leave() -> None:
    global _callers
    with _pool_lock:
        _callers -= 1


def _helpers() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=HELPERS, thread_name_prefix="hamnhw-read")
        return _pool


def each(task: Callable[[T], None], items: Iterable[T], width: int) -> None:
    """``task(item)`` for every item, at most ``width`` at once; returns when all are done.

    ``task`` handles its own errors: an exception escaping it (a bug, or an interrupt)
    is raised here once every started task has ended.
    """
    queue = list(items)
    queue.reverse()
    lock = threading.Lock()
    escaped: list[BaseException] = []

    def work() -> None:
        while True:
            with lock:
                if not queue or escaped:
                    return
                item = queue.pop()
            try:
                task(item)
            except BaseException as exc:  # handed to the caller below
                with lock:
                    escaped.append(exc)
                return

    alone = _enter()
    try:
        helpers: list[Future[None]] = []
        if width > 1 and len(queue) > 1 and not alone:
            pool = _helpers()
            helpers = [pool.submit(contextvars.copy_context().run, work)
                       for _ in range(min(width, len(queue)) - 1)]
        work()
        for future in helpers:
            if not future.cancel():
                future.result()
    finally:
        _leave()
    if escaped:
        raise escaped[0]


def beside(task: Callable[[], None], other: Callable[[], None]) -> None:
    """``task()`` in the calling thread while ``other()`` runs in a helper thread (in a copy
    of the caller's context); returns once both have ended, raising what ``task`` raised,
    else what ``other`` raised.

    Where no helper is to be had (:data:`BUSY`), the caller runs
    ``other()`` first, then ``task()``; where the helper had not started by the time
    ``task`` ended, the caller runs ``other()`` after it.  An interrupt (a
    ``BaseException`` that is not an ``Exception``) raised by ``task`` or while waiting is
    raised at once: ``other`` then ends by its own deadline.
    """
    alone = _enter()
    try:
        if alone:
            other()
            task()
            return
        helper = _helpers().submit(contextvars.copy_context().run, other)
        try:
            task()
        except Exception:
            if not helper.cancel():
                helper.exception()  # wait for it; the task's error is the one raised
            raise
        if helper.cancel():
            other()
        else:
            helper.result()
    finally:
        _leave()
