"""Pulled power cords (``SimServer.pull_cords``, the ``pull_cords`` fault): the host off and
the BMC silent on loopback, not refusing: a new connection's connect times out, a request on
a kept connection gets no answer (and is not logged: the BMC is dead); plugged back in, it
answers again, the host powered as its restore policy says.  ``stop()`` is the refusing
BMC (its web server down).  Any server of a cluster pulls or plugs another's cords through
its control port (``POST /hamnhw-sim/cords``), whose own port may be silent."""

from __future__ import annotations

import base64
import http.client
import socket
from typing import Any

import pytest
import requests
from simclient import SYSTEM

from hamnhw.sim import ServerSpec, SimCluster, SimServer

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


# -- through another server's control port (POST /hamnhw-sim/cords) ----------------------

def cords(via: SimServer, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{via.http_url}/hamnhw-sim/cords", json=body, timeout=10)


@pytest.fixture
def pair(start_cluster) -> SimCluster:
    return start_cluster(
        ServerSpec(name="primary", power="On", power_restore_policy="AlwaysOn"),
        ServerSpec(name="standby", drives=(), raid1=False))


def test_any_server_pulls_and_plugs_another_s_cords(pair: SimCluster) -> None:
    primary, standby = pair["primary"], pair["standby"]
    answer = cords(standby, {"node": "primary", "pulled": True})
    assert answer.status_code == 200
    assert answer.json() == {"node": "primary", "pulled": True, "power_state": "Off",
                             "restore_policy": "AlwaysOn", "power_before": "On"}
    assert connect_times_out(primary)
    bays = requests.get(f"{standby.http_url}/hamnhw-sim/bays", timeout=10).json()
    assert bays["cords_pulled"] == ["primary"]
    answer = cords(standby, {"node": "primary", "pulled": False})
    assert answer.status_code == 200 and answer.json()["power_state"] == "On"  # AlwaysOn
    assert status(connection(primary)) == 200


@pytest.mark.parametrize(("policy", "before", "after"), [
    ("AlwaysOff", "On", "Off"), ("LastState", "On", "On"), ("LastState", "Off", "Off")])
def test_plugged_back_in_the_host_follows_its_restore_policy(
        start_cluster, policy: str, before: str, after: str) -> None:
    cluster = start_cluster(ServerSpec(name="a", power=before, power_restore_policy=policy),
                            ServerSpec(name="b"))
    assert cords(cluster["b"], {"node": "a", "pulled": True}).json()["power_state"] == "Off"
    plugged = cords(cluster["b"], {"node": "a", "pulled": False}).json()
    assert (plugged["power_state"], plugged["power_before"]) == (after, before)


def test_cords_refusals(pair: SimCluster) -> None:
    primary, standby = pair["primary"], pair["standby"]
    unknown = cords(standby, {"node": "nosuch", "pulled": True})
    assert unknown.status_code == 404 and "no server named 'nosuch'" in unknown.json()["error"]
    assert cords(standby, {"node": "primary"}).status_code == 400
    assert cords(standby, {"node": "primary", "pulled": "yes"}).status_code == 400
    plugged = cords(standby, {"node": "primary", "pulled": False})
    assert plugged.status_code == 409
    assert plugged.json()["error"] == "primary's power cords are plugged in already"
    assert cords(standby, {"node": "primary", "pulled": True}).status_code == 200
    again = cords(standby, {"node": "primary", "pulled": True})
    assert again.status_code == 409
    assert again.json()["error"] == "primary's power cords are pulled already"
    last = cords(standby, {"node": "standby", "pulled": True})
    assert last.status_code == 409 and "the last of this simulator" in last.json()["error"]
    assert not standby.cords.pulled and primary.cords.pulled


def test_a_pulled_server_s_drives_move_through_another_port(pair: SimCluster) -> None:
    """``"node"`` on a bay operation: the drive comes out of the silent server's bay."""
    primary, standby = pair["primary"], pair["standby"]
    serial = primary.drives[0].serial
    primary.pull_cords()
    pulled = requests.post(f"{standby.http_url}/hamnhw-sim/bays/pull",
                           json={"serial": serial, "node": "primary"}, timeout=10)
    assert pulled.status_code == 200 and pulled.json()["serial"] == serial
    inserted = requests.post(f"{standby.http_url}/hamnhw-sim/bays/insert",
                             json={"serial": serial}, timeout=10)
    assert inserted.status_code == 200
    assert pair.bays.locate(serial) == ("standby", "Bay 1")
