"""The control API over HTTP, and the request log with its redaction."""

from __future__ import annotations

import pytest
import requests
from simclient import SESSIONS, SYSTEM, Bmc

from hamnhw.sim import ServerSpec


@pytest.fixture
def pair(start_cluster):
    return start_cluster(ServerSpec(name="primary"), ServerSpec(name="standby"))


def control(server, method: str, name: str, body=None) -> requests.Response:
    url = f"{server.http_url}/hamnhw-sim/{name}"
    return requests.request(method, url, json=body, timeout=10)


def test_request_log_records_order_status_and_auth(primary, bmc):
    bmc.get("/redfish/v1")
    Bmc(primary, auth=None).get(SYSTEM)
    bmc.patch(SYSTEM, {"LocationIndicatorActive": True})
    log = [(r.method, r.path, r.status, r.authenticated, r.auth) for r in primary.requests]
    assert log == [
        ("GET", "/redfish/v1", 200, True, "basic"),
        ("GET", SYSTEM, 401, False, None),
        ("PATCH", SYSTEM, 200, True, "basic"),
    ]
    assert primary.requests[2].body == {"LocationIndicatorActive": True}
    times = [r.time for r in primary.requests]
    assert times == sorted(times)
    primary.clear_requests()
    assert primary.requests == []


def test_request_log_never_holds_password_or_token(start_cluster):
    secret = "Unusual-S3cret"
    server = start_cluster(ServerSpec(name="p", password=secret))["p"]
    anonymous = Bmc(server, auth=None)
    response = anonymous.post(SESSIONS, {"UserName": "admin", "Password": secret})
    token = response.headers["X-Auth-Token"]
    anonymous.get(SYSTEM, headers={"X-Auth-Token": token})
    Bmc(server).get(SYSTEM)
    anonymous.patch(SYSTEM, {"Nested": [{"password": secret}]}, headers={"X-Auth-Token": token})
    assert server.requests[0].body == {"UserName": "admin", "Password": "***"}
    assert server.requests[3].body == {"Nested": [{"password": "***"}]}
    assert [r.auth for r in server.requests[1:3]] == ["session", "basic"]
    dumped = repr(server.requests) + control(server, "GET", "requests").text
    assert token not in dumped
    assert secret not in dumped


def test_control_requests_endpoint(primary, bmc):
    bmc.get(SYSTEM)
    listed = control(primary, "GET", "requests").json()["requests"]
    assert [(r["method"], r["path"], r["status"]) for r in listed] == [("GET", SYSTEM, 200)]
    assert len(primary.requests) == 1  # control calls are not logged
    assert control(primary, "DELETE", "requests").status_code == 204
    assert primary.requests == []


def test_control_faults(primary, bmc):
    created = control(primary, "POST", "faults", {"kind": "error_5xx", "count": 1, "status": 502})
    assert created.status_code == 201
    assert created.json()["params"] == {"status": 502}
    assert control(primary, "GET", "faults").json()["faults"][0]["kind"] == "error_5xx"
    assert bmc.get(SYSTEM).status_code == 502
    assert bmc.get(SYSTEM).status_code == 200
    control(primary, "POST", "faults", {"kind": "html_error"})
    assert control(primary, "DELETE", "faults").status_code == 204
    assert bmc.get(SYSTEM).status_code == 200


def test_control_rejects_bad_input(primary):
    assert control(primary, "POST", "faults", {"kind": "meteor"}).status_code == 400
    assert control(primary, "POST", "faults", {}).status_code == 400
    assert control(primary, "POST", "faults", [1]).status_code == 400
    assert control(primary, "GET", "nothing").status_code == 404
    assert control(primary, "PUT", "faults").status_code == 405
    assert control(primary, "POST", "bays/pull", {"serial": "NOPE"}).status_code == 409


def test_control_moves_a_drive_between_servers(pair):
    primary, standby = pair["primary"], pair["standby"]
    serial = primary.drives[0].serial
    pulled = control(primary, "POST", "bays/pull", {"serial": serial})
    assert pulled.json()["serial"] == serial
    assert control(primary, "GET", "bays").json()["pulled"] == [serial]
    inserted = control(standby, "POST", "bays/insert", {"serial": serial, "bay": "Bay 7"})
    assert inserted.status_code == 200
    bays = control(standby, "GET", "bays").json()
    assert bays["servers"]["standby"]["Bay 7"] == serial
    assert serial not in bays["servers"]["primary"].values()
    assert bays["pulled"] == []


def test_control_power(primary, bmc):
    assert control(primary, "POST", "power", {"state": "On"}).json()["power_state"] == "On"
    assert bmc.system()["PowerState"] == "On"
    assert control(primary, "POST", "power", {"state": "Sideways"}).status_code == 400
    assert control(primary, "GET", "power").json()["power_state"] == "On"
