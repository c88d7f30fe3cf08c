"""What ``hamnhw.connect`` and the CLI refuse before any request: a username
without a password, non-finite timeouts; ``Node.operation``; the simulator's
openssl child gets :func:`hamnhw.procenv.child_env`."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

import hamnhw
from hamnhw import errors
from hamnhw.address import parse_bmc_url
from hamnhw.cli.main import cli
from hamnhw.connection import Secret, Timeouts
from hamnhw.driver import Driver
from hamnhw.interfaces import PollPolicy
from hamnhw.models import Detection
from hamnhw.node import Node
from hamnhw.sim import tls as sim_tls
from hamnhw.transport.redfish import RedfishTransport

URL = "redfish+http://127.0.0.1:9"
"""Never reached: every test here fails or stops before the network."""


class _Opened(Exception):
    """Raised instead of talking to a BMC: connect() got as far as opening."""


@pytest.fixture
def no_network(monkeypatch) -> None:
    def refuse_to_open(self) -> None:
        raise _Opened

    monkeypatch.setattr(RedfishTransport, "open", refuse_to_open)


@pytest.mark.usefixtures("no_network")
def test_username_without_password_is_config_error() -> None:
    with pytest.raises(errors.ConfigError, match="no password"):
        hamnhw.connect(URL, username="root")


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("password", ["", Secret("")])
def test_explicit_empty_password_is_allowed(password) -> None:
    with pytest.raises(_Opened):
        hamnhw.connect(URL, username="root", password=password)


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf, 0.0])
def test_non_finite_timeouts_are_config_errors(seconds) -> None:
    for field in ("connect", "read", "operation"):
        with pytest.raises(errors.ConfigError, match="finite"):
            Timeouts(**{field: seconds})


@pytest.mark.usefixtures("no_network")
def test_connect_refuses_nan_timeout() -> None:
    with pytest.raises(errors.ConfigError, match="timeout operation"):
        hamnhw.connect(URL, username="root", password="pw", timeout=math.nan)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "soon"])
def test_cli_timeout_option_refuses_non_finite_values(value) -> None:
    result = CliRunner().invoke(cli, ["power", "status", "--timeout", value, URL])
    assert result.exit_code == 2
    assert "finite number of seconds" in result.stderr


def test_bare_http_scheme_is_refused_by_connect() -> None:
    with pytest.raises(errors.ConfigError, match=r"redfish\+http://"):
        hamnhw.connect("http://127.0.0.1:9", username="root", password="pw")


class _Client:
    def __init__(self) -> None:
        self.deadlines: list[float | None] = []

    @contextlib.contextmanager
    def operation(self, seconds: float | None = None) -> Iterator[None]:
        self.deadlines.append(seconds)
        yield


def test_node_operation_delegates_to_the_transport() -> None:
    client = _Client()
    address = parse_bmc_url("redfish://bmc.test")
    node = Node("n", address, Driver(client, address, PollPolicy()), Detection("x", "test"))
    with node.operation(7.5):
        assert client.deadlines == [7.5]
    with node.operation():
        pass
    assert client.deadlines == [7.5, None]


def test_sim_certificate_child_gets_child_env(monkeypatch) -> None:
    monkeypatch.setenv("HAMNHW_PASSWORD", "must-not-reach-openssl")
    monkeypatch.setenv("HAMNHW_TEST_INHERITED", "1")
    seen: list[dict[str, str]] = []
    real_run = sim_tls.subprocess.run

    def spy(command, **kwargs):
        seen.append(dict(kwargs["env"]))
        return real_run(command, **kwargs)

    monkeypatch.setattr(sim_tls.subprocess, "run", spy)
    cert = sim_tls.SelfSignedCert()
    cert.cleanup()
    assert len(seen) == 1
    assert "HAMNHW_PASSWORD" not in seen[0]
    assert seen[0]["HAMNHW_TEST_INHERITED"] == "1", "the ordinary environment is kept"
    assert seen[0]["PATH"]
