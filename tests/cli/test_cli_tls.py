"""TLS options of the CLI against the simulator serving HTTPS with a self-signed certificate."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from cli_helpers import json_out, run

from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None,
                                reason="the simulator needs the openssl command for HTTPS")


@pytest.fixture(scope="module")
def https_server() -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="tls")], tls=True) as cluster:
        yield cluster["tls"]


@pytest.fixture
def env(https_server: SimServer) -> dict[str, str]:
    return {"HAMNHW_USERNAME": https_server.username, "HAMNHW_PASSWORD": https_server.password}


def test_untrusted_certificate_exits_3(https_server: SimServer, env: dict[str, str],
                                       no_retry_sleep: list[float]) -> None:
    result = run("--json", "detect", https_server.url, env=env)
    assert result.exit_code == 3, result.output
    assert json_out(result)["error"]["type"] == "TlsError"


@pytest.mark.parametrize("how", ["--ca-file", "--pin-fingerprint", "--insecure"])
def test_trusted_by_option(https_server: SimServer, env: dict[str, str], how: str) -> None:
    value = {"--ca-file": [https_server.cert_file], "--insecure": [],
             "--pin-fingerprint": [https_server.fingerprint]}[how]
    result = run("--json", "detect", how, *value, https_server.url, env=env)  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    assert json_out(result)["driver"] == "generic"


def test_wrong_pin_exits_3(https_server: SimServer, env: dict[str, str],
                           no_retry_sleep: list[float]) -> None:
    https_server.clear_requests()
    result = run("--json", "detect", "--pin-fingerprint", "ab" * 32, https_server.url, env=env)
    assert result.exit_code == 3, result.output
    assert json_out(result)["error"]["type"] == "TlsError"
    assert https_server.requests == [], "no HTTP request may reach a BMC whose pin is wrong"


def test_untrusted_certificate_says_what_to_do_with_the_fingerprint_seen(
        https_server: SimServer, env: dict[str, str], no_retry_sleep: list[float]) -> None:
    result = run("power", "status", https_server.url, env=env)
    assert result.exit_code == 3
    message = result.stderr.strip().splitlines()[-1]
    seen = ":".join(https_server.fingerprint[i:i + 2] for i in range(0, 64, 2)).upper()
    assert "self-signed certificate" in message
    assert f"--pin-fingerprint {seen}" in message
    assert message.index("--ca-file") < message.index("--pin-fingerprint") < message.index(
        "--insecure"), "--insecure comes last"
    json_result = run("--json", "detect", https_server.url, env=env)
    assert json_out(json_result)["error"]["fingerprint"] == https_server.fingerprint
    pinned = run("--json", "detect", "--pin-fingerprint", seen, https_server.url, env=env)
    assert pinned.exit_code == 0, "the fingerprint printed is accepted as it is"


def test_wrong_pin_names_the_fingerprint_presented(https_server: SimServer,
                                                   env: dict[str, str],
                                                   no_retry_sleep: list[float]) -> None:
    result = run("--json", "detect", "--pin-fingerprint", "ab" * 32, https_server.url, env=env)
    error = json_out(result)["error"]
    assert error["fingerprint"] == https_server.fingerprint
    assert "not the pinned one" in error["message"]
