"""Transport behaviour against `responses` mocks: library setup, auth,
retries, the exactly-once rule and error mapping."""

from __future__ import annotations

import json
import logging
import math
import os

import pytest
import requests
import responses
from transport_loopback import PASSWORD, ROOT_DOC, SESSION_1, SESSIONS, TOKEN, make_transport

from hamnhw import errors
from hamnhw.cli.exit_codes import exit_code_for
from hamnhw.connection import Timeouts, TlsOptions
from hamnhw.log import redact
from hamnhw.transport.adapter import BmcAdapter
from hamnhw.transport.replay import RequestsAdapter
from hamnhw.transport.retry import Deadline, RetryPolicy
from hamnhw.transport.tlschoice import system_ca_bundle

BASE = "https://bmc.test"
URL = "redfish://bmc.test"


@pytest.fixture
def mock() -> responses.RequestsMock:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def standard(mock: responses.RequestsMock, root: dict | None = None,
             login_headers: dict | None = None) -> None:
    mock.get(f"{BASE}/redfish/v1/", json=ROOT_DOC if root is None else root)
    headers = {"X-Auth-Token": TOKEN, "Location": SESSION_1} if login_headers is None \
        else login_headers
    mock.post(f"{BASE}{SESSIONS}", status=201, json={}, headers=headers)
    mock.delete(f"{BASE}{SESSION_1}", status=204)


def calls(mock: responses.RequestsMock, method: str, path: str) -> list:
    return [c for c in mock.calls
            if c.request.method == method and c.request.path_url == path]


def opened(mock: responses.RequestsMock, **kwargs) -> object:
    standard(mock)
    return make_transport(URL, **kwargs).open()


# -- library setup -------------------------------------------------------------


def test_library_client_gets_safe_settings() -> None:
    transport = make_transport(URL)
    client = transport.library_client
    assert client._max_retry == 0
    assert client._proxies == {}
    assert client.cafile == system_ca_bundle()
    assert client._session.trust_env is False
    assert isinstance(client._session.get_adapter("https://bmc.test/"), RequestsAdapter)
    assert isinstance(client._session.get_adapter("http://bmc.test/"), RequestsAdapter)
    assert client._session.get_adapter("https://bmc.test/")._verify == system_ca_bundle()


def test_library_client_gets_given_ca_file_and_the_session(mock, self_signed) -> None:
    ca = str(self_signed.cert)
    transport = make_transport(URL, tls=TlsOptions(ca_file=ca))
    assert transport.library_client.cafile == ca
    assert transport._adapter.verify == ca
    standard(mock)
    transport.open()
    assert transport.library_client.get_session_key() == TOKEN


@pytest.mark.parametrize("content", [None, "not a certificate\n"], ids=["missing", "garbage"])
def test_unusable_ca_file_is_config_error_up_front(tmp_path, content) -> None:
    ca = tmp_path / "ca.pem"
    if content is not None:
        ca.write_text(content)
    with pytest.raises(errors.ConfigError, match="ca_file"):
        make_transport(URL, tls=TlsOptions(ca_file=str(ca)))


def test_system_ca_bundle_ignores_ssl_cert_file(tmp_path, monkeypatch) -> None:
    planted = tmp_path / "planted.pem"
    planted.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(planted))
    bundle = system_ca_bundle()
    assert bundle != str(planted)
    assert os.path.isfile(bundle)


@pytest.mark.parametrize("tls", [{"ca_file": "ca.pem"}, {"pin_fingerprint": "ab" * 32},
                                 {"insecure": True}], ids=["ca_file", "pin", "insecure"])
def test_tls_option_with_plain_http_is_config_error(tls) -> None:
    with pytest.raises(errors.ConfigError, match="plain HTTP"):
        make_transport("redfish+http://bmc.test", tls=TlsOptions(**tls))


def test_plain_http_warns_once_per_host(monkeypatch, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="hamnhw"):
        for url in ("redfish+http://bmc.test", "idrac-redfish+http://bmc.test",
                    "redfish+http://other.test", URL):
            make_transport(url)
    warnings = [r.getMessage() for r in caplog.records if "clear text" in r.getMessage()]
    assert len(warnings) == 2
    assert warnings[0].startswith("bmc.test: ") and warnings[1].startswith("other.test: ")


# -- authentication --------------------------------------------------------------


