"""hamnhw.parallel.each: helpers join the caller up to the width; under a big fan-out
(more callers at once than BUSY) the caller works alone; escaping errors reach the caller.
Observed with a barrier and thread names, never by timing."""

from __future__ import annotations

import threading

import pytest

from hamnhw import parallel


def test_helpers_join_the_caller_up_to_the_width() -> None:
    barrier = threading.Barrier(3, timeout=10)
    seen: list[str] = []

    def task(item: int) -> None:
        seen.append(threading.current_thread().name)
        barrier.wait()  # broken (and raised here) unless three run at once

    parallel.each(task, range(3), width=3)
    assert len(set(seen)) == 3 and threading.current_thread().name in seen


def test_a_busy_process_works_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "BUSY", 0)
    seen: list[str] = []
    parallel.each(lambda item: seen.append(threading.current_thread().name), range(4), width=4)
    assert seen == [threading.current_thread().name] * 4
    assert parallel._callers == 0


def test_many_bmcs_open_in_the_process_work_alone() -> None:
    """A fan-out over more than BUSY BMCs: their own reads overlap already; each call
    works alone until enough of them closed."""
    def threads_used(together: bool) -> set[str]:
        seen: list[str] = []
        barrier = threading.Barrier(3, timeout=10)

        def task(item: int) -> None:
            seen.append(threading.current_thread().name)
            if together:
                barrier.wait()  # broken (and raised) unless three run at once

        parallel.each(task, range(3), width=3)
        return set(seen)

    for _ in range(parallel.BUSY + 1):
        parallel.bmc_opened()
    try:
        assert threads_used(together=False) == {threading.current_thread().name}
    finally:
        for _ in range(parallel.BUSY + 1):
            parallel.bmc_closed()
    assert len(threads_used(together=True)) == 3, "helpers again once they closed"


def test_an_error_escaping_a_task_reaches_the_caller() -> None:
    def task(item: int) -> None:
        if item == 1:
            raise KeyError(item)

    with pytest.raises(KeyError):
        parallel.each(task, range(4), width=2)
    assert parallel._callers == 0


def test_helpers_read_in_the_callers_read_epoch() -> None:
    """The read epoch is a context variable: helpers run in a copy of the caller's."""
    from hamnhw import readmemo

    readmemo.new_epoch()
    mine = readmemo.epoch()
    seen: list[tuple[int, str]] = []
    parallel.each(lambda _: seen.append((readmemo.epoch(), threading.current_thread().name)),
                  range(8), 4)
    assert len(seen) == 8 and {epoch for epoch, _ in seen} == {mine}
