"""The login POSTed to the fixed sessions collection while the ServiceRoot is read
(`hamnhw.transport.auth`, `docs/retries.md`): both in flight together, the ServiceRoot
judging what the login's answer means afterwards, never a second login after one left
unanswered at the root's own collection, the ServiceRoot's own error whatever the login
got."""

from __future__ import annotations

import json
import threading

import pytest
from transport_loopback import (
    PASSWORD,
    ROOT_DOC,
    SESSION_1,
    SESSIONS,
    TOKEN,
    LoopbackBmc,
    hang,
    make_transport,
)

from hamnhw import errors, parallel
from hamnhw.connection import Timeouts
from hamnhw.transport import redfish

OTHER = "/redfish/v1/AccountService/Sessions"
"""A sessions collection other than the one DSP0266 fixes."""
OTHER_1 = f"{OTHER}/1"
ROOT_ELSEWHERE = {**ROOT_DOC, "Links": {"Sessions": {"@odata.id": OTHER}}}
NO_SESSIONS = {"@odata.id": "/redfish/v1/", "Systems": {"@odata.id": "/redfish/v1/Systems"}}


def login_at(bmc: LoopbackBmc, collection: str, token: str = TOKEN) -> None:
    """``collection`` makes a session ``<collection>/1`` (deleted with 204)."""
    bmc.reply("POST", collection, 201, body={},
              headers={"X-Auth-Token": token, "Location": f"{collection}/1"})
    bmc.reply("DELETE", f"{collection}/1", 204)


def posts(bmc: LoopbackBmc) -> list[str]:
    return [r.path for r in bmc.requests if r.method == "POST"]


def test_root_get_and_login_post_are_in_flight_together(bmc) -> None:
    """Neither is answered before the other has arrived: one round trip, not two."""
    both = threading.Barrier(2, timeout=5)
    met: list[str] = []

    def meet(name: str, status: int, body: bytes, headers: dict[str, str]) -> None:
        def behaviour(handler) -> None:
            try:
                both.wait()
                met.append(name)
            except threading.BrokenBarrierError:
                pass
            handler.send_response(status)
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        return behaviour

    bmc.standard()
    bmc.behave("GET", "/redfish/v1/", meet("root", 200, json.dumps(ROOT_DOC).encode(), {}))
    bmc.behave("POST", SESSIONS, meet("login", 201, b"{}",
                                      {"X-Auth-Token": TOKEN, "Location": SESSION_1}))

    with make_transport(bmc.url).open() as transport:
        assert transport.session_path == SESSION_1
        transport.get("/redfish/v1/Systems")

    assert sorted(met) == ["login", "root"], "both were waiting at the barrier at once"
    assert bmc.requests[-1].headers.get("X-Auth-Token") == TOKEN
    assert bmc.count("POST", SESSIONS) == 1
    assert bmc.count("DELETE", SESSION_1) == 1


@pytest.mark.parametrize("status", [404, 405, 401])
def test_fixed_uri_refusing_falls_back_to_the_link_of_the_root(bmc, status: int) -> None:
    bmc.reply("GET", "/redfish/v1/", body=ROOT_ELSEWHERE)
    bmc.reply("POST", SESSIONS, status)
    login_at(bmc, OTHER)
    bmc.reply("GET", "/redfish/v1/Systems", body={"Members": []})

    with make_transport(bmc.url).open() as transport:
        assert transport.session_path == OTHER_1
        assert transport.get("/redfish/v1/Systems") == {"Members": []}

    assert posts(bmc) == [SESSIONS, OTHER]
    assert bmc.count("DELETE", OTHER_1) == 1


def test_a_session_made_at_the_fixed_uri_is_kept_where_the_root_names_another(bmc) -> None:
    """The early login made a session: no second login, and that one is deleted."""
    bmc.reply("GET", "/redfish/v1/", body=ROOT_ELSEWHERE)
    login_at(bmc, SESSIONS)
    login_at(bmc, OTHER, token="tok-other")

    make_transport(bmc.url).open().close()

    assert posts(bmc) == [SESSIONS]
    assert bmc.count("DELETE", SESSION_1) == 1


