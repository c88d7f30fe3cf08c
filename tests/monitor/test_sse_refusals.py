"""A 401 to an event stream's GET, judged as the transport judges any 401: under basic auth
the credentials' refusal, remembered so nothing more is sent with them; under a session an
expired session, which a new login can fix (review: the stream raised a bare
AuthenticationError either way and the refusal was not remembered)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import hamnhw
from hamnhw.errors import AuthenticationError, SessionExpired
from hamnhw.monitor.events import retry_cannot_fix
from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

SSE = "/redfish/v1/EventService/SSE"


@pytest.fixture
def servers() -> Iterator[SimCluster]:
    specs = [ServerSpec(name=name, power="On", post_time=0.0, boot_time=0.0,
                        session_service=sessions)
             for name, sessions in (("basic", False), ("sessions", True))]
    with SimCluster(specs) as cluster:
        yield cluster


def sent(server: SimServer, path: str) -> int:
    return sum(1 for r in server.requests if r.path.rstrip("/") == path)


def test_a_401_to_the_stream_under_basic_auth_is_remembered(servers: SimCluster) -> None:
    server = servers["basic"]
    with hamnhw.connect(server.url, username=server.username, password=server.password,
                        timeout=10.0) as node:
        client = node.driver.client
        client.get("/redfish/v1/Systems")
        server.inject("rotate_password", path=SSE, method="GET", count=1)
        with pytest.raises(AuthenticationError) as refused:
            client.stream(SSE, 5.0).__enter__()
        assert not isinstance(refused.value, SessionExpired)
        assert retry_cannot_fix(refused.value)  # the watch ends: no retry with them
        before = len(server.requests)
        with pytest.raises(AuthenticationError):
            client.stream(SSE, 5.0).__enter__()
        with pytest.raises(AuthenticationError):
            client.get("/redfish/v1/Chassis")  # not read before (no answer kept)
        assert len(server.requests) == before  # nothing more sent with them
    assert sent(server, SSE) == 1


def test_a_401_to_the_stream_under_a_session_is_an_expired_session(
        servers: SimCluster) -> None:
    server = servers["sessions"]
    with hamnhw.connect(server.url, username=server.username, password=server.password,
                        timeout=10.0) as node:
        client = node.driver.client
        server.inject("expire_session", path=SSE, method="GET", count=1)
        with pytest.raises(SessionExpired) as expired:
            client.stream(SSE, 5.0).__enter__()
        assert not retry_cannot_fix(expired.value)  # the watch logs in again
        assert "expired or was deleted" in str(expired.value)
        assert client.get("/redfish/v1/Systems")["Members"]  # a new login works
