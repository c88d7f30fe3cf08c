"""What hamnhw's connections say of a request left without an answer (``reason``,
hamnhw.noanswer), on real loopback sockets: a refused connect, a connect that times out
(a port whose accept queue is full drops the SYN, as pulled power cords do: silence after
a whole connect timeout of 1 s or more; a shorter one, or one the deadline cut, tells
nothing), a new
connection accepted then left silent (TCP, or a TLS handshake that never comes), a kept
connection left unanswered (it lets go of the other idle ones: the next request goes on a
new connection), no route, a name that does not resolve.  The failover judges these
(tests/failover/test_bmcanswer.py)."""

from __future__ import annotations

import contextlib
import errno
import socket
from collections.abc import Iterator

import pytest
from transport_loopback import make_transport

from hamnhw import noanswer
from hamnhw.connection import Timeouts
from hamnhw.errors import BmcTimeout, BmcUnreachable
from hamnhw.failover.bmcanswer import did, silent, undecided
from hamnhw.sim import ServerSpec, SimCluster, SimServer
from hamnhw.transport import coopsocket, errormap, tlscontext
from hamnhw.transport.lean import LeanConnections, watch_nothing
from hamnhw.transport.wireerrors import ConnectTimedOut, NotConnected, ReadTimedOut, WireError

pytestmark = pytest.mark.both_io  # in a thread and as a cooperative task (conftest)

CONNECT_S, READ_S = 0.2, 0.5
"""Short limits: each failure below costs one of them."""
SILENT_S = noanswer.SILENT_CONNECT_S
"""The shortest connect timeout whose running out is silence."""


def get(lean: LeanConnections, path: str = "/redfish/v1/", *,
        connect_s: float = CONNECT_S) -> bytes:
    answer = lean.send("GET", path, None, {}, connect_s, READ_S, watch_nothing)
    body = b""
    while chunk := answer.read1(65536):
        body += chunk
    answer.release()
    return body


def failure(lean: LeanConnections, connect_s: float = CONNECT_S) -> WireError:
    with pytest.raises(WireError) as info:
        get(lean, connect_s=connect_s)
    return info.value


def mapped(wire: WireError) -> BmcUnreachable | BmcTimeout:
    error = errormap.map_exception(wire, host="127.0.0.1:1", method="GET", path="/x",
                                   elapsed_s=0.0)
    assert isinstance(error, BmcUnreachable | BmcTimeout)
    return error