def test_an_unanswered_login_at_the_roots_own_collection_is_never_followed_by_another(
        bmc) -> None:
    """The root names the fixed collection, whose POST timed out (a session may exist):
    no second login, the timeout is what the caller sees."""
    bmc.reply("GET", "/redfish/v1/", body=ROOT_DOC)
    bmc.behave("POST", SESSIONS, hang)

    transport = make_transport(bmc.url, timeouts=Timeouts(connect=2, read=0.5, operation=5))
    with pytest.raises(errors.BmcTimeout):
        transport.open()
    transport.close()

    assert posts(bmc) == [SESSIONS]


def test_an_unanswered_login_at_a_uri_the_root_does_not_name_is_set_aside(bmc) -> None:
    """The root names another collection and the fixed URI hangs (an embedded web server
    holding an unknown POST): no session can be there; the login goes where the root
    says, and only that session is deleted."""
    bmc.reply("GET", "/redfish/v1/", body=ROOT_ELSEWHERE)
    bmc.behave("POST", SESSIONS, hang)
    login_at(bmc, OTHER)

    transport = make_transport(bmc.url, timeouts=Timeouts(connect=2, read=0.5, operation=5))
    transport.open().close()

    assert posts(bmc) == [SESSIONS, OTHER]
    assert bmc.count("DELETE", OTHER_1) == 1


def test_a_page_without_a_token_at_the_fixed_uri_is_set_aside(bmc) -> None:
    """A catch-all web page answers 200 to any POST: not a session; the root's collection
    is logged in to (not basic auth)."""
    bmc.reply("GET", "/redfish/v1/", body=ROOT_ELSEWHERE)
    bmc.reply("POST", SESSIONS, 200, body={})
    login_at(bmc, OTHER)

    make_transport(bmc.url).open().close()

    assert posts(bmc) == [SESSIONS, OTHER]
    assert bmc.count("DELETE", OTHER_1) == 1


def test_a_root_naming_the_collection_with_a_trailing_slash_is_logged_in_there(bmc) -> None:
    """The slashless fixed URI answers 405; the root's own URI (with its slash) works."""
    slashed = f"{SESSIONS}/"
    bmc.reply("GET", "/redfish/v1/",
              body={**ROOT_DOC, "Links": {"Sessions": {"@odata.id": slashed}}})
    bmc.reply("POST", SESSIONS, 405)
    bmc.reply("POST", slashed, 201, body={},
              headers={"X-Auth-Token": TOKEN, "Location": SESSION_1})
    bmc.reply("DELETE", SESSION_1, 204)

    make_transport(bmc.url).open().close()

    assert posts(bmc) == [SESSIONS, slashed]
    assert bmc.count("DELETE", SESSION_1) == 1


def test_refused_credentials_are_the_same_typed_error_and_sent_once(bmc) -> None:
    bmc.reply("GET", "/redfish/v1/", body=ROOT_DOC)
    bmc.reply("POST", SESSIONS, 401)

    with pytest.raises(errors.AuthenticationError):
        make_transport(bmc.url).open()

    assert posts(bmc) == [SESSIONS]


def test_no_session_service_and_a_404_at_the_fixed_uri_is_basic_auth(bmc) -> None:
    bmc.reply("GET", "/redfish/v1/", body=NO_SESSIONS)
    bmc.reply("GET", "/redfish/v1/Systems", body={"Members": []})

    with make_transport(bmc.url).open() as transport:
        assert transport.session_path is None
        transport.get("/redfish/v1/Systems")

    assert posts(bmc) == [SESSIONS]
    assert bmc.requests[-1].headers.get("Authorization", "").startswith("Basic ")


@pytest.mark.parametrize("login_status", [201, 401])
def test_an_html_root_is_the_error_seen_whatever_the_login_got(bmc, login_status) -> None:
    """A web server that is no Redfish service: the ServiceRoot's typed error, not the
    login's; a session the login made anyway is deleted at close."""
    bmc.reply("GET", "/redfish/v1/", raw=b"<html><body>Welcome</body></html>",
              headers={"Content-Type": "text/html"})
    if login_status == 201:
        login_at(bmc, SESSIONS)
    else:
        bmc.reply("POST", SESSIONS, 401)

    transport = make_transport(bmc.url)
    with pytest.raises(errors.MalformedResponse) as info:
        transport.open()
    transport.close()

    assert info.value.uri == "/redfish/v1/"
    assert bmc.count("DELETE", SESSION_1) == (1 if login_status == 201 else 0)


