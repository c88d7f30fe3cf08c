"""Pulled power cords (``SimServer.pull_cords``, the ``pull_cords`` fault): the host off and
the BMC silent on loopback, not refusing: a new connection's connect times out, a request on
a kept connection gets no answer (and is not logged: the BMC is dead); plugged back in, it
answers again, the host powered as its restore policy says.  ``stop()`` is the refusing
BMC (its web server down)."""

from __future__ import annotations

import base64
import http.client
import socket

import pytest
from simclient import SYSTEM

from hamnhw.sim import ServerSpec, SimServer

SHORT_S = 0.3
"""How long a silent read is given here."""


def connection(server: SimServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=SHORT_S)


def status(conn: http.client.HTTPConnection, path: str = "/redfish/v1/") -> int:
    conn.request("GET", path)
    answer = conn.getresponse()
    answer.read()
    return answer.status


def connect_times_out(server: SimServer) -> bool:
    try:
        socket.create_connection(("127.0.0.1", server.port), SHORT_S).close()
    except TimeoutError:
        return True
    return False


@pytest.fixture
def node(start_cluster) -> SimServer:
    return start_cluster(ServerSpec(name="node", power="On",
                                    power_restore_policy="AlwaysOn"))["node"]


def test_pulled_cords_are_silent_then_plugged_back_the_bmc_answers(node: SimServer) -> None:
    kept = connection(node)
    assert status(kept) == 200
    node.pull_cords()
    assert node.cords.pulled and node.power_state == "Off"
    with pytest.raises(TimeoutError):
        status(kept)  # the kept connection: no answer, no reset
    assert connect_times_out(node)  # a new one: the SYN is dropped
    assert [r.path for r in node.requests] == ["/redfish/v1/"]  # nothing reached the BMC
    node.plug_cords()
    assert not node.cords.pulled
    assert status(connection(node)) == 200
    assert node.power_state == "On"  # AlwaysOn


def test_a_stopped_bmc_refuses_where_a_pulled_one_is_silent(node: SimServer) -> None:
    port = node.port
    node.pull_cords()
    node.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), SHORT_S)


def test_the_pull_cords_fault_pulls_them_as_a_request_arrives(node: SimServer) -> None:
    """``answered=1``: the first read of the system is answered, the second finds the cords
    pulled (logged without an answer), and the BMC is silent from then on."""
    node.inject("pull_cords", path=SYSTEM, method="GET", answered=1)
    kept = connection(node)
    basic = base64.b64encode(f"{node.username}:{node.password}".encode()).decode()
    kept.request("GET", SYSTEM, headers={"Authorization": f"Basic {basic}"})
    assert kept.getresponse().read()
    assert status(kept, "/redfish/v1/") == 200  # another path: not counted
    with pytest.raises(TimeoutError):
        status(kept, SYSTEM)
    assert node.cords.pulled and node.faults.active() == []
    assert connect_times_out(node)
    assert [(r.path, r.status) for r in node.requests][-1] == (SYSTEM, None)
