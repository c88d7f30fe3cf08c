"""Session rules (`docs/retries.md`): one re-login per 401 and per request, the superseded
session DELETEd, AccessDenied for a 401 that a fresh login does not cure, bounded login
attempts only after answers that created no session, basic auth when the session limit is
reached, re-logins of long-running callers spaced out."""

from __future__ import annotations

import json
import logging
import threading

import pytest
import requests
import responses
import urllib3
from transport_loopback import (
    PASSWORD,
    ROOT_DOC,
    SESSION_1,
    SESSIONS,
    TOKEN,
    answer,
    make_transport,
)

from hamnhw import errors, parallel
from hamnhw.cli.exit_codes import exit_code_for
from hamnhw.transport.retry import RetryPolicy

BASE = "https://bmc.test"
URL = "redfish://bmc.test"
SYSTEMS = "/redfish/v1/Systems"
SESSION_2 = f"{SESSIONS}/2"
TOKEN_2 = "tok-second-session-0002"


@pytest.fixture
def mock() -> responses.RequestsMock:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def calls(mock: responses.RequestsMock, method: str, path: str | None = None) -> list:
    return [c for c in mock.calls
            if c.request.method == method and (path is None or c.request.path_url == path)]


def login_ok(mock, token: str = TOKEN, session: str = SESSION_1) -> None:
    mock.post(f"{BASE}{SESSIONS}", status=201, json={},
              headers={"X-Auth-Token": token, "Location": session})


def serve_root(mock) -> None:
    mock.get(f"{BASE}/redfish/v1/", json=ROOT_DOC)


def opened(mock, fake_time, **kwargs):
    serve_root(mock)
    login_ok(mock)
    mock.delete(f"{BASE}{SESSION_1}", status=204)
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock, jitter=0.0)
    return make_transport(URL, retry=policy, **kwargs).open()


def refused() -> requests.exceptions.ConnectionError:
    """What requests raises when the TCP connection is refused (nothing was sent)."""
    cause = ConnectionRefusedError(111, "Connection refused")
    new = urllib3.exceptions.NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused")
    new.__cause__ = cause
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "/", reason=new))


# -- a 401 on a live session ---------------------------------------------------------------


def test_relogin_deletes_the_superseded_session_with_its_own_token_first(mock, fake_time):
    transport = opened(mock, fake_time)
    mock.get(f"{BASE}{SYSTEMS}", status=401)
    mock.get(f"{BASE}{SYSTEMS}", json={"Members": []})
    login_ok(mock, TOKEN_2, SESSION_2)
    mock.delete(f"{BASE}{SESSION_2}", status=204)

    assert transport.get(SYSTEMS) == {"Members": []}
    transport.close()

    order = [(c.request.method, c.request.path_url) for c in mock.calls]
    assert order.index(("DELETE", SESSION_1)) < len(order) - 1 - order[::-1].index(
        ("POST", SESSIONS)), "the old session goes before the new one is made"
    delete_1 = calls(mock, "DELETE", SESSION_1)
    assert len(delete_1) == 1 and delete_1[0].request.headers["X-Auth-Token"] == TOKEN
    assert calls(mock, "DELETE", SESSION_2)[0].request.headers["X-Auth-Token"] == TOKEN_2


def test_relogin_answered_5xx_is_not_retried_by_the_get_loop(mock, fake_time):
    transport = opened(mock, fake_time)
    mock.get(f"{BASE}{SYSTEMS}", status=401)
    mock.post(f"{BASE}{SESSIONS}", status=500, json={})

    with pytest.raises(errors.ServerSideError) as info:
        transport.get(SYSTEMS)

    assert info.value.path == SESSIONS
    assert len(calls(mock, "POST", SESSIONS)) == 2, "the first login and one re-login"
    assert len(calls(mock, "GET", SYSTEMS)) == 1


def test_relogin_answered_503_is_tried_twice_at_most(mock, fake_time):
    transport = opened(mock, fake_time)
    mock.get(f"{BASE}{SYSTEMS}", status=401)
    mock.post(f"{BASE}{SESSIONS}", status=503, json={}, headers={"Retry-After": "3"})

    with pytest.raises(errors.ServerSideError):
        transport.get(SYSTEMS)

    assert len(calls(mock, "POST", SESSIONS)) == 1 + 2
    assert fake_time.sleeps == [3.0]


