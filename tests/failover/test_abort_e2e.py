"""``failover abort``: what it restores, when it may power the old node on (never from the
run's state alone once the disks were said moved), and that it is journaled: an abort
killed anywhere is finished by running it again, no power-on sent twice."""

from __future__ import annotations

import collections
import time
from pathlib import Path

import pytest
from clirun import hamnhw
from doubles import OperatorDouble
from pairsim import PairSim, copy_journal, write_config
from runs import Crash, coordinator, crash_at, move, ready

from hamnhw.config import load_config
from hamnhw.pair import open_journal
from hamnhw.sim import DriveSpec

pytestmark = pytest.mark.e2e

RESEND = ("resend power_on_old_node to primary", "resend reset_old_node to primary")
"""What the operator types when an interrupted abort's power-on shows no effect."""


def stranger_mover(sim: PairSim):
    def mover(_order) -> None:
        sim.move_mn_drives("primary", "standby")
        sim.cluster.insert_drive(DriveSpec("STRANGER1"), "standby", bay="Bay 5")
    return mover


def test_abort_after_a_failed_verification_powers_nothing(start_pair) -> None:
    """Review 3: verification sends the run back to awaiting_disks; the disks are still
    journaled as moved, so abort restores no policy and sends nothing to the old node."""
    sim = start_pair()
    ready(sim)
    operator = OperatorDouble(stranger_mover(sim))
    report = coordinator(sim, operator).start(yes=True)
    assert report.state == "awaiting_disks" and "STRANGER1" in report.stop_reason
    before = sim.reset_posts("primary")
    report = coordinator(sim, operator).abort(power_on_old_node=True)
    assert report.outcome == "stopped" and "nothing was sent" in report.stop_reason
    assert report.state == "aborted"
    assert sim.reset_posts("primary") == before
    assert sim["primary"].state.restore_policy == "AlwaysOff"
    assert sim["standby"].state.restore_policy == "AlwaysOff"


def test_abort_after_the_move_never_powers_the_old_node_on_even_from_a_fresh_drive_list(
        start_pair) -> None:
    """Soak seed 900009: once the disks are journaled as moved, the old node is never powered
    on by hamnhw (the issue's safety rule), even when a POST after the move (here by hand)
    shows every MN drive back in it: that list is only a picture of its moment."""
    sim = start_pair()
    ready(sim)
    operator = OperatorDouble(stranger_mover(sim))
    assert coordinator(sim, operator).start(yes=True).state == "awaiting_disks"
    sim.move_mn_drives("standby", "primary")
    sim["primary"].set_power("On")  # the operator powers it into its setup by hand
    time.sleep(0.5)
    sim["primary"].set_power("Off")
    before = sim.reset_posts("primary")
    report = coordinator(sim, operator).abort(power_on_old_node=True)
    assert report.state == "aborted", report.text()
    assert report.outcome == "stopped" and "never powers the old node on" in report.stop_reason
    assert "hamnhw power on primary" in report.stop_reason
    assert sim.reset_posts("primary") == before
    assert sim["primary"].power_state == "Off"
    assert sim["primary"].state.restore_policy == "AlwaysOff"


def test_abort_of_a_run_stopped_in_the_fence_leaves_the_running_mn_alone(start_pair) -> None:
    """The fence could not switch the primary off (every ForceOff refused): it still runs
    the MN.  ``abort --power-on-old-node`` sends it nothing (no POST into setup, no
    force-off) and gives it back its restore policy."""
    sim = start_pair(failover={"graceful_timeout": 0})
    ready(sim)
    sim["primary"].inject("reset_conflict", count=50)
    report = coordinator(sim, OperatorDouble(None)).start(yes=True)
    assert report.outcome == "stopped" and report.state == "fence", report.text()
    sim["primary"].clear_faults()
    report = coordinator(sim, OperatorDouble(None)).abort(power_on_old_node=True)
    assert report.outcome == "aborted", report.text()
    assert sim.accepted_resets("primary") == []
    assert sim["primary"].power_state == "On"
    assert sim["primary"].state.restore_policy == "AlwaysOn"
    assert sim["standby"].state.restore_policy == "AlwaysOff"


def test_abort_before_the_move_restores_policies_and_can_power_the_old_node_on(
        start_pair) -> None:
    sim = start_pair()
    ready(sim)
    operator = OperatorDouble(None)
    assert coordinator(sim, operator).start(yes=True).outcome == "waiting"
    assert sim["primary"].state.restore_policy == "AlwaysOff"
    report = coordinator(sim, operator).abort(power_on_old_node=True)
    assert report.outcome == "aborted", report.text()
    assert sim["primary"].state.restore_policy == "AlwaysOn"
    assert sim["standby"].state.restore_policy == "AlwaysOff"
    assert sim.accepted_resets("primary")[-2:] == ["On", "PowerCycle"]


def test_abort_while_verifying_powers_nothing(start_pair) -> None:
    sim = start_pair()
    ready(sim)
    operator = OperatorDouble(move(sim))
    sim["standby"].inject("ignore_boot_override", count=1)
    assert coordinator(sim, operator).start(yes=True).outcome == "stopped"
    posts = len(sim.reset_posts("primary")) + len(sim.reset_posts("standby"))
    report = coordinator(sim, operator).abort(power_on_old_node=True)
    assert report.outcome == "stopped" and "nothing was sent" in report.stop_reason
    assert len(sim.reset_posts("primary")) + len(sim.reset_posts("standby")) == posts


