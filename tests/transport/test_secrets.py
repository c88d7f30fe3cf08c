"""Passwords and tokens never show: logs (DEBUG included), repr, errors;
and child processes do not inherit secret environment variables."""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys

import pytest
from transport_loopback import PASSWORD, SESSIONS, TOKEN, make_transport

from hamnhw import errors
from hamnhw.log import MASK, get_logger, redact, register_secret
from hamnhw.procenv import child_env


def _secrets() -> list[str]:
    basic = base64.b64encode(f"root:{PASSWORD}".encode()).decode()
    return [PASSWORD, TOKEN, basic]


def _assert_clean(text: str) -> None:
    for secret in _secrets():
        assert secret not in text


def test_full_session_at_debug_leaks_nothing(bmc, caplog) -> None:
    bmc.standard()
    bmc.reply("GET", "/redfish/v1/Missing", 404,
              body={"error": {"message": f"no such thing; your token {TOKEN}"}})
    bmc.reply("POST", "/redfish/v1/Expired", 401)
    caplog.set_level(logging.DEBUG)
    transport = make_transport(bmc.url)
    raised: list[BaseException] = []
    with transport.open():
        transport.get("/redfish/v1/Systems")
        for call in (lambda: transport.get("/redfish/v1/Missing"),
                     lambda: transport.post("/redfish/v1/Expired", {"Password": PASSWORD})):
            try:
                call()
            except errors.HamnhwError as exc:
                raised.append(exc)
        shown = f"{transport!r} {transport}"
    login = next(r for r in bmc.requests if r.method == "POST")  # beside the ServiceRoot's GET
    assert login.headers.get("Content-Type") == "application/json"
    assert any(r.headers.get("X-Auth-Token") == TOKEN for r in bmc.requests), "token was used"
    assert [type(e) for e in raised] == [errors.NotFoundError, errors.SessionExpired]
    assert any(r.levelno == logging.DEBUG for r in caplog.records), "DEBUG was captured"
    _assert_clean(caplog.text)
    _assert_clean(shown)
    for exc in raised:
        _assert_clean(f"{exc} {exc!r} {exc.args}")


def test_basic_auth_key_never_logged(bmc, caplog) -> None:
    bmc.standard(token=None)
    caplog.set_level(logging.DEBUG)
    with make_transport(bmc.url).open() as transport:
        transport.get("/redfish/v1/Systems")
    assert bmc.requests[-1].headers["Authorization"].startswith("Basic ")
    _assert_clean(caplog.text)


def test_library_logger_stays_at_warning(bmc, caplog) -> None:
    bmc.standard()
    caplog.set_level(logging.DEBUG)
    with make_transport(bmc.url).open() as transport:
        transport.get("/redfish/v1/Systems")
    assert logging.getLogger("redfish.rest.v1").getEffectiveLevel() == logging.WARNING
    assert not [r for r in caplog.records if r.name.startswith("redfish")]


def test_redacts_headers_and_password_json() -> None:
    text = redact('X-Auth-Token: abc123 Authorization: Basic Zm9vOmJhcg== '
                  '{"UserName": "u", "Password": "hunter2"} {\'Password\': \'pw\'}')
    for secret in ("abc123", "Zm9vOmJhcg==", "hunter2", "'pw'"):
        assert secret not in text
    assert text.count(MASK) == 4
    assert '"UserName": "u"' in text


def test_registered_secret_masked_in_args_and_exceptions(caplog) -> None:
    register_secret("s3cr3t-registered")
    register_secret("")
    log = get_logger("tests.secrets")
    assert log.name == "hamnhw.tests.secrets"
    with caplog.at_level(logging.DEBUG, logger="hamnhw"):
        log.debug("value %s here", "s3cr3t-registered")
        try:
            raise ValueError("boom s3cr3t-registered")
        except ValueError:
            log.exception("failed")
    assert "s3cr3t-registered" not in caplog.text
    assert "value *** here" in caplog.text
    assert "boom ***" in caplog.text


def test_child_env_drops_secret_variables(monkeypatch) -> None:
    monkeypatch.setenv("HAMNHW_PASSWORD", PASSWORD)
    monkeypatch.setenv("BMC_PW", "other-secret")
    monkeypatch.setenv("KEEP_ME", "1")
    env = child_env(secret_names=["BMC_PW"])
    assert "HAMNHW_PASSWORD" not in env and "BMC_PW" not in env
    assert env["KEEP_ME"] == "1"
    assert os.environ["HAMNHW_PASSWORD"] == PASSWORD, "the parent's environment is untouched"
    out = subprocess.run([sys.executable, "-c", "import os; print(sorted(os.environ))"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert "HAMNHW_PASSWORD" not in out and "KEEP_ME" in out


@pytest.mark.parametrize("path", [SESSIONS])
def test_login_body_is_the_only_place_the_password_goes(bmc, path) -> None:
    bmc.standard()
    with make_transport(bmc.url).open() as transport:
        transport.get("/redfish/v1/Systems")
    carrying = [r for r in bmc.requests if PASSWORD.encode() in r.body]
    assert [(r.method, r.path) for r in carrying] == [("POST", path)]


def test_close_forgets_its_secrets_but_not_another_transports() -> None:
    basic = base64.b64encode(f"root:{PASSWORD}".encode()).decode()
    first = make_transport("redfish+http://127.0.0.1:9")
    second = make_transport("redfish+http://127.0.0.1:9")
    first._auth._use_basic()
    second._auth._use_basic()
    first.close()
    assert redact(f"pw {PASSWORD} key {basic}") == f"pw {MASK} key {MASK}", \
        "the second transport still uses them"
    second.close()
    assert redact(f"pw {PASSWORD} key {basic}") == f"pw {PASSWORD} key {basic}"
