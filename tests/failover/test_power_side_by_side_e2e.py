"""Each pair node's power is read side by side (outside review): ``hamnhw failover status``
and the coordinator's reads after a stop cost one silent BMC's connect timeout once, not
one node's after the other's, and a silent BMC is shown as "no answer" (with how long was
waited), never as a power state.

That both reads were under way at once is shown, not timed: each read waits at a barrier
for the other before it goes on (read one after the other, the first gives up waiting and
the barrier breaks).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from doubles import OperatorDouble
from pairsim import PairSim
from runs import coordinator, ready

from hamnhw import pair
from hamnhw.cli.main import cli
from hamnhw.failover import ScriptedOperator, livepower
from hamnhw.failover.journal import Journal

pytestmark = pytest.mark.e2e

GATE_S = 5.0
"""How long a read waits for the other at the barrier (only a run one after the other waits
that long)."""


class Gate:
    """A barrier both reads pass before either goes on; who passed, and whether it broke."""

    def __init__(self) -> None:
        self.barrier = threading.Barrier(2)
        self.passed: list[str] = []
        self.broken: list[str] = []
        self.armed = True

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def gated(config: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            if self.armed:
                try:
                    self.barrier.wait(timeout=GATE_S)
                    self.passed.append(name)
                except threading.BrokenBarrierError:
                    self.broken.append(name)
            return real(config, name, *args, **kwargs)
        return gated


def waiting_run(sim: PairSim) -> None:
    """A run waiting for the disks (the primary fenced off), the standby then switched on
    by hand, the primary's cords pulled: its BMC silent."""
    ready(sim)
    assert coordinator(sim, OperatorDouble(None)).start(yes=True).outcome == "waiting"
    sim["standby"].set_power("On")
    sim.pull_cords("primary")


def status(sim: PairSim, *json_flag: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*json_flag, "failover", "status", "--config",
                                      str(sim.config_path)], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_status_reads_both_nodes_at_once_and_names_the_silent_one(
        start_pair: Callable[..., PairSim], monkeypatch: pytest.MonkeyPatch) -> None:
    sim = start_pair()
    waiting_run(sim)
    gate = Gate()
    monkeypatch.setattr(livepower, "connect_node", gate.wrap(livepower.connect_node))
    code, stdout = status(sim, "--json")
    assert gate.broken == [] and sorted(gate.passed) == ["primary", "standby"], gate.__dict__
    out = json.loads(stdout)
    assert code == 0, out
    assert out["power"] == {"primary": None, "standby": "on"}, out
    answer = out["power_answers"]["primary"]
    assert answer["answer"] == "no answer" and isinstance(answer["waited_s"], float), answer
    assert "standby" not in out["power_answers"]
    assert out["power_last"] == {"primary": "off"} and out["power_as_of"]["primary"], out
    gate.armed = False
    code, text = status(sim)
    assert code == 0, text
    [line] = [line for line in text.splitlines() if line.startswith("  power: ")]
    assert line.startswith("  power: primary no answer after ") and " s (last read off at " in (
        line) and line.endswith(", standby on"), line
    assert "primary off" not in text and "unreachable" not in text, text


def test_the_reads_after_a_stop_are_side_by_side_and_say_no_answer(
        start_pair: Callable[..., PairSim], monkeypatch: pytest.MonkeyPatch) -> None:
    """The resume stops at the primary's silence after the move; the report's power reads
    (both nodes connected anew) are under way at once, the primary's shown as no answer."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    ready(sim)
    assert coordinator(sim, OperatorDouble(None)).start(yes=True).outcome == "waiting"
    sim.move_mn_drives("primary", "standby")
    sim.pull_cords("primary")
    gate = Gate()
    gate.armed = False
    real_event = Journal.event

    def event(journal: Journal, run_id: Any, kind: str, *args: Any, **kwargs: Any) -> Any:
        if kind == "stop":  # the report's reads come next
            gate.armed = True
        return real_event(journal, run_id, kind, *args, **kwargs)

    monkeypatch.setattr(Journal, "event", event)
    monkeypatch.setattr(pair, "connect_node", gate.wrap(pair.connect_node))
    report = coordinator(sim, ScriptedOperator(disks_moved=True)).resume(disks_moved=True)
    assert report.outcome == "stopped" and report.needs is not None, report.text()
    assert gate.broken == [] and sorted(gate.passed) == ["primary", "standby"], gate.__dict__
    assert report.power == {"primary": None, "standby": "off"}, report.text()
    assert report.power_answers["primary"]["answer"] == "no answer"
    assert "power: primary no answer after " in report.text()
