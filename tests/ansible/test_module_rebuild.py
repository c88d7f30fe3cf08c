"""The raid module's ``state: rebuild`` run again: ``changed: false`` once the rebuild
finished (it failed "volume is optimal"), and failed, nothing sent, for a drive other than
the one the controller is rebuilding onto (it reported "already rebuilding", unchanged)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from ansiblerun import REPO, run_module

pytest.importorskip("ansible", reason="ansible-core is a test dependency (make venv)")

from hamnhw.sim import DriveSpec, ManualClock, RaidSpec, ServerSpec, SimCluster, SimServer

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from ansible_collections.hamnhw.bmc.plugins.modules import raid

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

VOLUME = "RAIDController1/Volume1"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def node(clock: ManualClock) -> Iterator[SimServer]:
    """A RAID1 over bays 1-2 whose Bay 1 failed and was replaced by NEW-SN1; two free
    drives; a rebuild takes 60 simulated seconds."""
    drives = tuple(DriveSpec(serial=f"RB-SN{i}", bay=f"Bay {i}") for i in range(1, 5))
    spec = ServerSpec(name="rb", power="On", raid1=True, drives=drives, post_time=0.0,
                      raid=RaidSpec(rebuild_seconds=60.0))
    with SimCluster([spec], clock=clock) as cluster:
        server = cluster["rb"]
        server.fail_drive("RB-SN1")
        server.pull_drive("RB-SN1")
        server.insert_drive(DriveSpec(serial="NEW-SN1", bay="Bay 1"))
        yield server


def rebuild(server: SimServer, drive: str, serial: str, **extra: Any) -> dict[str, Any]:
    return {"bmc": server.url, "username": server.username, "password": server.password,
            "state": "rebuild", "volume": VOLUME, "drive": drive, "confirm_serial": serial,
            **extra}


def patches(server: SimServer) -> int:
    return len([r for r in server.requests if r.method == "PATCH"])


def test_rebuild_run_again_after_it_finished_is_unchanged(
        node: SimServer, clock: ManualClock, capsys: pytest.CaptureFixture[str]) -> None:
    first = run_module(raid, rebuild(node, "RAIDController1/Bay1", "NEW-SN1"), capsys)
    assert first.get("failed") is not True and first["changed"] is True, first
    during = run_module(raid, rebuild(node, "RAIDController1/Bay1", "NEW-SN1"), capsys)
    assert during["changed"] is False, during
    clock.advance(60)
    for check_mode in (False, True):
        after = run_module(raid, rebuild(node, "RAIDController1/Bay1", "NEW-SN1",
                                         _ansible_check_mode=check_mode), capsys)
        assert after.get("failed") is not True, after
        assert after["changed"] is False and "is optimal" in after["summary"]
    other = run_module(raid, rebuild(node, "RAIDController1/Bay3", "RB-SN3"), capsys)
    assert other["failed"] is True and "nothing to rebuild" in other["msg"]
    assert patches(node) == 1


def test_rebuild_onto_a_drive_the_controller_is_not_rebuilding_onto_fails(
        node: SimServer, capsys: pytest.CaptureFixture[str]) -> None:
    """Bay3, a global spare, took over by itself: the new disk in Bay 1 is refused."""
    node.set_hotspare("RB-SN3")
    result = run_module(raid, rebuild(node, "RAIDController1/Bay1", "NEW-SN1"), capsys)
    assert result["failed"] is True and result["error"]["type"] == "RefusedOperation", result
    assert "onto RAIDController1/Bay3, not onto RAIDController1/Bay1" in result["msg"]
    assert patches(node) == 0