def test_session_login_uses_token_and_logs_out(mock) -> None:
    standard(mock)
    mock.get(f"{BASE}/redfish/v1/Systems", json={"Members": []})
    transport = make_transport(URL).open()
    assert transport.get("/redfish/v1/Systems") == {"Members": []}
    transport.close()
    root_call = calls(mock, "GET", "/redfish/v1/")[0]
    assert "X-Auth-Token" not in root_call.request.headers
    assert "Authorization" not in root_call.request.headers
    login = calls(mock, "POST", SESSIONS)[0]
    assert json.loads(login.request.body) == {"UserName": "root", "Password": PASSWORD}
    assert calls(mock, "GET", "/redfish/v1/Systems")[0].request.headers["X-Auth-Token"] == TOKEN
    assert len(calls(mock, "DELETE", SESSION_1)) == 1


def test_session_path_is_public_and_another_session_can_be_deleted(mock) -> None:
    standard(mock)
    stale = f"{SESSIONS}/9"
    mock.delete(f"{BASE}{stale}", status=204)
    transport = make_transport(URL).open()
    assert transport.session_path == SESSION_1
    assert transport.delete_session(stale).status == 204
    assert len(calls(mock, "DELETE", stale)) == 1
    for refused in (SESSION_1, "/redfish/v1/Systems/1", f"{SESSIONS}x/2"):
        with pytest.raises(ValueError, match="not another session"):
            transport.delete_session(refused)
    transport.close()
    assert len(calls(mock, "DELETE", SESSION_1)) == 1  # only the logout


def test_session_path_is_none_with_basic_auth(mock) -> None:
    standard(mock, login_headers={})
    assert make_transport(URL).open().session_path is None


def test_login_falls_back_to_default_sessions_path(mock) -> None:
    standard(mock, root={"SessionService": {"@odata.id": "/redfish/v1/SessionService"}})
    transport = make_transport(URL).open()
    assert len(calls(mock, "POST", SESSIONS)) == 1
    assert transport._auth.mode == "session"


def test_basic_auth_without_session_service(mock) -> None:
    mock.get(f"{BASE}/redfish/v1/", json={"Systems": {"@odata.id": "/redfish/v1/Systems"}})
    mock.post(f"{BASE}{SESSIONS}", status=404)  # no SessionService there either
    mock.get(f"{BASE}/redfish/v1/Systems", json={})
    transport = make_transport(URL).open()
    transport.get("/redfish/v1/Systems")
    transport.close()
    assert all(c.response.status_code == 404 for c in calls(mock, "POST", SESSIONS))
    sent = calls(mock, "GET", "/redfish/v1/Systems")[0].request.headers
    assert sent["Authorization"].startswith("Basic ")
    assert not calls(mock, "DELETE", SESSION_1)


def test_basic_auth_when_login_answer_has_no_token(mock) -> None:
    standard(mock, login_headers={})
    mock.get(f"{BASE}/redfish/v1/Systems", json={})
    transport = make_transport(URL).open()
    transport.get("/redfish/v1/Systems")
    assert calls(mock, "GET", "/redfish/v1/Systems")[0].request.headers[
        "Authorization"].startswith("Basic ")
    assert "basic" in repr(transport)


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_login_is_authentication_error(mock, status) -> None:
    mock.get(f"{BASE}/redfish/v1/", json=ROOT_DOC)
    mock.post(f"{BASE}{SESSIONS}", status=status, json={})
    with pytest.raises(errors.AuthenticationError, match="credentials rejected") as info:
        make_transport(URL).open()
    assert PASSWORD not in str(info.value)


def test_401_on_get_relogs_once_and_resends(mock) -> None:
    transport = opened(mock)
    mock.get(f"{BASE}/redfish/v1/Systems", status=401)
    mock.get(f"{BASE}/redfish/v1/Systems", json={"ok": 1})
    assert transport.get("/redfish/v1/Systems") == {"ok": 1}
    assert len(calls(mock, "POST", SESSIONS)) == 2
    assert len(calls(mock, "GET", "/redfish/v1/Systems")) == 2


def test_relogin_forgets_the_old_session_token(mock) -> None:
    transport = opened(mock)
    assert redact(TOKEN) == "***"
    mock.post(f"{BASE}{SESSIONS}", status=201, json={},
              headers={"X-Auth-Token": "tok-second-session-0001", "Location": SESSION_1})
    mock.get(f"{BASE}/redfish/v1/Systems", status=401)
    mock.get(f"{BASE}/redfish/v1/Systems", json={"ok": 1})
    transport.get("/redfish/v1/Systems")
    assert calls(mock, "GET", "/redfish/v1/Systems")[-1].request.headers["X-Auth-Token"] == \
        "tok-second-session-0001"
    assert redact(TOKEN) == TOKEN, "the expired token is no longer tracked"
    assert redact("tok-second-session-0001") == "***"
    transport.close()


