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
