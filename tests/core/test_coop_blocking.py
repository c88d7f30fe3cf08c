"""Blocking work a fan-out's cooperative task must do (hamnhw.coop): done in a helper
thread, the task parked meanwhile, so that the other nodes go on.  The journal write of a
power-on forced over an unfinished pair run (SQLite, which waits up to 10 s for a lock the
failover coordinator holds) is one."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest

from hamnhw import coop
from hamnhw.pair import runguard

GUARD_S = 30.0
"""A failure guard: what is waited for comes at once once it works."""


def test_blocking_runs_beside_the_other_tasks() -> None:
    other_ran = threading.Event()
    pool = coop.TaskPool(2)
    try:
        waiting = pool.submit(coop.blocking, lambda: other_ran.wait(GUARD_S))
        pool.submit(other_ran.set)
        assert waiting.result(2 * GUARD_S) is True
    finally:
        pool.shutdown(wait=True)


def test_blocking_outside_a_task_calls_at_once() -> None:
    assert coop.blocking(threading.get_ident) == threading.get_ident()


def test_blocking_raises_what_the_call_raised() -> None:
    pool = coop.TaskPool(1)
    try:
        with pytest.raises(KeyError, match="gone"):
            pool.submit(coop.blocking, lambda: {}["gone"]).result(GUARD_S)
    finally:
        pool.shutdown(wait=True)


def test_a_journal_write_waiting_for_its_lock_holds_no_other_node(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A power-on's override journaled while the coordinator holds the journal's lock:
    that node waits; the other nodes of the fan-out go on meanwhile."""
    other_ran = threading.Event()
    written: list[Any] = []

    def write_once_the_other_ran(*args: Any) -> None:
        assert other_ran.wait(GUARD_S), "no other node ran while the journal was written"
        written.append(args[2:4])

    monkeypatch.setattr("hamnhw.pair.open_journal",
                        lambda _config, create=True: contextlib.nullcontext(object()))
    monkeypatch.setattr("hamnhw.failover.overrides.journal_override",
                        write_once_the_other_ran)
    pool = coop.TaskPool(2)
    try:
        journaled = pool.submit(runguard._journal_override, object(), object(),
                                ["standby"], "on")
        pool.submit(other_ran.set)
        journaled.result(2 * GUARD_S)
    finally:
        pool.shutdown(wait=True)
    assert written == [(["standby"], "on")]