def test_a_hung_root_is_unreachable_though_the_login_was_answered(bmc) -> None:
    """The ServiceRoot never answered: unreachable (a Redfish node's IPMI path serves
    power then), whatever the login POSTed beside it got."""
    bmc.behave("GET", "/redfish/v1/", hang)
    bmc.reply("POST", SESSIONS, 404)

    transport = make_transport(bmc.url, timeouts=Timeouts(connect=2, read=0.5, operation=5))
    with pytest.raises(errors.BmcUnreachable):
        transport.open()
    transport.close()


def test_a_busy_fan_out_reads_the_root_first_and_logs_in_where_it_says(
        bmc, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no helper thread is free (many BMCs at once), nothing is sent early: the
    login goes where the ServiceRoot says, once."""
    monkeypatch.setattr(parallel, "BUSY", -1)
    bmc.reply("GET", "/redfish/v1/", body=ROOT_ELSEWHERE)
    login_at(bmc, OTHER)

    make_transport(bmc.url).open().close()

    assert [(r.method, r.path) for r in bmc.requests] == [
        ("GET", "/redfish/v1/"), ("POST", OTHER), ("DELETE", OTHER_1)]


def test_the_early_login_carries_the_credentials_only_in_its_body(bmc) -> None:
    bmc.standard()

    make_transport(bmc.url).open().close()

    login = next(r for r in bmc.requests if r.method == "POST")
    assert PASSWORD.encode() in login.body
    assert "Authorization" not in login.headers
    root = next(r for r in bmc.requests if r.path == "/redfish/v1/")
    assert "X-Auth-Token" not in root.headers and "Authorization" not in root.headers


def test_after_a_quick_service_root_the_next_one_is_read_before_logging_in(bmc) -> None:
    """ServiceRoots answered within QUICK_ROOT_S (a loopback BMC): the next connection
    reads its ServiceRoot first, on one connection, and logs in where it says."""
    bmc.reply("GET", "/redfish/v1/", body=ROOT_ELSEWHERE)
    login_at(bmc, OTHER)
    bmc.reply("POST", SESSIONS, 404)
    redfish.ROOT_PACE.note(redfish.QUICK_ROOT_S / 2)

    make_transport(bmc.url).open().close()

    assert [(r.method, r.path) for r in bmc.requests] == [
        ("GET", "/redfish/v1/"), ("POST", OTHER), ("DELETE", OTHER_1)]


def test_one_quick_service_root_among_recent_slow_ones_keeps_the_pace_quick() -> None:
    """A busy fan-out makes a quick BMC's ServiceRoot wait for the CPU: the quickest of
    the recent ones says how far the BMCs are, until it leaves the window."""
    pace = redfish.RootPace()
    assert not pace.quick(), "nothing answered yet"
    pace.note(redfish.QUICK_ROOT_S / 2)
    for _ in range(pace.WINDOW - 1):
        pace.note(redfish.QUICK_ROOT_S * 5)
    assert pace.quick()
    pace.note(redfish.QUICK_ROOT_S * 5)
    assert not pace.quick(), "the quick one left the window"


def test_a_service_root_answered_long_ago_no_longer_sets_the_pace() -> None:
    now = [0.0]
    pace = redfish.RootPace(clock=lambda: now[0])
    pace.note(redfish.QUICK_ROOT_S / 2)
    now[0] += pace.MAX_AGE_S / 2
    assert pace.quick()
    now[0] += pace.MAX_AGE_S
    assert not pace.quick() and pace.quickest_s() is None


def test_after_a_slow_service_root_the_login_goes_beside_the_next_one(bmc,
                                                                      monkeypatch) -> None:
    bmc.reply("GET", "/redfish/v1/", body=ROOT_ELSEWHERE)
    login_at(bmc, OTHER)
    bmc.reply("POST", SESSIONS, 404)
    redfish.ROOT_PACE.note(redfish.QUICK_ROOT_S * 5)
    noted: list[float] = []
    monkeypatch.setattr(redfish.ROOT_PACE, "note", noted.append)

    transport = make_transport(bmc.url).open()
    transport.close()

    assert posts(bmc) == [SESSIONS, OTHER]
    assert len(noted) == 1, "this ServiceRoot's GET was timed for the next connection"
    assert transport.root_pace_s == redfish.QUICK_ROOT_S * 5, "the pace as it opened"
