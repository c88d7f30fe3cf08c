"""One Node used from two threads: each thread keeps its own operation deadline, and a
re-login holds the Node's request gate alone (:mod:`hamnhw.transport.gate`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from transport_loopback import SESSIONS, first_session_expires, make_transport

import hamnhw
from hamnhw import errors
from hamnhw.models import PowerState
from hamnhw.sim import ServerSpec, SimCluster, SimServer

CHASSIS = "/redfish/v1/Chassis"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="node", power="On")]) as cluster:
        yield cluster["node"]


def test_deadline_belongs_to_the_thread_that_opened_the_block() -> None:
    transport = make_transport("redfish://bmc.test")
    seen: dict[str, float | None] = {}
    first_in, second_in = threading.Event(), threading.Event()

    def first() -> None:
        with transport.operation(1):
            first_in.set()
            second_in.wait(5)
            seen["first"] = transport._deadline.seconds

    def second() -> None:
        first_in.wait(5)
        with transport.operation(100):
            second_in.set()
            seen["second"] = transport._deadline.seconds

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    seen["main"] = transport._deadline
    assert seen == {"first": 1, "second": 100, "main": None}


def test_two_operations_on_one_node_from_two_threads(sim: SimServer) -> None:
    sim.clear_faults()
    sim.inject("hang", count=1, method="GET", path=CHASSIS)
    node = hamnhw.connect(sim.url, username=sim.username, password=sim.password,
                          timeout=30, read_timeout=5)
    outcome: dict[str, object] = {}
    short_in, long_in = threading.Event(), threading.Event()

    def short() -> None:
        with node.operation(1.0):
            short_in.set()
            long_in.wait(5)
            try:
                node.driver.client.get(CHASSIS)
            except errors.HamnhwError as exc:
                outcome["short"] = exc

    def long() -> None:
        short_in.wait(5)
        with node.operation(60):
            long_in.set()
            outcome["long"] = [node.power.state() for _ in range(3)]

    with node:
        threads = [threading.Thread(target=short), threading.Thread(target=long)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    short_error = outcome["short"]
    assert isinstance(short_error, errors.BmcTimeout) and short_error.deadline_passed, \
        "the short operation ended at its own 1 s deadline, not at the read timeout"
    assert outcome["long"] == [PowerState.ON] * 3
    sessions = [r for r in sim.requests if r.path.startswith("/redfish/v1/SessionService/")]
    assert [r.method for r in sessions] == ["POST", "DELETE"]


def test_two_threads_meeting_the_same_expired_session_log_in_again_once(bmc) -> None:
    """Both threads get a 401 for the old token before either logs in again: one re-login
    (and one DELETE of the superseded session); the other thread re-sends with the new one."""
    bmc.standard()
    first_session_expires(bmc, ["tok-first-0000000001", "tok-second-000000002",
                                "tok-third-0000000003"])
    transport = make_transport(bmc.url).open()
    both_refused = threading.Event()
    real_renew = transport._renew
    waited: list[bool] = []

    def renew(answer, method, path):
        if not waited:  # the first thread waits until the other one met its 401 too
            waited.append(True)
            both_refused.wait(5)
        return real_renew(answer, method, path)

    def refusals() -> int:
        return sum(1 for r in bmc.requests if r.path == "/redfish/v1/Systems")

    transport._renew = renew
    results: list[object] = []

    def read() -> None:
        results.append(transport.get("/redfish/v1/Systems"))
        if refusals() >= 2:
            both_refused.set()

    threads = [threading.Thread(target=read) for _ in range(2)]
    threads[0].start()
    while refusals() < 1:
        threading.Event().wait(0.01)
    threads[1].start()
    while refusals() < 2:
        threading.Event().wait(0.01)
    both_refused.set()
    for thread in threads:
        thread.join(10)
    transport.close()

    assert results == [{"Members": []}] * 2
    assert bmc.count("POST", SESSIONS) == 2, "the first login and ONE re-login"
    assert bmc.count("DELETE", f"{SESSIONS}/1") == 1
