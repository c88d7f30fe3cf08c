"""What ``hamnhw raid delete`` checks, through the CLI against the simulator (review 8,
surviving mutations): a BMC that does not tell which volumes exist is refused; a DELETE the
BMC accepts is confirmed by a read; a task monitor gone once the delete is done is done."""

from __future__ import annotations

from typing import Any

import pytest
from cli_helpers import json_out
from raid_bench import STORAGE, VOLUMES

from hamnhw.sim import actions, raid_actions
from hamnhw.sim.actions import Response

VOLUME = "RAIDController1/Volume1"
MONITORS = "/redfish/v1/TaskService/TaskMonitors"


def test_a_bmc_that_does_not_tell_its_volumes_is_refused(cluster) -> None:
    """The Volumes collection is not readable: the volume cannot be found nor told apart
    from others, so nothing is deleted (a RefusedOperation, not 'no volume')."""
    bench = cluster(raid1=True)
    bench.server.inject("error_5xx", path=VOLUMES, method="GET", status=404)
    result = bench.cli("delete", VOLUME, "--yes")
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "RefusedOperation"), result.output
    assert "the BMC does not tell which volumes exist" in error["message"]
    assert bench.writes("DELETE", STORAGE) == []


def test_a_delete_accepted_but_not_done_is_operation_failed(cluster, monkeypatch) -> None:
    """204 to the DELETE, yet the volume is still listed: the read after it says so."""
    monkeypatch.setattr(raid_actions, "delete", lambda state, volume: Response(204))
    bench = cluster(raid1=True)
    result = bench.cli("delete", VOLUME, "--yes")
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "OperationFailed"), result.output
    assert f"volume {VOLUME} is still listed after the BMC accepted its DELETE" in \
        error["message"]
    assert len(bench.writes("DELETE", STORAGE)) == 1
    assert [v["id"] for v in bench.ok("show")["volumes"]] == [VOLUME]


def gone_once_done(monkeypatch, bench) -> None:
    """The monitor answers 404 once its task is done (services drop it)."""
    real = actions.task_monitor

    def monitor(state: Any, task_id: str) -> Response:
        task = state.tasks.get(task_id)
        if task is not None and task.is_done():
            return actions.not_found(f"{MONITORS}/{task_id}")
        return real(state, task_id)

    monkeypatch.setattr(actions, "task_monitor", monitor)


def gone_at_once(monkeypatch, bench) -> None:
    """The monitor answers 404 from the first read; the Task resource still tells."""
    bench.server.inject("error_5xx", path=MONITORS, method="GET", status=404)


@pytest.mark.parametrize("gone", [gone_once_done, gone_at_once])
def test_a_delete_whose_task_monitor_is_gone_is_judged_by_a_read(cluster, monkeypatch,
                                                                 gone) -> None:
    bench = cluster(raid1=True, create_answer="task", task_seconds=30.0)
    gone(monkeypatch, bench)
    deleted = bench.ok("delete", VOLUME, "--yes")
    assert (deleted["changed"], deleted["job"]["kind"], deleted["job"]["state"]) == (
        True, "task", "completed")
    assert 404 in [r.status for r in bench.server.requests if r.path.startswith(MONITORS)]
    assert bench.ok("show")["volumes"] == [] and len(bench.writes("DELETE", STORAGE)) == 1
