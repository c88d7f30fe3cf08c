"""What the fuzz targets found, kept as plain examples (each failed before its fix)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from fuzzlib import FakeClient, make_driver, services
from hamnhw_drivers.generic import raid_jobs

from hamnhw.config import load_config
from hamnhw.errors import ConfigError, MalformedResponse
from hamnhw.jobs import JobState
from hamnhw.models import RaidType
from hamnhw.raid import CreateRequest
from hamnhw.transport import errormap


def test_a_config_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """Expected: a ConfigError naming the file, not a UnicodeDecodeError traceback."""
    path = tmp_path / "hamnhw.toml"
    path.write_bytes(b'\x80[primary]\nbmc = "redfish://10.0.0.5"\n')
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        load_config(path)
    assert info.value.path == str(path)


@pytest.mark.parametrize("body", [b'{"CapacityBytes": NaN}', b'{"PercentComplete": Infinity}',
                                  b'{"a": -Infinity}', b"[" * 100_000 + b"]" * 100_000])
def test_non_finite_numbers_and_deep_nesting_are_malformed_json(body: bytes) -> None:
    """Expected: MalformedResponse naming the BMC and the path (Python's json accepts NaN and
    Infinity, which then crashed int() in the drive parser; deep nesting raised
    RecursionError)."""
    with pytest.raises(MalformedResponse, match="invalid JSON") as info:
        errormap.parse_json(body, "application/json", host="bmc.test", path="/redfish/v1/x")
    assert info.value.host == "bmc.test" and info.value.uri == "/redfish/v1/x"
    assert errormap.redfish_message(body) == (None, [])


@pytest.mark.parametrize("json_body", [5, '{"Links": 3}', '{"Links": {"Drives": 7}}',
                                       "[" * 100_000])
def test_a_pending_task_with_an_odd_json_body_does_not_break_a_create_plan(json_body) -> None:
    """Expected: a plan (the task's drives unknown), not TypeError/AttributeError from the
    RAID create's pending-task scan."""
    docs = dict(services()[1])  # the service without a volume: the create is planned
    task = copy.deepcopy(docs["/redfish/v1/TaskService/Tasks/1"])
    task["Payload"]["JsonBody"] = json_body
    docs["/redfish/v1/TaskService/Tasks/1"] = task
    driver = make_driver(FakeClient(docs))
    ids = tuple(d.id for d in driver.raid.drives() or ())[:2]
    plan = driver.raid.plan_create(CreateRequest(RaidType.RAID1, ids))
    assert plan.changed and plan.requests[0].method == "POST"


@pytest.mark.parametrize("messages", [True, 5, {"Message": "x"}, None])
def test_a_task_whose_messages_are_not_a_list_has_no_messages(messages) -> None:
    """Expected: the task's state, no messages, not a TypeError out of the job status."""
    status = raid_jobs.task_status({"TaskState": "Running", "PercentComplete": 10,
                                    "Messages": messages})
    assert (status.state, status.percent, status.messages) == (JobState.RUNNING, 10, ())
