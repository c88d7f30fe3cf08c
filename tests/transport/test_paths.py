"""URIs from the BMC lead only to the BMC the user named: checked paths, full URLs reduced
to their path (with a warning), anything else refused; with two loopback servers, nothing
(the session token least of all) ever reaches the other one."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from transport_loopback import SESSIONS, TOKEN, LoopbackBmc, make_transport

from hamnhw import errors
from hamnhw.transport.paths import bmc_path

HOST = "127.0.0.1:8443"


@pytest.mark.parametrize("uri", ["/redfish/v1/Systems/1", "/redfish/v1/Systems?$top=2",
                                 "/redfish/v1/Systems/1#/StorageControllers/0", "/x"])
def test_absolute_paths_are_used_as_given(uri) -> None:
    assert bmc_path(uri, host=HOST) == uri


@pytest.mark.parametrize("uri", ["@evil.example/x", "//evil.example/redfish/v1/",
                                 "/redfish/v1/@evil", "redfish/v1/Systems", "", " /redfish",
                                 "/redfish/v1/\\evil", "/redfish/v1/a b", "/redfish\n/v1",
                                 "ftp://bmc/redfish/v1/", "https://bmc.example/other/path",
                                 "https://user@evil.example/redfish/v1/", "javascript:x",
                                 None, 7, {"@odata.id": "/x"}])
def test_anything_else_is_malformed_response(uri) -> None:
    with pytest.raises(errors.MalformedResponse, match=f"requests go only to {HOST}") as info:
        bmc_path(uri, host=HOST)
    assert info.value.host == HOST


def test_full_url_gives_its_redfish_path_with_one_warning_per_host(monkeypatch,
                                                                  caplog) -> None:
    uri = "https://10.0.0.99:443/redfish/v1/TaskService/Tasks/7?x=1"
    with caplog.at_level(logging.WARNING, logger="hamnhw"):
        assert bmc_path(uri, host=HOST) == "/redfish/v1/TaskService/Tasks/7?x=1"
        assert bmc_path(uri, host=HOST) == "/redfish/v1/TaskService/Tasks/7?x=1"
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "10.0.0.99:443" in warnings[0] and HOST in warnings[0]


def test_full_url_of_the_bmc_itself_is_silent(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="hamnhw"):
        assert bmc_path(f"https://{HOST}/redfish/v1/", host=HOST) == "/redfish/v1/"
    assert not caplog.records


# -- two loopback servers: the BMC and another one ------------------------------------------


@pytest.fixture
def other() -> Iterator[LoopbackBmc]:
    server = LoopbackBmc()
    server.start()
    yield server
    server.close()


def test_odata_id_pointing_elsewhere_sends_nothing_there(bmc, other) -> None:
    other.standard()
    evil = f"@127.0.0.1:{other.port}/redfish/v1/Systems"
    bmc.standard()
    bmc.reply("GET", "/redfish/v1/Systems", body={"Members": [{"@odata.id": evil}]})
    with make_transport(bmc.url).open() as transport:
        member = transport.get("/redfish/v1/Systems")["Members"][0]["@odata.id"]
        with pytest.raises(errors.MalformedResponse, match="requests go only to"):
            transport.get(member)
        with pytest.raises(errors.MalformedResponse):
            transport.post(f"//127.0.0.1:{other.port}/redfish/v1/Actions/X", {})
    assert other.requests == []


def test_location_with_another_host_is_followed_on_the_bmc_only(bmc, other) -> None:
    other.standard()
    monitor = "/redfish/v1/TaskService/TaskMonitors/1"
    bmc.standard()
    bmc.reply("POST", "/redfish/v1/Actions/X", 202,
              headers={"Location": f"http://127.0.0.1:{other.port}{monitor}"})
    bmc.reply("GET", monitor, body={"TaskState": "Completed"})
    with make_transport(bmc.url).open() as transport:
        location = transport.post("/redfish/v1/Actions/X", {}).location
        assert transport.get(location) == {"TaskState": "Completed"}
    assert bmc.count("GET", monitor) == 1
    assert other.requests == []


def test_session_location_elsewhere_is_deleted_on_the_bmc(bmc, other) -> None:
    other.standard()
    bmc.standard()
    session = f"{SESSIONS}/1"
    bmc.reply("POST", SESSIONS, 201, body={},
              headers={"X-Auth-Token": TOKEN,
                       "Location": f"http://127.0.0.1:{other.port}{session}"})
    make_transport(bmc.url).open().close()
    assert bmc.count("DELETE", session) == 1
    assert other.requests == []
    assert all(TOKEN not in str(r.headers) for r in other.requests)


@pytest.mark.parametrize("location", ["//127.0.0.1:{port}" + f"{SESSIONS}/1",
                                      "@127.0.0.1:{port}" + f"{SESSIONS}/1"],
                         ids=["network-path", "userinfo"])
@pytest.mark.parametrize("body", [{"Id": "1"}, {"@odata.id": f"{SESSIONS}/1", "Id": "1"}],
                         ids=["id-only", "odata-id"])
def test_unusable_session_location_falls_back_and_the_session_is_deleted(
        bmc, other, location, body) -> None:
    other.standard()
    bmc.standard()
    bmc.reply("POST", SESSIONS, 201, body=body,
              headers={"X-Auth-Token": TOKEN, "Location": location.format(port=other.port)})
    transport = make_transport(bmc.url).open()
    assert transport.session_path == f"{SESSIONS}/1"
    transport.close()
    assert bmc.count("DELETE", f"{SESSIONS}/1") == 1, "no session left open on the BMC"
    assert other.requests == []


def test_session_with_no_usable_location_is_not_deleted_anywhere(bmc, other, caplog) -> None:
    other.standard()
    bmc.standard()
    bmc.reply("POST", SESSIONS, 201, body={"Id": "../1"},
              headers={"X-Auth-Token": TOKEN,
                       "Location": f"//127.0.0.1:{other.port}{SESSIONS}/1"})
    with caplog.at_level(logging.WARNING, logger="hamnhw"):
        make_transport(bmc.url).open().close()
    assert not any(r.method == "DELETE" for r in bmc.requests)
    assert other.requests == []
    assert any("cannot be deleted at logout" in r.getMessage() for r in caplog.records)
