"""Helpers of the library-level failover scenarios: a pair made ready (snapshot, active
node), a coordinator with a test operator, a simulated operator's move."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from doubles import OperatorDouble
from pairsim import PairSim

from hamnhw.config import load_config
from hamnhw.failover import Coordinator, killpoints
from hamnhw.pair import open_journal
from hamnhw.pair.snapshot import take_snapshot


def ready(sim: PairSim, active: str | None = "primary") -> None:
    """Take the pair snapshot and record the active node (None: leave it unknown)."""
    config = load_config(sim.config_path)
    take_snapshot(config)
    if active:
        with open_journal(config) as journal:
            journal.set_active_node(active, "test setup")


def coordinator(sim: PairSim, operator: OperatorDouble) -> Coordinator:
    return Coordinator(load_config(sim.config_path), operator=operator)


def move(sim: PairSim, src: str = "primary", dst: str = "standby",
         serials: Sequence[str] | None = None) -> Callable[[Any], None]:
    """An operator's mover: the MN drives (or ``serials``) from ``src`` into ``dst``."""
    return lambda _order: sim.move_mn_drives(src, dst, serials)


def standby_posts(sim: PairSim) -> list[str]:
    """ResetTypes the standby accepted."""
    return sim.accepted_resets("standby")


def journal_facts(sim: PairSim) -> dict[str, Any]:
    """The newest run's facts."""
    with open_journal(load_config(sim.config_path)) as journal:
        run = journal.latest_run()
    assert run is not None
    return run.facts


class Crash(BaseException):
    """A simulated SIGKILL at a kill point: the journal is left as a killed coordinator
    leaves it (an intent without its outcome, a state committed and nothing after)."""


def crash_at(monkeypatch: pytest.MonkeyPatch, point: str | None,
             trace: list[str] | None = None) -> None:
    """Make the coordinator die at ``point`` (once), recording every point in ``trace``."""
    real = killpoints.reached

    def reached(name: str) -> None:
        if trace is not None:
            trace.append(name)
        if name == point:
            monkeypatch.setattr(killpoints, "reached", real)
            raise Crash(name)
        real(name)

    monkeypatch.setattr(killpoints, "reached", reached)
