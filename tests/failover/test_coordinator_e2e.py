"""The coordinator through the library against a simulated pair (the CLI has its own tests)."""

from __future__ import annotations

import pytest
from doubles import OperatorDouble
from pairsim import PairSim, mn_serials

from hamnhw import progress
from hamnhw.config import load_config
from hamnhw.failover import Coordinator
from hamnhw.pair.snapshot import take_snapshot

pytestmark = pytest.mark.e2e


def coordinator(sim: PairSim, operator: OperatorDouble) -> Coordinator:
    return Coordinator(load_config(sim.config_path), operator=operator)


def snapshot(sim: PairSim) -> None:
    take_snapshot(load_config(sim.config_path))


def mover(sim: PairSim, src: str = "primary", dst: str = "standby"):
    def move(order) -> None:
        assert order.source == src and order.target == dst
        sim.move_mn_drives(src, dst, [d.serial for d in order.drives])
    return move


class Recorder:
    """A progress reporter keeping every update."""

    def __init__(self) -> None:
        self.updates: list[progress.WaitUpdate] = []

    def update(self, update: progress.WaitUpdate) -> None:
        self.updates.append(update)

    def finish(self, update: progress.WaitUpdate, ok: bool) -> None:
        self.updates.append(update)


def test_happy_path(sim_pair: PairSim) -> None:
    snapshot(sim_pair)
    operator = OperatorDouble(mover(sim_pair), types=["primary is the active MN"])
    recorder = Recorder()
    with progress.reporting(recorder):
        report = coordinator(sim_pair, operator).start(yes=True)
    assert report.outcome == "done", report.text()
    assert report.passed
    assert sim_pair["primary"].power_state == "Off"
    assert sim_pair["standby"].power_state == "On"
    assert sim_pair["standby"].boot_progress == "OSRunning"
    assert {d.serial for d in sim_pair["standby"].drives} == set(mn_serials(sim_pair.cluster))
    assert sim_pair["primary"].state.restore_policy == "AlwaysOff"
    assert sim_pair["standby"].state.restore_policy == "AlwaysOn"
    assert sim_pair["standby"].state.boot_enabled == "Disabled"
    assert sim_pair.accepted_resets("primary") == ["GracefulShutdown"]
    assert sim_pair.accepted_resets("standby") == ["On", "PowerCycle"]
    assert report.active_node == "standby"
    assert [o.drives[0].serial for o in operator.orders] == [mn_serials(sim_pair.cluster)[0]]
    waits = {u.what: u.state for u in recorder.updates}
    assert waits["standby: OS running"] == "on os_running"  # review 13: no raw repr
    assert not any("HostView(" in u.state for u in recorder.updates)