def test_401_surviving_a_fresh_login_is_access_denied_exit_1(mock) -> None:
    transport = opened(mock)
    mock.get(f"{BASE}/redfish/v1/Systems", status=401,
             json={"error": {"message": "Insufficient privilege"}})
    with pytest.raises(errors.AccessDenied) as info:
        transport.get("/redfish/v1/Systems")
    assert not isinstance(info.value, errors.AuthenticationError)
    assert exit_code_for(info.value) == 1, "the credentials are valid: not exit 4"
    assert (info.value.path, info.value.status) == ("/redfish/v1/Systems", 401)
    assert "Insufficient privilege" in str(info.value)
    assert len(calls(mock, "POST", SESSIONS)) == 2
    assert len(calls(mock, "GET", "/redfish/v1/Systems")) == 2
    assert len(calls(mock, "DELETE", SESSION_1)) == 1, "the superseded session is deleted"


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_401_on_unsafe_method_relogs_but_is_not_resent(mock, method) -> None:
    transport = opened(mock)
    path = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
    mock.add(method, f"{BASE}{path}", status=401)
    send = {"POST": lambda: transport.post(path, {"ResetType": "On"}),
            "PATCH": lambda: transport.patch(path, {"A": 1}),
            "DELETE": lambda: transport.delete(path)}[method]
    with pytest.raises(errors.SessionExpired, match="not re-send"):
        send()
    assert len(calls(mock, method, path)) == 1
    assert len(calls(mock, "POST", SESSIONS)) == 2


def test_close_logs_logout_failure_without_raising(mock, caplog) -> None:
    mock.get(f"{BASE}/redfish/v1/", json=ROOT_DOC)
    mock.post(f"{BASE}{SESSIONS}", status=201, json={},
              headers={"X-Auth-Token": TOKEN, "Location": f"{BASE}{SESSION_1}"})
    mock.delete(f"{BASE}{SESSION_1}", status=500)
    transport = make_transport(URL).open()
    with caplog.at_level(logging.WARNING, logger="hamnhw"):
        transport.close()
        transport.close()
    assert len(calls(mock, "DELETE", SESSION_1)) == 1
    assert "logout" in caplog.text


# -- retries and exactly-once -------------------------------------------------------


def test_get_retried_on_5xx_with_backoff(mock, fake_time) -> None:
    policy = RetryPolicy(max_attempts=4, base_delay=0.5, jitter=0.0,
                         sleep=fake_time.sleep, clock=fake_time.clock)
    transport = opened(mock, retry=policy)
    mock.get(f"{BASE}/redfish/v1/Systems", status=503)
    mock.get(f"{BASE}/redfish/v1/Systems", status=502)
    mock.get(f"{BASE}/redfish/v1/Systems", json={"ok": 1})
    assert transport.get("/redfish/v1/Systems") == {"ok": 1}
    assert fake_time.sleeps == [0.5, 1.0]


def test_get_retries_are_bounded(mock, fake_time) -> None:
    policy = RetryPolicy(max_attempts=3, sleep=fake_time.sleep, clock=fake_time.clock)
    transport = opened(mock, retry=policy)
    mock.get(f"{BASE}/redfish/v1/Systems", status=503)
    with pytest.raises(errors.ServerSideError):
        transport.get("/redfish/v1/Systems")
    assert len(calls(mock, "GET", "/redfish/v1/Systems")) == 3


def test_get_retry_never_sleeps_past_deadline(mock, fake_time) -> None:
    policy = RetryPolicy(max_attempts=5, base_delay=2.0, jitter=0.0,
                         sleep=fake_time.sleep, clock=fake_time.clock)
    transport = opened(mock, retry=policy)
    mock.get(f"{BASE}/redfish/v1/Systems", status=503)
    with pytest.raises(errors.ServerSideError), transport.operation(3.0):
        transport.get("/redfish/v1/Systems")
    assert fake_time.sleeps == [2.0]
    assert len(calls(mock, "GET", "/redfish/v1/Systems")) == 2


