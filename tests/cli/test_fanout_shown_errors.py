"""The fan-out (:func:`hamnhw.cli.fleet._fan_out`) shows each node's error as the node
raised it: a signal that comes while an earlier node's line is being printed turns only the
nodes it ended into ``Interrupted`` (with what each had sent and read), never one that had
already failed on its own; and the line being printed when it came still goes out.

Driven with events, one node at a time (``--fanout 1``): n01 succeeds; n02 fails on its own
(a power-on the BMC accepted, not confirmed); n03 is under way (its reset sent, a wait read
``powering_on``); n04 waits its turn.  n01's line is printed once n03 has started (so n02's
error is known), and SIGINT is raised in the middle of printing it; n03 sees it before
that line is out (its thread's check must not drop the signal the main thread holds)."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from hamnhw import interrupts, progress
from hamnhw.cli import fleet, options, resolve
from hamnhw.cli.fleet_views import StreamView
from hamnhw.cli.progress import LastUpdate
from hamnhw.cli.watch import RequestWatch
from hamnhw.errors import Interrupted, StateUnconfirmed
from hamnhw.fleet.runner import NodeResult
from hamnhw.fleet.targets import Selection
from hamnhw.ipmi_fallback import UnsafeCounter
from hamnhw.progress import WaitUpdate

NAMES = ("n01", "n02", "n03", "n04")
GUARD_S = 60.0
"""A guard against a hang, not a timing assertion."""


class Nodes:
    """Stands in for :func:`hamnhw.cli.options.act_before_logout`, one behaviour a node."""

    def __init__(self) -> None:
        self.n03_started = threading.Event()
        self.signalled = threading.Event()
        self.n03_checked = threading.Event()
        self.called: list[str] = []
        self.n02_error = StateUnconfirmed("power on: the BMC stopped answering", host="n02",
                                          accepted=True, last_state="powering_on")

    def act(self, name: str, _kwargs: dict[str, Any], _prepare: Any, watch: RequestWatch,
            _choose_system: bool) -> tuple[dict[str, Any], Callable[[], None]]:
        self.called.append(name)
        if name == "n02":
            raise self.n02_error
        if name == "n03":
            counter = UnsafeCounter(SimpleNamespace(host="n03"))  # type: ignore[arg-type]
            counter.unsafe_attempts = 1  # the reset was sent
            watch.counter = counter
            progress.current().update(WaitUpdate("n03: power on", "powering_on", 0.1, 60.0))
            self.n03_started.set()
            assert self.signalled.wait(GUARD_S)
            try:
                interrupts.check()  # where the node's next request would end after a signal
            finally:
                self.n03_checked.set()
        return {"power_state": "on"}, lambda: None


class SignalDuringFirstLine(StreamView):
    """JSON lines; SIGINT comes while n01's line is being shown, once n03 has started."""

    def __init__(self, nodes: Nodes) -> None:
        super().__init__(True, lambda payload: "")
        self.nodes = nodes
        self.added: dict[str, NodeResult[Any]] = {}

    def add(self, result: NodeResult[Any], code: int) -> None:
        if result.node == "n01":
            assert self.nodes.n03_started.wait(GUARD_S)  # n02 has failed (one at a time)
            try:
                signal.raise_signal(signal.SIGINT)  # its handler runs before this returns
            finally:
                self.nodes.signalled.set()
            assert interrupts.received() == signal.SIGINT
            # a worker saw the signal too: the one held here is still raised after the line
            assert self.nodes.n03_checked.wait(GUARD_S)
        self.added[result.node] = result
        super().add(result, code)


def test_an_error_before_the_signal_is_shown_as_the_nodes_own(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    nodes = Nodes()
    monkeypatch.setattr(options, "act_before_logout", nodes.act)
    monkeypatch.setattr(resolve, "each_connect_arguments", lambda nodes, _options, _config: {
        name: {"url": f"redfish://{name}.invalid"} for name in nodes})
    view = SignalDuringFirstLine(nodes)
    given = fleet.FleetOptions(NAMES, None, 1, options.TargetOptions(node=""))
    with interrupts.interruptible():
        codes = fleet._fan_out(Selection(NAMES, single=False), given, lambda _budget: dict,
                               True, view, lambda _payload: 0)
    assert sorted(codes) == [0, 1, 130, 130, 130]  # the last: the fan-out's interrupt
    assert "n04" not in nodes.called, "started after the signal"

    assert view.added["n02"].error is nodes.n02_error  # itself, not the interrupt
    *lines, last = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_node = {line["node"]: line for line in lines}
    assert sorted(by_node) == list(NAMES) and len(lines) == len(NAMES)
    assert by_node["n01"] == {"node": "n01", "power_state": "on"}  # shown, signal or not
    assert by_node["n02"]["error"] == {
        "type": "StateUnconfirmed", "message": "n02: power on: the BMC stopped answering",
        "exit_code": 1}
    assert (nodes.n02_error.request_sent, nodes.n02_error.accepted,
            nodes.n02_error.last_state) == (True, True, "powering_on")
    n03, n04 = by_node["n03"]["error"], by_node["n04"]["error"]
    assert (n03["type"], n03["exit_code"], n03["signal"]) == ("Interrupted", 130, "SIGINT")
    assert (n03["request_sent"], n03["last_state"]) == (True, "powering_on")  # its own watch
    assert (n04["type"], n04["request_sent"], n04["last_state"]) == ("Interrupted", False, None)
    # each names its BMC, as every other error of a node does (n04 never started)
    assert n03["message"].startswith("n03.invalid: interrupted by SIGINT; "), n03
    assert n04["message"] == "n04.invalid: interrupted by SIGINT", n04
    assert last["summary"]["by_exit_code"] == {"1": 1, "130": 2}
    assert (last["summary"]["nodes"], last["summary"]["ok"]) == (4, 1)


def test_an_error_raised_after_the_signal_is_the_interrupt() -> None:
    """The conversion where the node ran: its error after the signal (its deadline read as
    expired, its request ended) is ``Interrupted``, with the node's own watch and last
    state; before the signal it is its own."""
    reporter = LastUpdate(progress.SilentReporter())
    reporter.update(WaitUpdate("n1: power off", "powering_off", 0.1, 60.0))
    error = StateUnconfirmed("lost", host="n1", accepted=True)
    assert fleet._as_interrupted(error, RequestWatch(), reporter) is error
    with interrupts.interruptible():
        with pytest.raises(Interrupted):
            signal.raise_signal(signal.SIGTERM)
        converted = fleet._as_interrupted(error, RequestWatch(), reporter)
    assert isinstance(converted, Interrupted) and converted.signum == signal.SIGTERM
    assert (converted.request_sent, converted.last_state) == (False, "powering_off")
