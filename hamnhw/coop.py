"""Cooperative tasks: the work of many BMCs on one thread, their waits on one selector.

A fan-out over hundreds of BMCs in as many threads spends more CPU handing Python's GIL
from thread to thread than on its requests (62,000-73,000 context switches per 200 BMCs,
``docs/performance.md``).  A :class:`TaskPool` runs each node's task as a *greenlet* on one
hub thread instead: the same synchronous code (the drivers, the transport's request
policy), which, where it would block on a socket, hands over to the hub
(:meth:`Hub.wait`): it waits for every task's sockets at once (``selectors``) and switches
to the tasks whose sockets are ready, each hand-over a function call.

What a task may do that blocks, and what it does instead under the hub:

* sockets: :mod:`hamnhw.transport.coopsocket` (the lean transport's connections, TLS
  included, when :func:`current` is not None);
* sleeping between polls: :func:`sleep` (:class:`hamnhw.poll.PollPolicy`'s default);
* a host name lookup: :meth:`Hub.blocking` (in a helper thread); any other blocking
  call (a database's busy wait): :func:`blocking`;
* the per-BMC turn of the fan-out: :meth:`Hub.lock`;
* reads side by side (:mod:`hamnhw.parallel`): none; each task reads one request after
  the other, the tasks' waits overlapping instead.

Anything else that blocks (a lock held by another task, an IPMI session's own threads)
would stall every task of the hub, so the fan-out uses a hub only for Redfish nodes
(:func:`hamnhw.fleet.runner.run_each`, ``cooperative``).  A task's deadlines and read
epoch are context variables: each greenlet has a context of its own.

``greenlet`` (the C extension gevent and SQLAlchemy's asyncio bridge run on) switches
between tasks; nothing is monkey-patched.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import heapq
import itertools
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import Any, TypeVar

T = TypeVar("T")

LONGEST_SELECT_S = 3600.0
"""The loop waits at most this long at once (a later timer is waited for in several
rounds): epoll takes its timeout in milliseconds in a C int (24.8 days at most)."""

_ON_THREAD = threading.local()
"""``hub``: the :class:`Hub` whose loop runs on this thread."""


def current() -> Hub | None:
    """The hub of the calling task, or None outside any (a thread's own code, or the hub's
    loop itself)."""
    hub: Hub | None = getattr(_ON_THREAD, "hub", None)
    if hub is None or hub.loop_greenlet is _getcurrent():
        return None
    return hub


def sleep(seconds: float) -> None:
    """``time.sleep``, except in a task: the other tasks run meanwhile."""
    hub = current()
    if hub is None:
        time.sleep(seconds)
    else:
        hub.sleep(seconds)


def blocking(call: Callable[[], T]) -> T:
    """``call()``, which blocks (a database's busy wait): in a task, in a helper thread
    while the other tasks run (:meth:`Hub.blocking`; ``call`` bounds its own wait);
    outside any task, at once.  Raises what ``call`` raised."""
    hub = current()
    return call() if hub is None else hub.blocking(call, None)


def available() -> bool:
    """Whether cooperative tasks can run here (``greenlet`` importable)."""
    try:
        import greenlet  # noqa: F401
    except ImportError:
        return False
    return True


def _getcurrent() -> Any:
    """The running greenlet (only called where a hub exists: greenlet is imported)."""
    return sys.modules["greenlet"].getcurrent()


class _Waiter:
    """One parked task: woken once, by its socket, its timer or another task."""

    __slots__ = ("done", "task", "value")

    def __init__(self, task: Any) -> None:
        self.task = task
        self.done = False
        self.value = False


class Hub:
    """The loop of one thread: runs tasks (greenlets) and waits for their sockets and
    timers.  Made by :class:`TaskPool`; a task reaches it through :func:`current`."""

    def __init__(self) -> None:
        from greenlet import getcurrent

        self.loop_greenlet = getcurrent()
        self._selector = selectors.DefaultSelector()
        self._timers: list[tuple[float, int, _Waiter]] = []
        self._seq = itertools.count()
        self._ready: collections.deque[_Waiter] = collections.deque()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._inbox: collections.deque[Callable[[], None]] = collections.deque()
        """Work handed over from other threads (:meth:`call_soon_threadsafe`)."""

    # -- called from tasks -------------------------------------------------------------

    def wait(self, sock: Any, events: int, timeout: float | None) -> bool:
        """Park the calling task until ``sock`` is ready for ``events`` (True) or
        ``timeout`` seconds passed (False; None: no limit)."""
        waiter = _Waiter(_getcurrent())
        fd = sock.fileno()
        if fd < 0:
            return True  # closed meanwhile: the operation tried again says so
        self._selector.register(fd, events, waiter)
        try:
            return self._park(waiter, timeout)
        finally:
            with contextlib.suppress(KeyError, ValueError, OSError):  # closed meanwhile
                self._selector.unregister(fd)

    def sleep(self, seconds: float) -> None:
        """Park the calling task for ``seconds``."""
        self._park(_Waiter(_getcurrent()), max(0.0, seconds))

    def blocking(self, call: Callable[[], T], timeout: float | None) -> T:
        """``call()`` in a helper thread (a host name lookup), the calling task parked
        meanwhile.

        :raises TimeoutError: not done within ``timeout`` seconds (the call goes on in its
            thread; its result is dropped).
        """
        waiter = _Waiter(_getcurrent())
        future: Future[T] = _helpers().submit(call)
        future.add_done_callback(lambda _: self.call_soon_threadsafe(
            lambda: self._wake(waiter, True)))
        if not self._park(waiter, timeout):
            raise TimeoutError("timed out")
        return future.result()

    def lock(self) -> TaskLock:
        """A lock whose waiters are parked tasks (the fan-out's per-BMC turn)."""
        return TaskLock(self)

    def _park(self, waiter: _Waiter, timeout: float | None) -> bool:
        if timeout is not None:
            heapq.heappush(self._timers, (time.monotonic() + timeout, next(self._seq), waiter))
        value: bool = self.loop_greenlet.switch()
        return value

    def _wake(self, waiter: _Waiter, value: bool) -> None:
        if not waiter.done:
            waiter.done, waiter.value = True, value
            self._ready.append(waiter)

    # -- called from other threads -----------------------------------------------------

    def call_soon_threadsafe(self, call: Callable[[], None]) -> None:
        """Run ``call()`` on the hub's thread, in its loop, soon."""
        self._inbox.append(call)
        with contextlib.suppress(OSError):  # full (it will wake) or closed (it ended)
            self._wake_w.send(b"\0")

    # -- the loop ------------------------------------------------------------------------

    def run_once(self, stop: Callable[[], bool]) -> None:
        """Switch to every ready task, then, unless ``stop()``, wait for the next socket,
        timer or work handed over."""
        while self._ready:
            waiter = self._ready.popleft()
            waiter.task.switch(waiter.value)
        if stop():
            return
        timers = self._timers
        while timers and timers[0][2].done:  # woken by its socket: its timer is moot
            heapq.heappop(timers)
        timeout = LONGEST_SELECT_S
        if timers:
            timeout = min(timeout, max(0.0, timers[0][0] - time.monotonic()))
        if self._inbox:
            timeout = 0.0
        for key, _mask in self._selector.select(timeout):
            if key.data is None:
                self._drain_wakeups()
            else:
                self._wake(key.data, True)
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, waiter = heapq.heappop(self._timers)
            self._wake(waiter, False)
        while self._inbox:
            self._inbox.popleft()()

    def start(self, run: Callable[[], None]) -> None:
        """Start ``run()`` as a new task (from the loop)."""
        from greenlet import greenlet

        task = greenlet(lambda _woken: run(), parent=self.loop_greenlet)
        waiter = _Waiter(task)
        self._wake(waiter, True)

    def _drain_wakeups(self) -> None:
        try:
            while self._wake_r.recv(512):
                pass
        except (BlockingIOError, OSError):
            pass

    def close(self) -> None:
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()


class TaskLock:
    """A lock between the tasks of one hub: a task finding it held is parked until it is
    given back (never the hub's thread)."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._held = False
        self._waiters: collections.deque[_Waiter] = collections.deque()

    def __enter__(self) -> TaskLock:
        while self._held:
            waiter = _Waiter(_getcurrent())
            self._waiters.append(waiter)
            self._hub._park(waiter, None)
        self._held = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._held = False
        if self._waiters:
            self._hub._wake(self._waiters.popleft(), True)


class TaskPool:
    """:class:`concurrent.futures.ThreadPoolExecutor`'s ``submit`` and ``shutdown``, the
    tasks run as greenlets on one hub thread, at most ``limit`` at once.

    :param limit: tasks running at once (the others wait their turn, cancellable).
    :param name: the hub thread's name.
    :raises OSError: the hub could not be made (no descriptor left for its wake-ups).
    """

    def __init__(self, limit: int, name: str = "hamnhw-hub") -> None:
        self.limit = max(1, limit)
        self._queue: collections.deque[tuple[Future[Any], Callable[[], Any]]] = (
            collections.deque())
        self._running = 0
        self._closing = False
        self._futures: set[Future[Any]] = set()
        """The futures of the running tasks."""
        self._failed: BaseException | None = None
        """The error that ended the loop (not a task's), once it has."""
        self._submitting = threading.Lock()
        self._shut = False
        """:meth:`shutdown` was called: no more tasks (as a thread pool's)."""
        self._started = threading.Event()
        self._hub: Hub | None = None
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()
        self._started.wait()
        if self._hub is None:  # its thread could not make it (no descriptor left...)
            raise self._failed or RuntimeError("no hub")

    def submit(self, call: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``call(*args)`` as a task; its future is set when it ends.

        :raises RuntimeError: after :meth:`shutdown` (as a thread pool), or once the loop
            has ended on an error of its own.
        """
        future: Future[T] = Future()
        assert self._hub is not None
        with self._submitting:
            if self._shut:
                raise RuntimeError("cannot schedule new tasks after shutdown")
            if self._failed is not None:
                raise RuntimeError("the cooperative tasks' loop has failed") from self._failed
            self._hub.call_soon_threadsafe(
                lambda: self._enqueue(future, lambda: call(*args)))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """No more tasks; ``cancel_futures``: those not started never start; ``wait``:
        return once the running ones have ended."""
        assert self._hub is not None
        with self._submitting:
            self._shut = True
        self._hub.call_soon_threadsafe(lambda: self._close(cancel_futures))
        if wait:
            self._thread.join()

    # -- on the hub's thread ---------------------------------------------------------------

    def _loop(self) -> None:
        try:
            hub = self._hub = Hub()
        except BaseException as exc:  # raised by the constructor, waiting for it
            self._failed = exc
            self._started.set()
            return
        _ON_THREAD.hub = hub
        self._started.set()
        try:
            while not self._ended():
                hub.run_once(self._ended)
        except BaseException as exc:  # the loop's own (a task's is its future's)
            self._fail(exc)
        finally:
            _ON_THREAD.hub = None
            hub.close()

    def _fail(self, exc: BaseException) -> None:
        """End the future of every task, running or waiting, with the loop's error: the
        tasks will never run again, and their caller waits for their futures."""
        with self._submitting:
            self._failed = exc
        error = RuntimeError(f"the cooperative tasks' loop failed: {type(exc).__name__}: {exc}")
        error.__cause__ = exc
        assert self._hub is not None
        while self._hub._inbox:  # submitted, not queued yet: queued now, failed below
            with contextlib.suppress(Exception):
                self._hub._inbox.popleft()()
        for future in [*self._futures, *(future for future, _ in self._queue)]:
            with contextlib.suppress(InvalidStateError):  # cancelled meanwhile
                future.set_exception(error)
        self._queue.clear()

    def _ended(self) -> bool:
        return self._closing and not self._running and not self._queue

    def _enqueue(self, future: Future[Any], call: Callable[[], Any]) -> None:
        self._queue.append((future, call))
        if self._failed is None:
            self._start_waiting()

    def _close(self, cancel_futures: bool) -> None:
        self._closing = True
        if cancel_futures:
            while self._queue:
                self._queue.popleft()[0].cancel()

    def _start_waiting(self) -> None:
        assert self._hub is not None
        while self._queue and self._running < self.limit:
            future, call = self._queue.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            self._running += 1
            self._futures.add(future)
            self._hub.start(functools.partial(self._run, future, call))

    def _run(self, future: Future[Any], call: Callable[[], Any]) -> None:
        try:
            future.set_result(call())
        except BaseException as exc:  # the caller's to see, as a thread pool's
            future.set_exception(exc)
        finally:
            self._running -= 1
            self._futures.discard(future)
            self._start_waiting()


HELPERS = 256
"""Helper threads of :meth:`Hub.blocking` at most: as many name lookups at once as a
fan-out makes in threads (a slow name service is waited for by every node at once, not by
a few in turn past the later ones' connect timeouts); started only as lookups overlap."""

_helper_pool: Any = None
_helper_lock = threading.Lock()


def _helpers() -> Any:
    """The helper threads of :meth:`Hub.blocking` (name lookups)."""
    global _helper_pool
    from concurrent.futures import ThreadPoolExecutor

    with _helper_lock:
        if _helper_pool is None:
            _helper_pool = ThreadPoolExecutor(max_workers=HELPERS,
                                              thread_name_prefix="hamnhw-hub-helper")
        return _helper_pool