def test_a_second_401_soon_after_a_relogin_is_access_denied_without_logging_in(mock,
                                                                              fake_time):
    transport = opened(mock, fake_time)
    mock.get(f"{BASE}{SYSTEMS}", status=401)
    mock.get(f"{BASE}{SYSTEMS}", json={})
    mock.get(f"{BASE}{SYSTEMS}", status=401)
    transport.get(SYSTEMS)
    fake_time.advance(5)

    with pytest.raises(errors.AccessDenied, match="not logging in again so soon"):
        transport.get(SYSTEMS)
    assert len(calls(mock, "POST", SESSIONS)) == 2


def test_a_long_running_caller_logs_in_again_after_each_later_expiry(mock, fake_time):
    transport = opened(mock, fake_time)
    for _ in range(3):
        mock.get(f"{BASE}{SYSTEMS}", status=401)
        mock.get(f"{BASE}{SYSTEMS}", json={"ok": 1})
    for _ in range(3):
        assert transport.get(SYSTEMS) == {"ok": 1}
        fake_time.advance(RetryPolicy().relogin_interval)

    assert len(calls(mock, "POST", SESSIONS)) == 1 + 3


def test_a_refused_relogin_is_raised_again_without_sending_anything(mock, fake_time):
    """The session expires, the re-login is refused (password rotated, account disabled):
    later requests of this transport, however much later, raise that very refusal and send
    nothing (no refused login every ``relogin_interval`` toward the account's lockout)."""
    transport = opened(mock, fake_time)
    mock.get(f"{BASE}{SYSTEMS}", status=401)
    mock.post(f"{BASE}{SESSIONS}", status=401, json={})
    with pytest.raises(errors.AuthenticationError, match="credentials rejected") as first:
        transport.get(SYSTEMS)
    sent = len(mock.calls)
    assert len(calls(mock, "POST", SESSIONS)) == 2, "the first login and one re-login"

    for _ in range(3):
        fake_time.advance(RetryPolicy().relogin_interval * 2)
        with pytest.raises(errors.AuthenticationError) as again:
            transport.get(SYSTEMS)
        assert again.value is first.value and not isinstance(again.value,
                                                              errors.SessionExpired)
    with pytest.raises(errors.AuthenticationError) as unsafe:
        transport.post("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
                       {"ResetType": "ForceOff"})
    assert unsafe.value is first.value
    assert len(mock.calls) == sent, "nothing sent after the refusal"
    assert exit_code_for(first.value) == 4
    transport.close()
    assert len(mock.calls) == sent, "no session left to delete"


def test_a_new_transport_tries_the_login_again_after_a_refusal(mock, fake_time):
    transport = opened(mock, fake_time)
    mock.get(f"{BASE}{SYSTEMS}", status=401)
    mock.post(f"{BASE}{SESSIONS}", status=401, json={})
    with pytest.raises(errors.AuthenticationError):
        transport.get(SYSTEMS)
    transport.close()
    mock.replace(responses.POST, f"{BASE}{SESSIONS}", status=201, json={},
                 headers={"X-Auth-Token": TOKEN_2, "Location": SESSION_2})
    mock.replace(responses.GET, f"{BASE}{SYSTEMS}", json={"Members": []})
    mock.delete(f"{BASE}{SESSION_2}", status=204)
    posts = len(calls(mock, "POST", SESSIONS))

    fresh = make_transport(URL, retry=RetryPolicy(sleep=fake_time.sleep,
                                                  clock=fake_time.clock)).open()
    assert fresh.get(SYSTEMS) == {"Members": []}
    fresh.close()
    assert len(calls(mock, "POST", SESSIONS)) == posts + 1


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_401_on_an_unsafe_method_deletes_the_old_session_and_is_not_resent(mock, fake_time,
                                                                          method):
    transport = opened(mock, fake_time)
    path = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
    mock.add(method, f"{BASE}{path}", status=401)
    send = {"POST": lambda: transport.post(path, {"ResetType": "On"}),
            "PATCH": lambda: transport.patch(path, {"A": 1}),
            "DELETE": lambda: transport.delete(path)}[method]

    with pytest.raises(errors.SessionExpired):
        send()

    assert len(calls(mock, method, path)) == 1
    assert len(calls(mock, "DELETE", SESSION_1)) == 1


