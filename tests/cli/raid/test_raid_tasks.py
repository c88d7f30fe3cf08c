"""Creates the BMC already works on, through the CLI against the simulator: a drive of a
create staged for the next reset is refused for another create; a create that runs now (an
immediate create answered 202) is followed to its end by a re-run, never reset under; a
failed create whose task monitor is gone is a failure, not a timeout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cli_helpers import json_out
from raid_bench import Bench

import hamnhw
from hamnhw.cli import options
from hamnhw.interfaces import PollPolicy
from hamnhw.jobs import JobState
from hamnhw.models import RaidType
from hamnhw.raid import CreateRequest

RESET = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
MONITORS = "/redfish/v1/TaskService/TaskMonitors"


def on_first_sleep(monkeypatch: pytest.MonkeyPatch, bench: Bench,
                   action: Callable[[], object]) -> None:
    """The CLI's waits sleep on the bench clock; ``action`` runs at the first sleep (the BMC
    changes while the command follows a task)."""
    pending = [action]

    def sleep(seconds: float) -> None:
        while pending:
            pending.pop()()
        bench.clock.sleep(seconds)

    monkeypatch.setattr(options, "poll_policy", lambda: PollPolicy(
        interval=5.0, timeout=600.0, clock=bench.clock, sleep=sleep))


def test_a_drive_of_a_pending_create_is_refused_for_another_create(cluster) -> None:
    bench = cluster()
    bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--apply-time", "on-reset")
    result = bench.cli("create", "--level", "1", "--drives", "Bay1,Bay3",
                       "--apply-time", "on-reset")
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "RefusedOperation"), error
    assert "drive RAIDController1/Bay1 is in another create" in error["message"]
    assert "Bay3 is in another" not in error["message"]
    assert len(bench.writes()) == 1


def test_a_running_create_is_followed_by_a_rerun_and_never_reset(cluster) -> None:
    bench = cluster(create_answer="task", task_seconds=30.0)
    request = CreateRequest(RaidType.RAID1, ("Bay1", "Bay2"))
    with hamnhw.connect(bench.server.url, "admin", bench.server.password) as node:
        started = node.raid.create(request, wait=False)
    assert started.status is not None and started.status.state is JobState.RUNNING
    plan = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--dry-run")
    assert (plan["changed"], plan["pending"]) == (False, False)
    assert "already running" in plan["summary"] and plan["requests"] == []
    rerun = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2",
                     "--apply-time", "on-reset", "--reboot")
    assert (rerun["changed"], rerun["pending"], rerun["job"]["state"]) == (
        False, False, "completed")
    assert rerun["volume"]["drives"] == ["RAIDController1/Bay1", "RAIDController1/Bay2"]
    assert bench.writes("POST", RESET) == [] and len(bench.writes()) == 1


def test_a_failed_create_whose_monitor_is_gone_is_job_failed(cluster, monkeypatch) -> None:
    """The monitor answers 404 (dropped, as services do); the Task resource still tells
    that the create failed (a member failed before it applied)."""
    bench = cluster(create_answer="task", task_seconds=30.0)
    bench.server.inject("error_5xx", path=MONITORS, method="GET", status=404)
    on_first_sleep(monkeypatch, bench, lambda: bench.server.fail_drive(bench.serial(2)))
    result = bench.cli("create", "--level", "1", "--drives", "Bay1,Bay2")
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "JobFailed"), error
    assert "could not be created" in error["message"]
    assert any(r.path.startswith("/redfish/v1/TaskService/Tasks/") for r in bench.server.requests
               if r.method == "GET")


def test_a_202_whose_task_body_says_completed_is_still_running(cluster, monkeypatch) -> None:
    """The monitor's first answer is a 202 whose Task body already says ``Completed`` while
    the create still runs (the volume is not there yet): the status code wins, the monitor
    is read again until it stops answering 202, and the volume is then found."""
    from hamnhw.sim import actions

    real, early = actions.task_monitor, [True]

    def monitor(state: Any, task_id: str) -> Any:
        answer = real(state, task_id)
        if answer.status == 202 and early and not state.tasks[task_id].is_done():
            early.clear()
            answer.body = {**answer.body, "TaskState": "Completed", "PercentComplete": 100}
        return answer

    monkeypatch.setattr(actions, "task_monitor", monitor)
    bench = cluster(create_answer="task", task_seconds=30.0)
    created = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2")
    assert (created["job"]["kind"], created["job"]["state"]) == ("task", "completed")
    assert created["volume"]["drives"] == ["RAIDController1/Bay1", "RAIDController1/Bay2"]
    assert not early and len(bench.writes()) == 1
    statuses = [r.status for r in bench.server.requests if r.path.startswith(MONITORS)]
    assert statuses.count(202) >= 2
