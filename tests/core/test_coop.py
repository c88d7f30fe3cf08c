"""Cooperative tasks (hamnhw.coop): one hub thread, tasks parked on their sockets,
timers and locks, a pool that behaves as the fan-out's thread pool did."""

from __future__ import annotations

import selectors
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from hamnhw import coop


def run_all(calls: list[Callable[[], Any]], limit: int = 64) -> list[Any]:
    """Each call as a task of one pool; their results in order."""
    pool = coop.TaskPool(limit, "test-hub")
    try:
        futures = [pool.submit(call) for call in calls]
        return [future.result(timeout=30) for future in futures]
    finally:
        pool.shutdown(wait=True)


def test_tasks_run_on_one_thread_and_their_waits_overlap() -> None:
    events: list[str] = []

    def task(index: int) -> str:
        events.append(f"start {index}")
        coop.sleep(0.05)
        events.append(f"end {index}")
        return threading.current_thread().name

    threads = run_all([lambda i=i: task(i) for i in range(10)])
    assert set(threads) == {"test-hub"}
    # every task had started before any ended: their sleeps overlapped
    assert all(e.startswith("start") for e in events[:10]), events
    assert all(e.startswith("end") for e in events[10:]), events


def test_no_more_tasks_run_at_once_than_the_limit() -> None:
    running, most = [0], [0]

    def task() -> None:
        running[0] += 1
        most[0] = max(most[0], running[0])
        coop.sleep(0.01)
        running[0] -= 1

    run_all([task] * 12, limit=3)
    assert most[0] == 3


def test_a_task_error_is_its_futures_and_the_others_go_on() -> None:
    pool = coop.TaskPool(4, "test-hub")
    try:
        failing = pool.submit(lambda: 1 / 0)
        fine = pool.submit(lambda: "ok")
        assert isinstance(failing.exception(timeout=30), ZeroDivisionError)
        assert fine.result(timeout=30) == "ok"
    finally:
        pool.shutdown(wait=True)


def test_shutdown_cancels_what_has_not_started_and_waits_for_what_runs() -> None:
    release = threading.Event()
    pool = coop.TaskPool(1, "test-hub")
    first = pool.submit(lambda: pool_wait(release))
    later = [pool.submit(lambda: "never") for _ in range(4)]
    releaser = threading.Timer(0.05, release.set)
    releaser.start()
    pool.shutdown(wait=True, cancel_futures=True)
    assert first.result(timeout=0) == "released"
    assert all(future.cancelled() for future in later)


def pool_wait(event: threading.Event) -> str:
    while not event.is_set():
        coop.sleep(0.01)
    return "released"


def test_a_task_lock_holds_the_other_tasks_parked_never_the_thread() -> None:
    events: list[str] = []
    pool = coop.TaskPool(8, "test-hub")
    locks: dict[str, Any] = {}

    def task(index: int) -> None:
        hub = coop.current()
        assert hub is not None
        lock = locks.setdefault("bmc", hub.lock())
        with lock:
            events.append(f"in {index}")
            coop.sleep(0.01)  # the others run meanwhile, and wait for the lock
            events.append(f"out {index}")

    try:
        for future in [pool.submit(task, i) for i in range(4)]:
            future.result(timeout=30)
    finally:
        pool.shutdown(wait=True)
    pairs = list(zip(events[::2], events[1::2], strict=True))
    assert all(a.split()[1] == b.split()[1] and a.startswith("in") and b.startswith("out")
               for a, b in pairs), events


def test_a_wait_ends_when_the_socket_is_ready_or_at_its_timeout() -> None:
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    try:
        def waits() -> tuple[bool, bytes]:
            hub = coop.current()
            assert hub is not None
            ready = hub.wait(reader, selectors.EVENT_READ, 30)
            return ready, reader.recv(10)

        def writes() -> None:
            coop.sleep(0.02)
            writer.send(b"x")

        def times_out() -> bool:
            hub = coop.current()
            assert hub is not None
            return hub.wait(reader, selectors.EVENT_READ, 0.01)

        assert run_all([waits, writes]) == [(True, b"x"), None]
        assert run_all([times_out]) == [False]
    finally:
        reader.close()
        writer.close()


def test_a_blocking_call_runs_in_a_helper_thread_within_its_timeout() -> None:
    never = threading.Event()

    def looks_up() -> str:
        hub = coop.current()
        assert hub is not None
        return hub.blocking(lambda: threading.current_thread().name, 30)

    def hangs() -> str:
        hub = coop.current()
        assert hub is not None
        try:
            hub.blocking(never.wait, 0.02)
        except TimeoutError:
            return "timed out"
        return "returned"

    try:
        helper, hung = run_all([looks_up, hangs])
    finally:
        never.set()
    assert helper.startswith("hamnhw-hub-helper") and hung == "timed out"


def test_outside_any_task_there_is_no_hub_and_sleep_is_times() -> None:
    assert coop.current() is None
    coop.sleep(0)  # time.sleep: no hub needed
    assert run_all([lambda: coop.current() is not None]) == [True]


def test_a_failing_loop_fails_every_future_instead_of_leaving_callers_waiting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    pool = coop.TaskPool(1, "test-hub")
    running = pool.submit(lambda: pool_wait(release))
    queued = pool.submit(lambda: "never")
    while len(pool._queue) < 1:  # handed over to the loop (not a timing assertion)
        time.sleep(0.001)

    def broken(_self: Any, _stop: Any) -> None:
        raise OSError("selector gone")

    assert pool._hub is not None
    monkeypatch.setattr(coop.Hub, "run_once", broken)
    pool._hub.call_soon_threadsafe(lambda: None)  # wake it: the next round fails
    for future in (running, queued):
        with pytest.raises(RuntimeError, match="loop failed"):
            future.result(timeout=30)
    release.set()