def test_basic_auth_401_after_it_worked_is_a_remembered_refusal(mock, fake_time):
    """Basic auth sends the credentials with every request: a 401 after earlier successes
    is their refusal (a rotated password), not an account lacking a right; it is
    remembered, so the refused credentials are not sent again toward a lockout."""
    serve_root(mock)
    mock.post(f"{BASE}{SESSIONS}", status=201, json={})  # no token: basic auth
    mock.get(f"{BASE}{SYSTEMS}", json={})
    mock.get(f"{BASE}/redfish/v1/Managers", status=401)
    transport = make_transport(URL).open()
    transport.get(SYSTEMS)

    with pytest.raises(errors.AuthenticationError) as info:
        transport.get("/redfish/v1/Managers")
    assert not isinstance(info.value, errors.SessionExpired)
    assert exit_code_for(info.value) == 4
    assert "accepted them on this connection" in str(info.value)
    assert "password_file or password_env" in str(info.value)
    sent = len(mock.calls)
    with pytest.raises(errors.AuthenticationError) as again:
        transport.get(SYSTEMS)  # answered 200 before: not asked again with refused credentials
    assert again.value.message == info.value.message
    with pytest.raises(errors.AuthenticationError):
        transport.post(SYSTEMS, {"A": 1})
    assert len(mock.calls) == sent


@pytest.mark.parametrize("auth", ["session", "basic"])
def test_403_is_access_denied_and_the_credentials_stay_usable(mock, fake_time, auth):
    """DSP0266's 403: the credentials were recognised and do not authorise this request:
    AccessDenied (exit 1), no re-login, and the next request still goes out."""
    serve_root(mock)
    if auth == "session":
        login_ok(mock)
    else:
        mock.post(f"{BASE}{SESSIONS}", status=201, json={})
    mock.get(f"{BASE}{SYSTEMS}", json={})
    mock.patch(f"{BASE}{SYSTEMS}", status=403, json={})
    transport = make_transport(URL).open()

    with pytest.raises(errors.AccessDenied) as info:
        transport.patch(SYSTEMS, {"A": 1})
    assert exit_code_for(info.value) == 1 and info.value.status == 403
    assert transport.get(SYSTEMS) == {}
    assert len(calls(mock, "POST", SESSIONS)) == 1


def test_basic_auth_401_on_the_first_request_is_credentials_rejected(mock):
    serve_root(mock)
    mock.post(f"{BASE}{SESSIONS}", status=201, json={})
    mock.get(f"{BASE}{SYSTEMS}", status=401)
    transport = make_transport(URL).open()

    with pytest.raises(errors.AuthenticationError, match="credentials rejected") as info:
        transport.get(SYSTEMS)
    assert exit_code_for(info.value) == 4


# -- login attempts ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [503, 429])
def test_login_answered_busy_is_tried_once_more_after_retry_after(mock, fake_time, status):
    serve_root(mock)
    mock.post(f"{BASE}{SESSIONS}", status=status, json={}, headers={"Retry-After": "2"})
    login_ok(mock)
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)

    transport = make_transport(URL, retry=policy).open()

    assert transport._auth.mode == "session"
    assert len(calls(mock, "POST", SESSIONS)) == 2
    assert fake_time.sleeps == [2.0]


def test_login_retry_after_is_capped(mock, fake_time):
    serve_root(mock)
    mock.post(f"{BASE}{SESSIONS}", status=503, json={}, headers={"Retry-After": "3600"})
    login_ok(mock)
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)

    make_transport(URL, retry=policy).open()

    assert fake_time.sleeps == [policy.login_max_delay]


def test_login_refused_then_accepted_is_retried_once_and_says_so(mock, fake_time, caplog,
                                                                 monkeypatch):
    monkeypatch.setattr(parallel, "BUSY", -1)  # the ServiceRoot first, then the login
    serve_root(mock)
    mock.post(f"{BASE}{SESSIONS}", body=refused())
    login_ok(mock)
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)

    with caplog.at_level(logging.WARNING, logger="hamnhw"):
        make_transport(URL, retry=policy).open()

    assert len(calls(mock, "POST", SESSIONS)) == 2
    assert "retrying the login in 1s, 2/2" in caplog.text


