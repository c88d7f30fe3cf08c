"""The coordinator's power reads side by side, interrupted (review of ``run_power``): a
Ctrl-C in the coordinator's read is raised at once (:func:`hamnhw.parallel.beside`), the
other node's read still under way in its helper.  The connection that read opened is
neither left open on the BMC unjournaled (``delete_stale_sessions`` could not find it) nor
closed under the read: kept (journaled, then logged out) once its read ended, else closed by
the read itself when it ends.

The primary's read (the coordinator's thread) raises the interrupt only once the standby's
connection (the helper's) is open: no timing decides the order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from doubles import OperatorDouble
from pairsim import PairSim
from runs import coordinator, ready

from hamnhw import pair
from hamnhw.config import load_config
from hamnhw.failover import ScriptedOperator, livepower
from hamnhw.failover.journal import Journal
from hamnhw.pair import open_journal

pytestmark = pytest.mark.e2e

BOUND_S = 30.0
"""Only a failure waits this long (no timing is asserted)."""


class Interrupting:
    """``pair.connect_node`` once armed: the standby's connection opened (then held until
    ``release`` when ``hold``), the primary's connect raising KeyboardInterrupt once it is."""

    def __init__(self, real: Callable[..., Any], hold: bool) -> None:
        self.real = real
        self.armed = False
        self.standby_open = threading.Event()
        self.release = threading.Event()
        self.closed = threading.Event()
        self.closed_in: list[str] = []
        self.journaled: list[str] = []
        if not hold:
            self.release.set()

    def __call__(self, config: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.armed:
            return self.real(config, name, *args, **kwargs)
        if name == "primary":
            assert self.standby_open.wait(BOUND_S)
            raise KeyboardInterrupt
        node = self.real(config, name, *args, **kwargs)
        real_close = node.close

        def close() -> None:
            real_close()
            self.closed_in.append(threading.current_thread().name)
            self.closed.set()

        node.close = close
        self.standby_open.set()
        assert self.release.wait(BOUND_S)
        return node


def interrupted_report_reads(sim: PairSim, monkeypatch: pytest.MonkeyPatch,
                             hold: bool) -> Interrupting:
    """A resume that stops (the primary silent after the move), interrupted in its report's
    power reads (both nodes connected anew)."""
    ready(sim)
    assert coordinator(sim, OperatorDouble(None)).start(yes=True).outcome == "waiting"
    sim.move_mn_drives("primary", "standby")
    sim.pull_cords("primary")
    connect = Interrupting(pair.connect_node, hold)
    real_event = Journal.event

    def event(journal: Journal, run_id: Any, kind: str, *args: Any, **kwargs: Any) -> Any:
        if kind == "stop":  # the report's reads come next
            connect.armed = True
        return real_event(journal, run_id, kind, *args, **kwargs)

    real_opened = Journal.session_opened

    def session_opened(journal: Journal, run_id: Any, node: str, path: str) -> int:
        if connect.armed:
            connect.journaled.append(node)
        return real_opened(journal, run_id, node, path)

    monkeypatch.setattr(Journal, "event", event)
    monkeypatch.setattr(Journal, "session_opened", session_opened)
    monkeypatch.setattr(pair, "connect_node", connect)
    with pytest.raises(KeyboardInterrupt):
        coordinator(sim, ScriptedOperator(disks_moved=True)).resume(disks_moved=True)
    assert connect.standby_open.is_set()
    return connect


def open_in_journal(sim: PairSim, name: str) -> list[tuple[int, str]]:
    with open_journal(load_config(sim.config_path)) as journal:
        return journal.open_sessions(name)


def test_a_connection_whose_read_ended_is_journaled_and_logged_out(
        start_pair: Callable[..., PairSim], monkeypatch: pytest.MonkeyPatch) -> None:
    sim = start_pair(failover={"power_off_timeout": 0.5})
    monkeypatch.setattr(livepower, "SETTLE_S", BOUND_S)  # the helper's read ends first
    connect = interrupted_report_reads(sim, monkeypatch, hold=False)
    assert connect.closed.is_set() and connect.closed_in == ["MainThread"], connect.__dict__
    assert sim["standby"].state.sessions == {}, "the standby's session was left open"
    assert "standby" in connect.journaled, "the standby's session was never journaled"
    assert open_in_journal(sim, "standby") == []  # and journaled closed at the logout


def test_a_read_still_under_way_closes_its_own_connection(
        start_pair: Callable[..., PairSim], monkeypatch: pytest.MonkeyPatch) -> None:
    sim = start_pair(failover={"power_off_timeout": 0.5})
    monkeypatch.setattr(livepower, "SETTLE_S", 0.0)  # not waited for: still under way
    connect = interrupted_report_reads(sim, monkeypatch, hold=True)
    assert not connect.closed.is_set(), "closed under the read"
    connect.release.set()
    assert connect.closed.wait(BOUND_S), "the helper's connection was never closed"
    assert connect.closed_in and connect.closed_in != ["MainThread"], connect.closed_in
    assert sim["standby"].state.sessions == {}, "the standby's session was left open"
    assert connect.journaled == [] and open_in_journal(sim, "standby") == []