def test_get_retried_on_connection_error(mock, fake_time) -> None:
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    transport = opened(mock, retry=policy)
    mock.get(f"{BASE}/redfish/v1/Systems", body=requests.exceptions.ConnectionError("reset"))
    mock.get(f"{BASE}/redfish/v1/Systems", json={"ok": 1})
    assert transport.get("/redfish/v1/Systems") == {"ok": 1}
    assert len(fake_time.sleeps) == 1


def test_post_503_is_sent_once_and_raises(mock, fake_time) -> None:
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    transport = opened(mock, retry=policy)
    mock.post(f"{BASE}/redfish/v1/Actions/X", status=503)
    with pytest.raises(errors.ServerSideError):
        transport.post("/redfish/v1/Actions/X", {})
    assert len(calls(mock, "POST", "/redfish/v1/Actions/X")) == 1
    assert fake_time.sleeps == []


def test_patch_sends_if_match(mock) -> None:
    transport = opened(mock)
    mock.patch(f"{BASE}/redfish/v1/Systems/1", status=200, json={"ok": 1})
    answer = transport.patch("/redfish/v1/Systems/1", {"A": 1}, etag='W/"7"')
    assert answer.status == 200 and answer.body == {"ok": 1}
    assert calls(mock, "PATCH", "/redfish/v1/Systems/1")[0].request.headers["If-Match"] == 'W/"7"'


def test_post_returns_location(mock) -> None:
    transport = opened(mock)
    mock.post(f"{BASE}/redfish/v1/Actions/X", status=202, headers={"Location": "/tasks/1"})
    answer = transport.post("/redfish/v1/Actions/X")
    assert (answer.status, answer.location, answer.body) == (202, "/tasks/1", None)


# -- error mapping -------------------------------------------------------------------


def test_http_error_carries_extended_info_message(mock) -> None:
    transport = opened(mock)
    body = {"error": {"code": "Base.1.0.GeneralError", "message": "general",
                      "@Message.ExtendedInfo": [{"Message": "The resource was not found."}]}}
    mock.get(f"{BASE}/redfish/v1/Systems/9", status=404, json=body)
    with pytest.raises(errors.NotFoundError) as info:
        transport.get("/redfish/v1/Systems/9")
    err = info.value
    assert (err.host, err.method, err.path, err.status) == ("bmc.test", "GET",
                                                           "/redfish/v1/Systems/9", 404)
    assert err.redfish_message == "The resource was not found."


@pytest.mark.parametrize(("status", "cls"), [(400, errors.BadRequestError),
                                             (409, errors.ConflictError),
                                             (405, errors.MethodNotAllowedError),
                                             (418, errors.HttpError)])
def test_http_error_class_and_error_message(mock, status, cls) -> None:
    transport = opened(mock)
    mock.post(f"{BASE}/redfish/v1/X", status=status, json={"error": {"message": "nope"}})
    with pytest.raises(cls) as info:
        transport.post("/redfish/v1/X", {})
    assert info.value.redfish_message == "nope"
    assert "POST /redfish/v1/X returned HTTP" in str(info.value)


def test_html_error_page_is_malformed_response(mock) -> None:
    transport = opened(mock)
    mock.get(f"{BASE}/redfish/v1/Systems", status=200, body="<html><body>oops</body></html>",
             content_type="text/html")
    with pytest.raises(errors.MalformedResponse, match="HTML error page") as info:
        transport.get("/redfish/v1/Systems")
    assert info.value.uri == "/redfish/v1/Systems"


def test_invalid_json_is_malformed_response(mock) -> None:
    transport = opened(mock)
    mock.get(f"{BASE}/redfish/v1/Systems", status=200, body='{"a": ',
             content_type="application/json")
    with pytest.raises(errors.MalformedResponse, match=r"/redfish/v1/Systems: invalid JSON"):
        transport.get("/redfish/v1/Systems")


def test_get_of_non_object_is_malformed_response(mock) -> None:
    transport = opened(mock)
    mock.get(f"{BASE}/redfish/v1/Systems", json=[1, 2])
    with pytest.raises(errors.MalformedResponse, match="JSON object"):
        transport.get("/redfish/v1/Systems")


def test_body_over_size_cap_is_malformed_response(mock) -> None:
    transport = opened(mock, max_body=1000)
    mock.get(f"{BASE}/redfish/v1/Big", json={"pad": "x" * 5000})
    with pytest.raises(errors.MalformedResponse, match="larger than 1000 bytes"):
        transport.get("/redfish/v1/Big")