def test_abort_of_a_run_killed_in_finish(start_pair, monkeypatch) -> None:
    """Review 8: abort works from every unfinished state; the target booted the MN disks,
    so the journal stops naming an active node and nothing is powered."""
    sim = start_pair()
    ready(sim)
    crash_at(monkeypatch, "state:finish")
    with pytest.raises(Crash):
        coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    posts = len(sim.reset_posts("primary")) + len(sim.reset_posts("standby"))
    report = coordinator(sim, OperatorDouble(None)).abort()
    assert report.outcome == "aborted" and report.state == "aborted", report.text()
    assert len(sim.reset_posts("primary")) + len(sim.reset_posts("standby")) == posts
    assert sim["standby"].power_state == "On"
    with open_journal(load_config(sim.config_path)) as journal:
        assert journal.active_node() is None


def abort_end(sim: PairSim) -> dict[str, object]:
    with open_journal(load_config(sim.config_path)) as journal:
        run = journal.latest_run()
    return {"primary": sim["primary"].power_state, "stage": sim["primary"].boot_progress,
            "policies": (sim["primary"].state.restore_policy,
                         sim["standby"].state.restore_policy),
            "run": run.state if run else None,
            "posts": collections.Counter(sim.accepted_resets("primary"))}


def abort_with_power_on(sim: PairSim, monkeypatch, point: str | None,
                        trace: list[str] | None = None) -> None:
    """``abort --power-on-old-node`` killed at ``point``, then ``abort`` again (typing the
    confirmation a power-on without effect needs); returns once the old node's OS runs."""
    crash_at(monkeypatch, point, trace)
    try:
        coordinator(sim, OperatorDouble(None)).abort(power_on_old_node=True)
    except Crash:
        with open_journal(load_config(sim.config_path)) as journal:
            finished = journal.latest_run().finished
        if not finished:
            report = coordinator(sim, OperatorDouble(None, types=RESEND)).abort()
            assert report.outcome == "aborted", f"{point}: {report.text()}"
    deadline = time.monotonic() + 5  # the old node boots its OS
    while sim["primary"].boot_progress != "OSRunning" and time.monotonic() < deadline:
        time.sleep(0.05)


def as_after_start(sim: PairSim, template: Path, directory: Path) -> None:
    """The pair as ``failover start`` leaves it waiting for the disks (primary fenced, both
    restore policies AlwaysOff, identify LEDs on), with that run's journal."""
    sim.cluster.reset()
    for name in ("primary", "standby"):
        sim[name].state.restore_policy = "AlwaysOff"
        sim[name].state.led = True
    sim["primary"].set_power("Off")
    sim.config_path, sim.journal_dir = write_config(directory, sim.cluster)
    copy_journal(template, sim.journal_dir)


@pytest.mark.timeout(300)
def test_abort_killed_at_every_point_is_finished_by_abort_again(start_pair, monkeypatch,
                                                                tmp_path: Path) -> None:
    """Review 4: every abort action is journaled before it is sent; killed at any point,
    ``abort`` again ends as an uninterrupted abort, no POST accepted twice."""
    sim = start_pair()
    ready(sim)
    assert coordinator(sim, OperatorDouble(None)).start(yes=True).outcome == "waiting"
    template = tmp_path / "template"
    copy_journal(sim.journal_dir, template)
    trace: list[str] = []
    as_after_start(sim, template, tmp_path / "reference")
    abort_with_power_on(sim, monkeypatch, None, trace)
    expected = abort_end(sim)
    assert expected["stage"] == "OSRunning" and expected["run"] == "aborted", expected
    assert expected["posts"] == {"On": 1, "PowerCycle": 1}, expected
    points = list(dict.fromkeys(trace))
    assert {"abort.power_on_old_node:sent", "abort.reset_old_node:intent",
            "state:aborting"} <= set(points)
    failures = []
    for index, point in enumerate(points):
        as_after_start(sim, template, tmp_path / f"p{index}")
        abort_with_power_on(sim, monkeypatch, point)
        if abort_end(sim) != expected:
            failures.append(f"{point}: {abort_end(sim)} != {expected}")
    assert not failures, "\n".join(failures)


def test_an_abort_sigkilled_after_the_power_on_is_finished_by_abort_again(
        sim_pair: PairSim) -> None:
    """The same through the command line, with a real SIGKILL."""
    config = str(sim_pair.config_path)
    ready(sim_pair)
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 10, out
    code, out = hamnhw("failover", "abort", "--power-on-old-node", "--config", config,
                       env={"HAMNHW_FAILOVER_KILL_AT": "abort.power_on_old_node:sent"})
    assert code == -9
    code, out = hamnhw("failover", "status", "--config", config)
    assert out["state"] == "aborting"
    code, out = hamnhw("failover", "abort", "--config", config)
    assert code == 0 and out["outcome"] == "aborted", out
    assert sim_pair.accepted_resets("primary").count("On") == 1
    assert sim_pair.accepted_resets("primary")[-1] == "PowerCycle"
