"""Fault matrix rows: a 202 with ``Retry-After`` as seconds, as an HTTP date or missing, and
a task monitor that answers 404 once its task completed; bodies of 50 MB and HTML; members
without ``@odata.id``.  Against the simulator over loopback (its task answers varied for
the test), or a scripted peer for the 50 MB body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import hamnhw
from hamnhw import errors
from hamnhw.models import RaidType
from hamnhw.poll import PollPolicy
from hamnhw.raid import CreateRequest
from hamnhw.sim import ManualClock, RaidSpec, ServerSpec, SimCluster, SimServer
from hamnhw.sim import actions as sim_actions
from hamnhw.sim import raid_actions as sim_raid_actions
from hamnhw.sim import resources as sim_resources

pytestmark = pytest.mark.e2e
VOLUMES = "/redfish/v1/Systems/1/Storage/RAIDController1/Volumes"
MONITORS = "/redfish/v1/TaskService/TaskMonitors/"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> Iterator[SimServer]:
    spec = ServerSpec(name="node", power="On", raid1=False,
                      raid=RaidSpec(create_answer="task", task_seconds=6.0))
    with SimCluster([spec], clock=clock, sleep=clock.sleep) as cluster:
        yield cluster["node"]


RETRY_AFTER = {"seconds": "3", "http-date": "Wed, 21 Oct 2015 07:28:00 GMT", "missing": None}


@pytest.mark.parametrize("form", list(RETRY_AFTER))
def test_202_retry_after_forms_and_a_monitor_gone_after_completion(
        sim: SimServer, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    """202 + task monitor with ``Retry-After`` in seconds (waited as given), as an HTTP date
    or missing (the poll interval instead); the monitor answers 404 once the task is done:
    the create is judged from a read (the volume is there), succeeds, and its POST is sent
    exactly once."""
    accepted = sim_actions.task_accepted

    def varied(state: Any, task_id: str) -> Any:
        response = accepted(state, task_id)
        response.headers.pop("Retry-After", None)
        if RETRY_AFTER[form] is not None:
            response.headers["Retry-After"] = RETRY_AFTER[form]
        return response

    def gone_when_done(state: Any, task_id: str) -> Any:
        task = state.tasks.get(task_id)
        if task is not None and task.is_done():
            return sim_actions.not_found(f"{MONITORS}{task_id}")
        return varied(state, task_id)

    for module in (sim_actions, sim_raid_actions):
        monkeypatch.setattr(module, "task_accepted", varied)
    monkeypatch.setattr(sim_actions, "task_monitor", gone_when_done)
    poll = PollPolicy(interval=1.0, timeout=60.0, clock=clock, sleep=clock.sleep)
    with hamnhw.connect(sim.url, username=sim.username, password=sim.password, poll=poll,
                        timeout=10.0) as node:
        ids = tuple(d.id for d in node.raid.drives() or ())[:2]
        clock.sleeps.clear()
        outcome = node.raid.create(CreateRequest(RaidType.RAID1, ids), wait=True, timeout=60)
        assert outcome.volume is not None or any(
            v.raid_type is RaidType.RAID1 for v in node.raid.volumes() or ())
    assert sum(1 for r in sim.requests if r.method == "POST" and r.path == VOLUMES) == 1
    monitor = [r.status for r in sim.requests if r.path.startswith(MONITORS)]
    assert monitor[-1] == 404 and 202 in monitor
    assert (3.0 in clock.sleeps) is (form == "seconds")


def test_html_body_is_malformed_naming_the_bmc(clock: ManualClock, sim: SimServer) -> None:
    """An HTML page with 200 where JSON is due: MalformedResponse naming the BMC and the
    path; the GET is not re-sent in a loop (at most the retry policy's attempts)."""
    sim.inject("html_error", path="/redfish/v1/Systems/1", method="GET", status=200)
    with hamnhw.connect(sim.url, username=sim.username, password=sim.password,
                        timeout=10.0, choose_system=False) as node, pytest.raises(
            errors.MalformedResponse, match="HTML") as info:
        node.power.state()
    assert f"127.0.0.1:{sim.port}" in str(info.value)
    assert sum(1 for r in sim.requests if r.path == "/redfish/v1/Systems/1") <= 4


def test_members_without_odata_id_are_skipped(sim: SimServer, clock: ManualClock,
                                              monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    """A collection whose members lack ``@odata.id`` (or are not objects): those members are
    skipped with a warning naming the collection, the valid one is used; no request goes to
    a made-up path."""
    render = sim_resources.render

    def odd_members(state: Any, path: str) -> Any:
        doc = render(state, path)
        if path.rstrip("/") == "/redfish/v1/Systems" and isinstance(doc, dict):
            doc["Members"] = [{"Name": "no id"}, "junk", *doc["Members"], {"@odata.id": None}]
        return doc

    monkeypatch.setattr(sim_resources, "render", odd_members)
    caplog.set_level("WARNING")
    with hamnhw.connect(sim.url, username=sim.username, password=sim.password,
                        timeout=10.0) as node:
        assert node.inventory.system().id == "1"
    assert "/redfish/v1/Systems" in caplog.text and "@odata.id" in caplog.text
    paths = {r.path.rstrip("/") for r in sim.requests}
    assert not {p for p in paths if p.startswith("/redfish/v1/Systems/") and
                p != "/redfish/v1/Systems/1" and not p.startswith("/redfish/v1/Systems/1/")}


def test_a_50_mb_body_is_capped(tmp_path: Any) -> None:
    """A 50 MB answer (Content-Length announced, then streamed): MalformedResponse naming the
    cap, read no further than the 16 MiB cap, the GET not retried (one request)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "transport"))
    from transport_loopback import LoopbackBmc, make_transport

    size, sent = 50 * 1024 * 1024, {"bytes": 0}

    def huge(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        chunk = b" " * (1024 * 1024)
        try:
            for _ in range(50):
                handler.wfile.write(chunk)
                sent["bytes"] += len(chunk)
        except OSError:
            pass  # the client hung up at the cap

    bmc = LoopbackBmc().standard()
    bmc.behave("GET", "/redfish/v1/Systems/1", huge)
    bmc.start()
    try:
        with make_transport(bmc.url) as client, pytest.raises(errors.MalformedResponse,
                                                               match=r"MB|bytes|cap|large"):
            client.get("/redfish/v1/Systems/1")
        assert bmc.count("GET", "/redfish/v1/Systems/1") == 1
        assert sent["bytes"] < size
    finally:
        bmc.close()
