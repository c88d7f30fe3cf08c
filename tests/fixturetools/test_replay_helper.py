"""The responses-based replay: standing preamble, ordered sessions, walks."""

from __future__ import annotations

import json

import pytest
import requests

from hamnhw.fixturetools.fixture import Exchange, write_recording
from hamnhw.fixturetools.replay import FAKE_TOKEN, replay

ROOT = {"@odata.id": "/redfish/v1/",
        "Links": {"Sessions": {"@odata.id": "/redfish/v1/SessionService/Sessions"}}}
RESET = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"


def _recording(tmp_path, kind):
    exchanges = [
        Exchange("GET", "/redfish/v1/", 200, response_json=ROOT),
        Exchange("GET", "/redfish/v1/Systems/1", 200, response_json={"PowerState": "On"}),
        Exchange("POST", RESET, 204, request_json={"ResetType": "ForceOff"}),
        Exchange("GET", "/redfish/v1/Systems/1", 200, response_json={"PowerState": "Off"}),
        Exchange("GET", "/redfish/v1/Oops", 500, {"Content-Type": "text/html"},
                 response_text="<html>busy</html>"),
    ]
    return write_recording(tmp_path / kind, exchanges, {"kind": kind})


def test_session_replay_serves_in_order_and_matches_bodies(tmp_path):
    with replay(_recording(tmp_path, "session")) as bmc:
        base = bmc.base_url
        login = requests.post(base + "/redfish/v1/SessionService/Sessions", timeout=5,
                              json={"UserName": "a", "Password": "b"})
        assert login.status_code == 201 and login.headers["X-Auth-Token"] == FAKE_TOKEN
        assert requests.get(base + "/redfish/v1", timeout=5).json() == ROOT
        assert requests.get(base + "/redfish/v1/Systems/1", timeout=5).json()["PowerState"] == "On"
        assert requests.post(base + RESET, json={"ResetType": "ForceOff"}, timeout=5
                             ).status_code == 204
        assert requests.get(base + "/redfish/v1/Systems/1", timeout=5).json()["PowerState"] == "Off"
        oops = requests.get(base + "/redfish/v1/Oops", timeout=5)
        assert (oops.status_code, oops.text) == (500, "<html>busy</html>")
        assert oops.headers["Content-Type"].startswith("text/html")
        assert bmc.remaining == []


def test_session_replay_refuses_another_body(tmp_path):
    with replay(_recording(tmp_path, "session"), assert_all_used=False) as bmc:
        requests.get(bmc.base_url + "/redfish/v1/Systems/1", timeout=5)
        with pytest.raises(requests.ConnectionError, match="doesn't match"):
            requests.post(bmc.base_url + RESET, json={"ResetType": "On"}, timeout=5)


def test_session_replay_refuses_another_order(tmp_path):
    with replay(_recording(tmp_path, "session"), assert_all_used=False) as bmc, \
            pytest.raises(requests.ConnectionError):
        requests.post(bmc.base_url + RESET, json={"ResetType": "ForceOff"}, timeout=5)


def test_unused_exchanges_fail_on_exit(tmp_path):
    with pytest.raises(AssertionError, match="Not all requests"), \
            replay(_recording(tmp_path, "session")) as bmc:
        requests.get(bmc.base_url + "/redfish/v1/Systems/1", timeout=5)


def test_walk_replay_serves_any_order_any_count_with_or_without_slash(tmp_path):
    with replay(_recording(tmp_path, "walk")) as bmc:
        for path in ("/redfish/v1/Systems/1/", "/redfish/v1/Systems/1", "/redfish/v1/Systems/1"):
            assert requests.get(bmc.base_url + path, timeout=5).status_code == 200
        assert requests.get(bmc.base_url + "/redfish/v1/Oops", timeout=5).status_code == 500
        with pytest.raises(requests.ConnectionError):
            requests.post(bmc.base_url + RESET, json={"ResetType": "ForceOff"}, timeout=5)


def test_walk_serves_the_first_recorded_answer_of_a_path(tmp_path):
    with replay(_recording(tmp_path, "walk")) as bmc:
        body = requests.get(bmc.base_url + "/redfish/v1/Systems/1", timeout=5).json()
    assert body == {"PowerState": "On"}


def test_recording_without_service_root_is_refused(tmp_path):
    out = write_recording(tmp_path / "r", [Exchange("GET", "/redfish/v1/Systems", 200,
                                                    response_json={})], {})
    with pytest.raises(ValueError, match="ServiceRoot"), replay(out):
        pass
    assert json.loads((out / "exchanges.json").read_text())[0]["path"] == "/redfish/v1/Systems"