def test_a_login_refused_beside_the_root_is_sent_again_at_once(bmc):
    """The login sent beside the ServiceRoot's GET met a refused connection (nothing was
    sent) while the ServiceRoot was answered: the web server is up, the login goes at once,
    its attempts all left."""
    posting, served = threading.Event(), threading.Event()

    def root(handler) -> None:
        posting.wait(10)  # answered once the login is being sent
        served.set()
        answer(handler, body=json.dumps(ROOT_DOC).encode())

    bmc.behave("GET", "/redfish/v1/", root)
    bmc.reply("POST", SESSIONS, 201, body={}, headers={"X-Auth-Token": TOKEN,
                                                        "Location": SESSION_1})
    sleeps: list[float] = []
    transport = make_transport(bmc.url, retry=RetryPolicy(sleep=sleeps.append))
    real = transport._send_once
    refused_once: list[str] = []

    def send_once(method, path, body=None, headers=None):
        if method == "POST" and not refused_once:
            refused_once.append(path)
            posting.set()
            served.wait(10)  # the ServiceRoot is answered meanwhile
            raise errors.BmcUnreachable("cannot connect: refused", host=transport.host,
                                        refused=True)
        return real(method, path, body, headers)

    transport._send_once = send_once
    transport.open().close()

    assert refused_once == [SESSIONS]
    assert bmc.count("POST", SESSIONS) == 1 and bmc.count("DELETE", SESSION_1) == 1
    assert sleeps == []


def test_login_is_never_retried_after_a_500(mock, fake_time):
    serve_root(mock)
    mock.post(f"{BASE}{SESSIONS}", status=500, json={})
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)

    with pytest.raises(errors.ServerSideError):
        make_transport(URL, retry=policy).open()
    assert len(calls(mock, "POST", SESSIONS)) == 1


@pytest.mark.parametrize("failure", [requests.exceptions.ReadTimeout("read timed out"),
                                     requests.exceptions.ConnectionError("reset by peer")],
                         ids=["timeout", "dropped"])
def test_login_is_never_retried_after_a_timeout_or_a_drop(mock, fake_time, failure):
    serve_root(mock)
    mock.post(f"{BASE}{SESSIONS}", body=failure)
    login_ok(mock)
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)

    with pytest.raises(errors.HamnhwError):
        make_transport(URL, retry=policy).open()
    assert len(calls(mock, "POST", SESSIONS)) == 1, "the BMC may have made a session"


SESSION_LIMIT = {"error": {"code": "Base.1.8.GeneralError", "message": "error",
                           "@Message.ExtendedInfo": [{
                               "MessageId": "Base.1.8.SessionLimitExceeded",
                               "Message": "The session establishment failed due to the number "
                                          "of simultaneous sessions exceeding the limit."}]}}


def test_session_limit_falls_back_to_basic_auth_when_offered(mock, fake_time, caplog):
    serve_root(mock)
    mock.post(f"{BASE}{SESSIONS}", status=503, json=SESSION_LIMIT)
    mock.get(f"{BASE}{SESSIONS}", json={"Members": []})
    mock.get(f"{BASE}{SYSTEMS}", json={"Members": []})
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)

    with caplog.at_level(logging.WARNING, logger="hamnhw"):
        transport = make_transport(URL, retry=policy).open()
        transport.get(SYSTEMS)
        transport.close()

    assert transport._auth.mode is None  # closed
    assert len(calls(mock, "POST", SESSIONS)) == 1, "no second login into a full table"
    assert calls(mock, "GET", SYSTEMS)[0].request.headers["Authorization"].startswith("Basic ")
    assert not calls(mock, "DELETE")
    assert "session limit is reached" in caplog.text and PASSWORD not in caplog.text
    assert fake_time.sleeps == []


def test_session_limit_without_basic_auth_raises_the_refusal(mock, fake_time):
    serve_root(mock)
    mock.post(f"{BASE}{SESSIONS}", status=503, json=SESSION_LIMIT)
    mock.get(f"{BASE}{SESSIONS}", status=401)
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)

    with pytest.raises(errors.ServerSideError, match="simultaneous sessions") as info:
        make_transport(URL, retry=policy).open()
    assert info.value.status == 503
    assert len(calls(mock, "POST", SESSIONS)) == 1


def test_login_body_is_sent_as_json(mock, fake_time):
    opened(mock, fake_time)
    assert json.loads(calls(mock, "POST", SESSIONS)[0].request.body) == {
        "UserName": "root", "Password": PASSWORD}