@contextlib.contextmanager
def listener(backlog: int) -> Iterator[int]:
    """A port that listens and never accepts: its accept queue holds ``backlog`` + 1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(backlog)
        yield sock.getsockname()[1]


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="node", power="On")]) as cluster:
        yield cluster["node"]


def test_a_refused_connect_is_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, not listening: the kernel answers a reset
        wire = failure(LeanConnections("http", "127.0.0.1", sock.getsockname()[1], None, None))
    assert isinstance(wire, NotConnected) and wire.reason == noanswer.REFUSED
    error = mapped(wire)
    assert isinstance(error, BmcUnreachable) and error.refused
    assert error.reason == noanswer.REFUSED


def test_a_connect_nothing_answers_times_out_as_silence(sim: SimServer) -> None:
    """Pulled cords in the simulator: the SYN is dropped, the connect times out after its
    whole connect timeout (the shortest that counts)."""
    sim.pull_cords()
    wire = failure(LeanConnections("http", "127.0.0.1", sim.port, None, None), SILENT_S)
    assert isinstance(wire, ConnectTimedOut) and wire.reason == noanswer.CONNECT_TIMEOUT
    assert mapped(wire).reason == noanswer.CONNECT_TIMEOUT
    assert "connect timed out" in str(mapped(wire))
    assert silent(mapped(wire))


def test_a_connect_timeout_under_a_second_tells_nothing(sim: SimServer) -> None:
    """A connect timeout shorter than silence takes (one SYN lost, a BMC slow to accept
    look the same): not silence, undecided; the message says why."""
    sim.pull_cords()
    wire = failure(LeanConnections("http", "127.0.0.1", sim.port, None, None, CONNECT_S))
    assert isinstance(wire, ConnectTimedOut) and wire.reason == noanswer.CONNECT_CUT
    error = mapped(wire)
    assert isinstance(error, BmcUnreachable) and error.reason == noanswer.CONNECT_CUT
    assert not silent(error) and undecided(error)
    assert ("no connection within the 0.2 s connect timeout, under the 1 s silence takes: "
            "that tells nothing of the BMC") in str(error)


def test_a_connect_the_deadline_cut_short_tells_nothing(sim: SimServer) -> None:
    """The operation deadline has less left than the connect timeout: the connect given
    what is left, and timing out, tells nothing (a BMC slow to accept looks the same)."""
    sim.pull_cords()
    transport = make_transport(f"redfish+http://127.0.0.1:{sim.port}",
                               timeouts=Timeouts(connect=5, read=5, operation=60))
    with transport.operation(0.3), pytest.raises(BmcUnreachable) as info:
        transport.get("/redfish/v1/Systems/1")
    error = info.value
    assert error.reason == noanswer.CONNECT_CUT, error
    assert not silent(error) and undecided(error)
    assert "left of the operation deadline (the connect timeout is 5 s)" in str(error)
    assert "made no connection" in did(error) and "tells nothing" in did(error)


def test_a_new_connection_accepted_then_silent_is_no_answer_fresh() -> None:
    with listener(4) as port:  # the kernel accepts the connection; nobody reads it
        wire = failure(LeanConnections("http", "127.0.0.1", port, None, None))
        assert isinstance(wire, ReadTimedOut) and wire.reason == noanswer.NO_ANSWER_FRESH
        assert "on a new connection the BMC accepted" in str(mapped(wire))
        tls = failure(LeanConnections("https", "127.0.0.1", port, tlscontext.unchecked(),
                                      None))
    assert isinstance(tls, ConnectTimedOut) and tls.reason == noanswer.NO_ANSWER_FRESH
    assert "TCP connection was accepted" in str(mapped(tls))


def test_a_kept_connection_left_unanswered_lets_go_of_the_idle_ones(sim: SimServer) -> None:
    """Two kept-alive connections; the cords pulled: the request on one of them gets no
    answer (undecided), the other is let go, and the next request connects anew (silence)."""
    lean = LeanConnections("http", "127.0.0.1", sim.port, None, None)
    first = lean.send("GET", "/redfish/v1/", None, {}, CONNECT_S, READ_S, watch_nothing)
    second = lean.send("GET", "/redfish/v1/", None, {}, CONNECT_S, READ_S, watch_nothing)
    for answer in (first, second):
        while answer.read1(65536):
            pass
        answer.release()
    assert len(lean._idle) == 2
    sim.pull_cords()
    kept = failure(lean)
    assert isinstance(kept, ReadTimedOut) and kept.reason == noanswer.NO_ANSWER_REUSED
    assert "kept-alive connection opened earlier" in str(mapped(kept))
    assert lean._idle == []
    fresh = failure(lean, SILENT_S)
    assert isinstance(fresh, ConnectTimedOut) and fresh.reason == noanswer.CONNECT_TIMEOUT
    assert [r.status for r in sim.requests] == [200, 200]  # the pulled BMC saw nothing


@pytest.mark.parametrize(("raised", "reason"), [
    (OSError(errno.EHOSTUNREACH, "No route to host"), noanswer.HOST_UNREACHABLE),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), noanswer.HOST_UNREACHABLE),
    (OSError(errno.EHOSTDOWN, "Host is down"), noanswer.HOST_UNREACHABLE),
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), noanswer.UNRESOLVED),
    (OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"), None),
], ids=["host", "net", "down", "dns", "other"])
def test_what_a_failed_connect_says(monkeypatch, raised: OSError,
                                    reason: str | None) -> None:
    def connect(*_args: object) -> socket.socket:
        raise raised

    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setattr(coopsocket, "tcp",  # a cooperative task connects so
                        lambda _hub, host, port, timeout: connect((host, port), timeout))
    wire = failure(LeanConnections("http", "bmc.example", 443, None, None))
    assert isinstance(wire, NotConnected) and not wire.refused and wire.reason == reason
    assert mapped(wire).reason == reason
    no_route_here = "no route to the network from this host" in str(mapped(wire))
    assert no_route_here is (raised.errno == errno.ENETUNREACH)


def test_the_deadline_shutting_a_wait_keeps_where_it_stood() -> None:
    assert noanswer.at_deadline(noanswer.DROPPED_FRESH) == noanswer.NO_ANSWER_FRESH
    assert noanswer.at_deadline(noanswer.DROPPED_REUSED) == noanswer.NO_ANSWER_REUSED
    assert noanswer.at_deadline(noanswer.CONNECT_TIMEOUT) == noanswer.CONNECT_TIMEOUT
    assert noanswer.at_deadline(None) is None