def test_tls_error_maps_to_tls_error_and_is_not_retried(mock, fake_time) -> None:
    mock.get(f"{BASE}/redfish/v1/", body=requests.exceptions.SSLError("bad cert"))
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    with pytest.raises(errors.TlsError):
        make_transport(URL, retry=policy).open()
    assert fake_time.sleeps == []


def test_operation_block_narrows_default_deadline() -> None:
    transport = make_transport(URL, timeouts=Timeouts(operation=50))
    with transport.operation(5):
        outer = transport._deadline
        with transport.operation(100):
            assert transport._deadline.expires == outer.expires
        assert transport._deadline is outer
    assert transport._deadline is None


def test_root_refused_without_credentials_still_logs_in(mock) -> None:
    mock.get(f"{BASE}/redfish/v1/", status=401)
    mock.post(f"{BASE}{SESSIONS}", status=201, json={},
              headers={"X-Auth-Token": TOKEN, "Location": SESSION_1})
    transport = make_transport(URL).open()
    assert transport.root == {}
    assert transport._auth.mode == "session"


def test_backoff_grows_caps_and_jitters() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=3.0, jitter=0.5, rand=lambda: 1.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [1.5, 3.0, 4.5, 4.5]


def test_timeout_reports_the_elapsed_time_of_the_governing_operation(mock, fake_time) -> None:
    transport = opened(mock, retry=RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock))
    mock.get(f"{BASE}/redfish/v1/Systems", json={})
    with transport.operation(10):
        fake_time.advance(6)
        with transport.operation(100):  # cannot widen: the outer deadline still governs
            fake_time.advance(5)
            with pytest.raises(errors.BmcTimeout, match="deadline exceeded") as info:
                transport.get("/redfish/v1/Systems")
    assert info.value.elapsed_s == 11
    assert not calls(mock, "GET", "/redfish/v1/Systems")


def test_timeout_inside_a_shorter_inner_operation_reports_its_elapsed(mock, fake_time) -> None:
    transport = opened(mock, retry=RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock))
    with transport.operation(100):
        fake_time.advance(50)
        with transport.operation(2):
            fake_time.advance(3)
            with pytest.raises(errors.BmcTimeout) as info:
                transport.get("/redfish/v1/Systems")
    assert info.value.elapsed_s == 3


@pytest.mark.parametrize("seconds", [math.nan, math.inf, 0.0, -1.0])
def test_operation_refuses_non_finite_or_non_positive_seconds(seconds) -> None:
    transport = make_transport(URL)
    with pytest.raises(errors.ConfigError, match="finite"), transport.operation(seconds):
        pass


def test_dropped_get_is_retried_then_unreachable(mock, fake_time) -> None:
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    transport = opened(mock, retry=policy)
    mock.get(f"{BASE}/redfish/v1/Systems", body=requests.exceptions.ConnectionError("reset"))
    with pytest.raises(errors.BmcUnreachable, match="dropped before an answer") as info:
        transport.get("/redfish/v1/Systems")
    assert not isinstance(info.value, errors.ConnectionDropped)
    assert len(calls(mock, "GET", "/redfish/v1/Systems")) == policy.max_attempts


def test_programming_error_in_the_send_path_surfaces(mock, monkeypatch) -> None:
    transport = opened(mock)
    mock.get(f"{BASE}/redfish/v1/Systems", json={})

    def broken(self, response, deadline, **_: object) -> None:
        raise TypeError("a bug, not the BMC")

    monkeypatch.setattr(BmcAdapter, "_read_body", broken)
    with pytest.raises(TypeError, match="a bug"):
        transport.get("/redfish/v1/Systems")


def test_within_shares_a_deadline_started_before_it(mock, fake_time) -> None:
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock)
    transport = opened(mock, retry=policy)
    mock.get(f"{BASE}/redfish/v1/Systems", json={"Members": []})
    deadline = Deadline(5, fake_time.clock)
    fake_time.advance(4)  # spent connecting
    with transport.within(deadline):
        assert transport.get("/redfish/v1/Systems") == {"Members": []}
        fake_time.advance(2)
        with pytest.raises(errors.BmcTimeout) as info:
            transport.get("/redfish/v1/Systems")
        assert info.value.elapsed_s == 6, "measured from the deadline's start"
        transport.close()
    assert len(calls(mock, "DELETE", SESSION_1)) == 1, "logout still gets its grace"
