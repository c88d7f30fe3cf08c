"""Every fault kind, and the count/path/method limits."""

from __future__ import annotations

import threading

import pytest
import requests
from simclient import RESET, SESSIONS, SYSTEM, Bmc

from hamnhw.sim import FAULT_KINDS, FaultError, ServerSpec


class RecordingSleep:
    """Stands in for the simulator's waits: records them, never sleeps."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> bool:
        self.calls.append(seconds)
        return False


@pytest.fixture
def sleep():
    return RecordingSleep()


@pytest.fixture
def server(start_cluster, sleep):
    return start_cluster(ServerSpec(name="primary"), sleep=sleep)["primary"]


@pytest.fixture
def client(server):
    bmc = Bmc(server)
    yield bmc
    bmc.close()


def test_all_documented_kinds_exist():
    assert set(FAULT_KINDS) == {"latency", "error_5xx", "expire_session", "hang", "byte_drip",
                                "html_error", "malformed_json", "ignore_reset", "power_flap",
                                "reset_conflict", "ignore_boot_override",
                                "refuse_restore_policy", "ignore_restore_policy",
                                "spurious_off", "gather", "no_members", "paged_members",
                                "rotate_password", "refuse_password", "pull_cords"}


def test_latency_waits_then_answers(server, client, sleep):
    server.inject("latency", seconds=2.5, count=1)
    assert client.get(SYSTEM).status_code == 200
    assert client.get(SYSTEM).status_code == 200
    assert sleep.calls == [2.5]


def test_5xx_burst_then_recovery(server, client):
    server.inject("error_5xx", count=2)
    statuses = [client.get(SYSTEM).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert [r.status for r in server.requests] == [503, 503, 200]


def test_5xx_custom_status_limited_to_path_and_method(server, client):
    server.inject("error_5xx", status=500, path=RESET, method="POST")
    assert client.get(SYSTEM).status_code == 200
    assert client.reset("On").status_code == 500
    assert client.system()["PowerState"] == "Off"  # the failed request changed nothing


def test_expire_session_invalidates_every_session(server):
    anonymous = Bmc(server, auth=None)
    login = anonymous.post(SESSIONS, {"UserName": "admin", "Password": server.password})
    token = login.headers["X-Auth-Token"]
    server.inject("expire_session", count=1)
    headers = {"X-Auth-Token": token}
    assert anonymous.get("/redfish/v1").status_code == 200  # unauthenticated: untouched
    assert anonymous.get(SYSTEM, headers=headers).status_code == 401
    assert anonymous.get(SYSTEM, headers=headers).status_code == 401
    assert server.state.sessions == {}


def test_html_error_page(server, client):
    server.inject("html_error", count=1)
    response = client.get(SYSTEM)
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")


def test_malformed_json(server, client):
    server.inject("malformed_json", count=1)
    response = client.get(SYSTEM)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert client.get(SYSTEM).json()["Id"] == "1"


def test_byte_drip_sends_one_byte_per_interval(server, client, sleep):
    server.inject("byte_drip", interval=0.5, count=1)
    response = client.get(SYSTEM)
    assert response.json()["Id"] == "1"
    assert len(sleep.calls) == len(response.content)
    assert set(sleep.calls) == {0.5}


def test_ignore_reset_accepts_and_does_nothing(server, client):
    server.inject("ignore_reset", count=1)
    assert client.reset("On").status_code == 204
    assert client.system()["PowerState"] == "Off"
    assert client.reset("On").status_code == 204
    assert client.system()["PowerState"] == "On"


def test_power_flap_comes_back_on(start_cluster, clock):
    server = start_cluster(ServerSpec(name="flappy", power="On"))["flappy"]
    client = Bmc(server)
    server.inject("power_flap", after=30, count=1)
    assert client.reset("ForceOff").status_code == 204
    assert client.system()["PowerState"] == "Off"
    clock.advance(29)
    assert client.system()["PowerState"] == "Off"
    clock.advance(1)
    assert client.system()["PowerState"] == "On"


def test_hang_holds_the_connection_and_does_not_block_stop(start_cluster):
    cluster = start_cluster(ServerSpec(name="stuck"))
    server = cluster["stuck"]
    server.inject("hang", path=SYSTEM)
    client = Bmc(server)
    assert client.get("/redfish/v1").status_code == 200
    with pytest.raises(requests.ReadTimeout):
        client.get(SYSTEM, timeout=0.3)
    assert server.requests[-1].status is None
    outcome: list[object] = []

    def waiting_client() -> None:
        try:
            outcome.append(Bmc(server).get(SYSTEM, timeout=30).status_code)
        except requests.RequestException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=waiting_client)
    thread.start()
    cluster.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert isinstance(outcome[0], requests.RequestException)


def test_clear_faults(server, client):
    server.inject("error_5xx")
    assert client.get(SYSTEM).status_code == 503
    server.clear_faults()
    assert client.get(SYSTEM).status_code == 200


@pytest.mark.parametrize(("kind", "params"), [
    ("meteor", {}), ("latency", {"volume": 3}), ("latency", {"seconds": -1}),
    ("error_5xx", {"count": 0}),
])
def test_bad_faults_are_refused(server, kind, params):
    with pytest.raises(FaultError):
        server.inject(kind, **params)


def test_spurious_off_shows_off_on_every_other_read(server, client):
    server.set_power("On")
    server.inject("spurious_off", path=SYSTEM, every=2)
    reads = [client.system()["PowerState"] for _ in range(4)]
    assert reads == ["On", "Off", "On", "Off"]
    assert server.power_state == "On"


def test_cluster_reset_puts_every_server_back_as_new(start_cluster):
    cluster = start_cluster(ServerSpec(name="primary", power="On"),
                            ServerSpec(name="standby", drives=(), raid1=False))
    primary, standby = cluster["primary"], cluster["standby"]
    serials = [d.serial for d in primary.drives]
    port = primary.port
    cluster.move_drive(serials[0], "primary", "standby")
    primary.set_power("Off")
    primary.state.restore_policy = "AlwaysOn"
    primary.inject("hang")
    Bmc(standby).system()
    cluster.reset()
    assert [d.serial for d in cluster["primary"].drives] == serials
    assert cluster["standby"].drives == ()
    assert primary.power_state == "On" and primary.state.restore_policy == "AlwaysOff"
    assert primary.faults.active() == [] and standby.requests == []
    assert primary.port == port and Bmc(primary).system()["PowerState"] == "On"
    assert [v.members for v in cluster.bays.volumes] == [tuple(serials)]


def test_no_members_drops_a_collections_members_and_count_only(server, client):
    server.inject("no_members", path="/redfish/v1/Systems", count=1)
    system = client.get(SYSTEM).json()  # no Members: not taken, and unchanged
    assert system["Id"] and "Members" not in system
    bare = client.get("/redfish/v1/Systems").json()
    assert "Members" not in bare and "Members@odata.count" not in bare
    assert bare["Name"]
    assert client.get("/redfish/v1/Systems").json()["Members"]  # the one hit is used up


def test_paged_members_shows_a_collection_page_by_page(server, client):
    nics = f"{SYSTEM}/EthernetInterfaces"
    whole = client.get(nics).json()["Members"]
    server.inject("paged_members", path=nics, page=1)
    pages, path = [], nics
    while path and len(pages) < 5:
        pages.append(client.get(path).json())
        path = pages[-1].get("Members@odata.nextLink")
    assert path is None and len(whole) == 2
    assert [p["Members"] for p in pages] == [[member] for member in whole]
    assert [p["Members@odata.count"] for p in pages] == [2, 2]
    assert pages[0]["Members@odata.nextLink"] == f"{nics}?$skip=1"
    assert "Members" not in client.get(f"{nics}/NIC1").json()  # a member: as it is


def test_paged_members_can_loop_back_to_the_first_page(server, client):
    server.inject("paged_members", path="/redfish/v1/Systems", page=5, loop=1)
    doc = client.get("/redfish/v1/Systems").json()
    assert doc["Members@odata.nextLink"] == "/redfish/v1/Systems?$skip=0"
    assert len(doc["Members"]) == doc["Members@odata.count"]


def test_paged_members_can_fail_a_later_page(server, client):
    nics = f"{SYSTEM}/EthernetInterfaces"
    server.inject("paged_members", path=nics, page=1, fail=2)
    first = client.get(nics)
    assert first.status_code == 200 and len(first.json()["Members"]) == 1
    second = client.get(first.json()["Members@odata.nextLink"])
    assert second.status_code == 503 and "Page 2 of" in second.json()["error"]["message"]
    server.clear_faults()
    server.inject("paged_members", path=nics, page=1, fail=2, status=404)
    assert client.get(f"{nics}?$skip=1").status_code == 404


def test_paged_members_can_list_the_end_of_a_page_again_on_the_next(server, client):
    nics = f"{SYSTEM}/EthernetInterfaces"
    whole = client.get(nics).json()["Members"]
    server.inject("paged_members", path=nics, page=1, repeat=1)
    first = client.get(nics).json()
    second = client.get(first["Members@odata.nextLink"]).json()
    assert first["Members"] == whole[:1] and second["Members"] == whole[:2]
    assert "Members@odata.nextLink" not in second and second["Members@odata.count"] == 2


def test_refuse_password_refuses_logins_while_active_and_keeps_sessions(server, client):
    """The BMC refuses the password (as a wrong one) while the fault is active: basic auth
    and a new session answer 401, a session made before stays valid; cleared, it is over."""
    session = client.post(SESSIONS, {"UserName": server.username, "Password": server.password})
    token = session.headers["X-Auth-Token"]
    server.inject("refuse_password")
    assert client.get(SYSTEM).status_code == 401
    login = client.post(SESSIONS, {"UserName": server.username, "Password": server.password})
    assert login.status_code == 401
    sessioned = Bmc(server, auth=None)
    assert sessioned.get(SYSTEM, headers={"X-Auth-Token": token}).status_code == 200
    sessioned.close()
    server.clear_faults()
    assert client.get(SYSTEM).status_code == 200


def test_rotate_password_refuses_the_old_password_from_that_request_on(server, client):
    """Another administrator changed the password: basic auth with the old one is refused
    from the matching request on (that one included), sessions already made stay valid."""
    session = client.post(SESSIONS, {"UserName": server.username, "Password": server.password})
    token = session.headers["X-Auth-Token"]
    assert client.get("/redfish/v1/Systems").status_code == 200
    server.inject("rotate_password", path=SYSTEM, count=1)
    assert client.get("/redfish/v1/Systems").status_code == 200  # another path: not yet
    assert client.get(SYSTEM).status_code == 401
    assert client.get("/redfish/v1/Systems").status_code == 401
    assert server.faults.active() == []
    sessioned = Bmc(server, auth=None)
    assert sessioned.get(SYSTEM, headers={"X-Auth-Token": token}).status_code == 200
    sessioned.close()
