"""The hub loop of hamnhw.coop itself: a wait longer than the selector can be told (weeks)
does not end the loop, and an error of the loop (not of a task) ends every task's future
with it, so that the caller (a fan-out) is told instead of waiting for ever."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest

from hamnhw import coop
from hamnhw.fleet.runner import run_each

GUARD_S = 30.0
"""A failure guard: what is checked ends at once once it works."""

WEEKS_S = 60 * 24 * 3600.0
"""Beyond what epoll's timeout (milliseconds in a C int: 24.8 days) can be told."""


def _parked_until(peer: socket.socket, timeout: float | None) -> Callable[[], str]:
    """A task that waits for ``peer`` to be readable (``timeout``), then says so."""
    def task() -> str:
        hub = coop.current()
        assert hub is not None
        return "woken" if hub.wait(peer, coop.selectors.EVENT_READ, timeout) else "timed out"

    return task


def test_a_wait_of_weeks_leaves_the_loop_serving_the_others() -> None:
    mine, theirs = socket.socketpair()
    pool = coop.TaskPool(4)
    try:
        waiting = pool.submit(_parked_until(theirs, WEEKS_S))
        assert pool.submit(lambda: "at once").result(GUARD_S) == "at once"
        later = pool.submit(lambda: "later")  # a round of the loop after the long wait
        assert later.result(GUARD_S) == "later"
        mine.send(b"x")
        assert waiting.result(GUARD_S) == "woken"
    finally:
        pool.shutdown(wait=False)
        mine.close()
        theirs.close()


def _boom() -> None:
    raise ZeroDivisionError("the loop's own error")


def test_an_error_of_the_loop_ends_every_future_with_it() -> None:
    mine, theirs = socket.socketpair()
    pool = coop.TaskPool(1)
    try:
        parked = pool.submit(_parked_until(theirs, None))
        queued = pool.submit(lambda: "never started")
        assert pool._hub is not None
        pool._hub.call_soon_threadsafe(_boom)
        for future in (parked, queued):
            with pytest.raises(RuntimeError, match="loop") as caught:
                future.result(GUARD_S)
            assert isinstance(caught.value.__cause__, ZeroDivisionError)
        with pytest.raises(RuntimeError):
            pool.submit(lambda: "after")
    finally:
        pool.shutdown(wait=False)
        mine.close()
        theirs.close()


def test_a_fanout_whose_loop_fails_raises_instead_of_waiting() -> None:
    mine, theirs = socket.socketpair()
    outcome: list[Any] = []

    def task(index: int) -> str:
        if index == 0:
            hub = coop.current()
            assert hub is not None
            hub.call_soon_threadsafe(_boom)
            return _parked_until(theirs, None)()
        return "done"

    def run() -> None:
        try:
            outcome.extend(run_each([0, 1], task, name=str, cooperative=True))
        except BaseException as exc:  # what the caller is told
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GUARD_S)
    try:
        assert not thread.is_alive(), "the fan-out waits for a loop that has ended"
        assert isinstance(outcome[-1], RuntimeError)
    finally:
        mine.close()
        theirs.close()


def test_no_task_after_shutdown() -> None:
    """As a thread pool: a task submitted after ``shutdown`` is refused, not left waiting
    for a loop that has ended (its future would never be set)."""
    pool = coop.TaskPool(2)
    assert pool.submit(lambda: "before").result(GUARD_S) == "before"
    pool.shutdown(wait=True)
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(lambda: "after")


def test_a_hub_that_cannot_start_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub's thread failing to make its hub (no descriptor left for its wake-up
    socket pair: EMFILE) is the caller's error, not a constructor waiting for ever."""
    import errno

    def no_descriptors(_hub: Any) -> None:
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(coop.Hub, "__init__", no_descriptors)
    outcome: list[Any] = []

    def start() -> None:
        try:
            outcome.append(coop.TaskPool(2))
        except BaseException as exc:  # what the caller is told
            outcome.append(exc)

    thread = threading.Thread(target=start, daemon=True)
    thread.start()
    thread.join(GUARD_S)
    assert not thread.is_alive(), "TaskPool() waits for a hub that never came"
    assert isinstance(outcome[0], OSError) and outcome[0].errno == errno.EMFILE
