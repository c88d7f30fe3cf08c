"""The whole stack (hamnhw.connect -> registry -> generic driver -> transport) against the
simulator over real HTTP on loopback, with its faults injected.

Each test states a safety rule and checks it through what the simulated BMC saw
(its request log), not through hamnhw's own account of what it did.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import hamnhw
from hamnhw import errors
from hamnhw.cli.exit_codes import exit_code_for
from hamnhw.interfaces import PollPolicy
from hamnhw.models import PowerState
from hamnhw.node import Node
from hamnhw.sim import ServerSpec, SimCluster, SimServer

SYSTEM = "/redfish/v1/Systems/1"
RESET = f"{SYSTEM}/Actions/ComputerSystem.Reset"
SESSIONS = "/redfish/v1/SessionService/Sessions"
FAST_POLL = PollPolicy(interval=0.05, timeout=5.0)


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    specs = [ServerSpec(name="node", power="On", power_delay=0.1),
             ServerSpec(name="basic", power="On", session_service=False)]
    with SimCluster(specs) as sim:
        yield sim


@pytest.fixture
def server(cluster: SimCluster) -> Iterator[SimServer]:
    node = cluster["node"]
    node.clear_faults()
    node.set_power("On")
    node.clear_requests()
    yield node
    node.clear_faults()


def connect(server: SimServer, **kwargs: object) -> Node:
    options: dict[str, object] = {"poll": FAST_POLL, "timeout": 10.0}
    options.update(kwargs)
    return hamnhw.connect(server.url, username=server.username, password=server.password,
                          **options)  # type: ignore[arg-type]


def sent(server: SimServer, method: str, path: str) -> int:
    return sum(1 for r in server.requests if r.method == method and r.path.rstrip("/") == path)


def test_post_on_a_hung_bmc_is_sent_once_then_unconfirmed(server: SimServer) -> None:
    server.inject("hang", method="POST", path=RESET)
    node = connect(server, timeout=1.0, read_timeout=0.5)
    with node, pytest.raises(errors.StateUnconfirmed, match="may have acted on it") as info:
        node.power.off(timeout=1.5)
    assert sent(server, "POST", RESET) == 1
    assert sent(server, "GET", SYSTEM) >= 2, "the state was read after the unanswered POST"
    assert f"127.0.0.1:{server.port}" in str(info.value)
    assert isinstance(info.value.__cause__, errors.BmcTimeout)
    assert not info.value.accepted


def test_post_answered_503_is_not_resent(server: SimServer) -> None:
    server.inject("error_5xx", method="POST", path=RESET, status=503)
    with connect(server) as node, pytest.raises(errors.ServerSideError) as info:
        node.power.off()
    assert sent(server, "POST", RESET) == 1
    assert (info.value.status, info.value.method, info.value.path) == (503, "POST", RESET)
    assert server.power_state == "On"


def test_get_is_retried_through_a_5xx_burst(server: SimServer) -> None:
    with connect(server) as node:
        server.inject("error_5xx", count=2, method="GET", path=SYSTEM)
        assert node.power.state() is PowerState.ON
    statuses = [r.status for r in server.requests if r.method == "GET" and r.path == SYSTEM]
    assert statuses[-3:] == [503, 503, 200]


def test_expired_session_is_renewed_once_for_a_get(server: SimServer) -> None:
    with connect(server) as node:
        server.inject("expire_session", count=1)
        assert node.power.state() is PowerState.ON
    assert sent(server, "POST", SESSIONS) == 2


def test_expired_session_under_a_reset_reads_state_then_resends_once(server: SimServer) -> None:
    with connect(server) as node:
        server.inject("expire_session", count=1, method="POST", path=RESET)
        result = node.power.off()
    assert result.power_state is PowerState.OFF
    resets = [r.status for r in server.requests if r.method == "POST" and r.path == RESET]
    assert resets[0] == 401
    assert len(resets) == 2
    assert server.power_state == "Off"


@pytest.mark.parametrize("status", [200, 500])
def test_html_error_page_is_a_typed_error_naming_the_bmc(server: SimServer,
                                                           status: int) -> None:
    with connect(server) as node:
        server.inject("html_error", path=SYSTEM, method="GET", status=status)
        with pytest.raises((errors.MalformedResponse, errors.ServerSideError)) as info:
            node.inventory.system()
    assert f"127.0.0.1:{server.port}" in str(info.value)
    assert "HTML" in str(info.value)
    expected = errors.MalformedResponse if status == 200 else errors.ServerSideError
    assert isinstance(info.value, expected)


def test_malformed_json_names_the_resource(server: SimServer) -> None:
    with connect(server) as node:
        server.inject("malformed_json", path=SYSTEM, method="GET", count=1)
        with pytest.raises(errors.MalformedResponse) as info:
            node.inventory.system()
    assert info.value.uri is not None and SYSTEM in info.value.uri


def test_ignored_reset_is_a_timeout_not_a_success(server: SimServer) -> None:
    server.inject("ignore_reset", method="POST", path=RESET)
    with connect(server) as node, pytest.raises(errors.PowerStateTimeout) as info:
        node.power.off(timeout=0.5)
    assert info.value.last_state == "on"
    assert sent(server, "POST", RESET) == 1


def test_powering_off_is_not_off_until_read_twice(server: SimServer) -> None:
    with connect(server) as node:
        result = node.power.off()
    reads = [r for r in server.requests if r.method == "GET" and r.path == SYSTEM]
    assert result.power_state is PowerState.OFF and result.changed
    assert server.power_state == "Off"
    assert len(reads) >= 3  # the state before, and two Off reads at least


def test_slow_bmc_fails_within_the_deadline(server: SimServer) -> None:
    with connect(server, timeout=0.8, read_timeout=5.0) as node:
        server.inject("latency", path=SYSTEM, method="GET", seconds=3.0)
        with pytest.raises(errors.BmcTimeout):
            node.power.state()


def test_byte_dripping_bmc_fails_within_the_deadline(server: SimServer) -> None:
    with connect(server, timeout=0.8, read_timeout=5.0) as node:
        server.inject("byte_drip", path=SYSTEM, method="GET", interval=0.05)
        with pytest.raises(errors.BmcTimeout):
            node.power.state()


def test_wrong_password_is_an_authentication_error_without_the_password(
        server: SimServer) -> None:
    with pytest.raises(errors.AuthenticationError) as info:
        hamnhw.connect(server.url, username=server.username, password="not-the-pw-123")
    assert "not-the-pw-123" not in str(info.value)
    assert not any("not-the-pw-123" in repr(r.body) for r in server.requests)


def test_basic_auth_fallback_without_session_service(cluster: SimCluster) -> None:
    server = cluster["basic"]
    server.clear_requests()
    with connect(server) as node:
        assert node.power.state() is PowerState.ON
    logins = [r for r in server.requests if r.method == "POST" and r.path.rstrip("/") == SESSIONS]
    # the login sent beside the ServiceRoot's GET, refused: no session, no second login
    assert len(logins) <= 1 and all(r.status >= 400 for r in logins)
    assert not [r for r in server.requests if r.method == "DELETE"]
    assert {r.auth for r in server.requests if r.path == SYSTEM} == {"basic"}


def test_session_is_deleted_on_exit(server: SimServer) -> None:
    with connect(server) as node:
        node.power.state()
    deletes = [r for r in server.requests if r.method == "DELETE"]
    assert len(deletes) == 1 and deletes[0].path.startswith(SESSIONS)


def test_wrong_password_with_basic_auth_fails_at_connect(cluster: SimCluster) -> None:
    """Basic auth has no login step: the first authenticated request, made at connect,
    proves the credentials, so a command never starts on a BMC that refuses them."""
    server = cluster["basic"]
    server.clear_requests()
    with pytest.raises(errors.AuthenticationError):
        # driver forced: no detection request either, only the driver's open() checks
        hamnhw.connect(server.url, username=server.username, password="not-the-pw-456",
                       driver="generic")
    assert server.requests[-1].status == 401
    # nothing but reads, and the login sent beside the ServiceRoot's GET, refused
    writes = [r for r in server.requests if r.method != "GET"]
    assert [(r.method, r.path.rstrip("/")) for r in writes] in ([], [("POST", SESSIONS)])
    assert all(r.status >= 400 for r in writes)


def test_accepted_reset_then_a_silent_bmc_is_unconfirmed_exit_1(server: SimServer) -> None:
    """The BMC accepts ForceOff, then hangs every read: exit 1 "accepted, unconfirmed", never
    "unreachable" (it answered), and the reset is not sent again."""
    silenced: list[bool] = []

    def sleep_then_silence(seconds: float) -> None:
        if not silenced:
            server.inject("hang", path=SYSTEM, method="GET")
            silenced.append(True)
        time.sleep(seconds)

    poll = PollPolicy(interval=0.05, timeout=1.5, sleep=sleep_then_silence)
    with connect(server, poll=poll, read_timeout=0.3) as node, \
            pytest.raises(errors.StateUnconfirmed) as info:
        node.power.off()
    assert "accepted, then the BMC stopped answering" in str(info.value)
    assert exit_code_for(info.value) == 1
    assert sent(server, "POST", RESET) == 1
