"""The fan-out's progress bar names the nodes it still waits for once a while passes
without one finishing (a hung BMC no longer hides behind "89%").  On an injected clock:
nothing is timed."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from hamnhw.cli.fleet_progress import QUIET_S, Running
from hamnhw.cli.fleet_views import TableView
from hamnhw.fleet.runner import NodeResult


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def drawn(view: TableView) -> str:
    """The bar as the terminal would show it now."""
    out = io.StringIO()
    Console(file=out, width=160, color_system=None).print(view.progress.get_renderable())
    return out.getvalue()


def done(name: str) -> NodeResult[dict[str, str]]:
    return NodeResult(name, {"power_state": "on"}, None, 0.1)


def test_the_bar_names_the_nodes_still_running_after_a_quiet_while(
        capsys: pytest.CaptureFixture[str]) -> None:
    clock = Clock()
    view = TableView(lambda payload: str(payload["power_state"]), clock=clock,
                     console=Console(file=io.StringIO()))
    names = ("n1", "n2", "n3", "n4", "n5", "n6")
    view.start(names)
    try:
        for name in names[:5]:  # n6 waits its turn (--fanout 5)
            view.started(name)
        view.add(done("n1"), 0)
        assert "waiting for" not in drawn(view)
        clock.now += QUIET_S - 0.1
        assert "waiting for" not in drawn(view), "a node finished a moment ago"
        clock.now += 0.2
        assert "waiting for n2, n3, n4 +1 more" in drawn(view), drawn(view)
        view.add(done("n3"), 0)  # progress: quiet again
        assert "waiting for" not in drawn(view)
        clock.now += QUIET_S
        shown = drawn(view)
        assert "waiting for n2, n4, n5" in shown and "more" not in shown, shown
    finally:
        view.finish([0, 0], 1.0)
    assert "n1" in capsys.readouterr().out  # the table, as before


def test_running_counts_the_names_it_does_not_show() -> None:
    clock = Clock()
    running = Running(clock, quiet_s=2.0, named=2)
    assert running.waiting() == ""
    clock.now += 5
    assert running.waiting() == "", "nothing is running"
    for name in ("a", "b", "c", "d"):
        running.started(name)
    assert running.waiting() == "waiting for a, b +2 more"
    running.ended("a")
    assert running.waiting() == ""
    clock.now += 2.0
    assert running.waiting() == "waiting for b, c +1 more"
