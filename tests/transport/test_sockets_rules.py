"""Transport rules over real loopback sockets: a POST is never re-sent (timeout, 5xx, dropped
connection, expired session: counted on the server), a silent BMC is unreachable, refused
connections are retried briefly and say so, connect timeouts and the logout are bounded, a
response is closed when the deadline passes in its body, and a wrong pin sends nothing."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator

import pytest
from transport_loopback import (
    SESSION_1,
    SESSIONS,
    LoopbackBmc,
    hang,
    make_transport,
    stall_after_headers,
    wait_for_client_close,
)

from hamnhw import errors
from hamnhw.cli.exit_codes import exit_code_for
from hamnhw.connection import Timeouts, TlsOptions
from hamnhw.sim import ManualClock
from hamnhw.transport import adapter
from hamnhw.transport.retry import RetryPolicy

pytestmark = pytest.mark.both_io  # in a thread and as a cooperative task (conftest)

ACTION = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
FAST = Timeouts(connect=2, read=5, operation=10)


def drop(handler) -> None:
    """Close the connection without an answer."""
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def answer(status: int):
    def reply(handler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return reply


# -- "POST never re-sent", counted by the BMC ------------------------------------------------

@pytest.mark.parametrize(("behaviour", "error"), [
    (hang, errors.BmcTimeout),
    (answer(503), errors.ServerSideError),
    (answer(500), errors.ServerSideError),
    (drop, errors.ConnectionDropped),
    (answer(401), errors.SessionExpired),
], ids=["timeout", "503", "500", "dropped", "session-expired"])
@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_unsafe_request_reaches_the_bmc_exactly_once(bmc, behaviour, error, method) -> None:
    bmc.standard()
    bmc.behave(method, ACTION, behaviour)
    transport = make_transport(bmc.url, timeouts=FAST).open()
    send = {"POST": lambda: transport.post(ACTION, {"ResetType": "ForceOff"}),
            "PATCH": lambda: transport.patch(ACTION, {"A": 1}),
            "DELETE": lambda: transport.delete(ACTION)}[method]

    with pytest.raises(error), transport.operation(0.5):
        send()
    transport.close()

    assert bmc.count(method, ACTION) == 1


# -- a BMC that never answers is unreachable; one that answered and then hangs is not --------

def test_bmc_accepting_tcp_but_never_answering_is_unreachable(bmc) -> None:
    bmc.behave("GET", "/redfish/v1/", hang)
    transport = make_transport(bmc.url, timeouts=Timeouts(connect=2, read=30, operation=0.5))

    with pytest.raises(errors.BmcUnreachable, match="never sent an HTTP answer") as info:
        transport.open()

    assert exit_code_for(info.value) == 3
    assert bmc.count("GET", "/redfish/v1/") == 1, "a timeout is not retried"


def test_bmc_that_answered_then_hangs_is_a_timeout_exit_1(bmc) -> None:
    bmc.standard()
    bmc.behave("GET", "/redfish/v1/Systems/1", hang)
    transport = make_transport(bmc.url, timeouts=FAST).open()

    with pytest.raises(errors.BmcTimeout) as info, transport.operation(0.5):
        transport.get("/redfish/v1/Systems/1")

    assert not isinstance(info.value, errors.BmcUnreachable)
    assert exit_code_for(info.value) == 1


def test_service_root_stalling_after_its_headers_is_a_timeout_exit_1(bmc) -> None:
    bmc.behave("GET", "/redfish/v1/", stall_after_headers)
    transport = make_transport(bmc.url, timeouts=Timeouts(connect=2, read=30, operation=0.5))

    with pytest.raises(errors.BmcTimeout) as info:
        transport.open()

    assert not isinstance(info.value, errors.BmcUnreachable)
    assert exit_code_for(info.value) == 1
    message = str(info.value)
    assert "status line and headers" in message and "stalled" in message
    assert "GET /redfish/v1/" in message and message.startswith(transport.host)


# -- refused connections: retried briefly, saying so ------------------------------------------

def test_refused_connection_is_retried_three_times_with_a_warning_each(refused_url,
                                                                      caplog) -> None:
    clock = ManualClock()
    policy = RetryPolicy(sleep=clock.sleep, clock=clock.clock)

    with caplog.at_level(logging.WARNING, logger="hamnhw"), \
            pytest.raises(errors.BmcUnreachable) as info:
        make_transport(refused_url, retry=policy).open()

    assert info.value.refused and exit_code_for(info.value) == 3
    assert clock.sleeps == [1.0, 1.0]
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert [m.rsplit(";", 1)[1] for m in retries] == [" retrying in 1s, 2/3",
                                                     " retrying in 1s, 3/3"]
    assert "Connection refused" in retries[0]


def test_bmc_web_server_coming_back_is_reached_after_a_refusal(refused_url, caplog) -> None:
    port = int(refused_url.rsplit(":", 1)[1])
    started: list[LoopbackBmc] = []

    def restart(_seconds: float) -> None:
        server = LoopbackBmc(port=port).standard()
        server.start()
        started.append(server)

    try:
        with caplog.at_level(logging.WARNING, logger="hamnhw"):
            transport = make_transport(refused_url, retry=RetryPolicy(sleep=restart)).open()
            transport.close()
        assert started and started[0].count("POST", "/redfish/v1/SessionService/Sessions") == 1
        assert "retrying in 1s, 2/3" in caplog.text
    finally:
        for server in started:
            server.close()


# -- time limits of the connect phase and of the logout -------------------------------------

@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose accept queue is full: a new connection's SYN is dropped, so connecting
    hangs until the client's connect timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for filler in fillers:
        filler.close()
    listener.close()


@pytest.mark.timeout(20)
def test_connect_timeout_is_capped_by_the_deadline(full_backlog, monkeypatch) -> None:
    from hamnhw.transport import adapter

    asked: list[tuple[float, float]] = []
    real = adapter.BmcAdapter._timeout

    def spy(self, deadline):
        timeout = real(self, deadline)
        asked.append(timeout)
        return timeout

    monkeypatch.setattr(adapter.BmcAdapter, "_timeout", spy)
    transport = make_transport(f"redfish+http://127.0.0.1:{full_backlog}",
                               timeouts=Timeouts(connect=60, read=60, operation=0.5))

    with pytest.raises(errors.BmcUnreachable):
        transport.open()
    assert asked and all(connect <= 0.5 for connect, _read in asked)


def test_logout_is_bounded_by_its_grace_not_by_what_is_left(bmc, monkeypatch) -> None:
    bmc.standard()
    bmc.behave("DELETE", SESSION_1, hang)
    transport = make_transport(bmc.url, timeouts=Timeouts(connect=2, read=5, operation=100))
    transport.open()
    given: list[float] = []
    real = transport._send_once

    def spy(method, path, body=None, headers=None):
        given.append(transport._deadline.seconds)
        return real(method, path, body, headers)

    monkeypatch.setattr(transport, "_send_once", spy)

    with transport.operation(100):
        transport.close()

    assert given == [5.0], "min(connect + read, 5 s), not the 100 s left"
    assert bmc.count("DELETE", SESSION_1) == 1


# -- a response is closed when the deadline passes between two chunks of its body ------------

def test_response_is_closed_when_the_deadline_passes_between_chunks(bmc) -> None:
    clock = ManualClock()
    closed: list[bool] = []
    judged = threading.Event()

    def partial_then_deadline(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b'{"a": "' + b"x" * 10)
        handler.wfile.flush()
        clock.advance(100)
        handler.wfile.write(b"y" * 10)
        handler.wfile.flush()
        closed.append(wait_for_client_close(handler))
        judged.set()

    bmc.standard()
    bmc.behave("GET", "/redfish/v1/Big", partial_then_deadline)
    transport = make_transport(bmc.url, retry=RetryPolicy(clock=clock.clock,
                                                          sleep=clock.sleep)).open()
    with pytest.raises(errors.BmcTimeout) as info, transport.operation(5):
        transport.get("/redfish/v1/Big")
    transport.close()

    assert judged.wait(15)
    assert closed == [True], "the socket was shut, not left to the garbage collector"
    assert info.value is not None  # the traceback (and the response in it) is still alive


def _sockets_to(port: int) -> int:
    """This process's ESTABLISHED TCP connections to the loopback ``port`` (the client ends:
    the loopback BMC's own sockets have ``port`` as their local port)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return sum(1 for row in rows
               if int(row[2].split(":")[1], 16) == port and row[3] == "01" and row[9] in inodes)


@pytest.mark.parametrize("lean", [True, False], ids=["http.client", "urllib3"])
def test_close_leaves_no_socket_open_after_a_deadline_between_chunks(
        bmc, monkeypatch: pytest.MonkeyPatch, lean: bool) -> None:
    """After a GET cut between two chunks of its body, ``close()`` (a logout on another
    connection) leaves no connection to the BMC open, though the timed-out request's
    traceback keeps its objects alive: nothing is left to the garbage collector.  Both ways
    of sending are checked: the keep-alive connections of :mod:`hamnhw.transport.lean`, and
    urllib3's pools (used when requests' sending is replaced, as ``responses`` does)."""
    if not lean:
        monkeypatch.setattr(adapter, "FORCE_REQUESTS", True)

    def drip(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            if wait_for_client_close(handler, 0.05):
                return

    bmc.standard()
    bmc.behave("GET", "/redfish/v1/Big", drip)
    transport = make_transport(bmc.url).open()
    assert _sockets_to(bmc.port) >= 1, "the keep-alive connections of the ServiceRoot and login"
    with pytest.raises(errors.BmcTimeout) as info, transport.operation(0.5):
        transport.get("/redfish/v1/Big")
    transport.close()

    assert bmc.count("DELETE", SESSION_1) == 1, "logged out"
    assert _sockets_to(bmc.port) == 0
    assert info.value.__traceback__ is not None  # still alive, and with it the response


# -- a wrong pin sends nothing ---------------------------------------------------------------

def test_wrong_pin_is_tls_error_and_no_http_request_reaches_the_bmc(tls_bmc) -> None:
    tls_bmc.standard()
    with pytest.raises(errors.TlsError) as info:
        make_transport(tls_bmc.url, tls=TlsOptions(pin_fingerprint="ab" * 32)).open()

    assert "fingerprint" in str(info.value).lower()
    assert tls_bmc.connections_done.acquire(timeout=15), "the TLS connection was made"
    assert tls_bmc.requests == []


# -- a 401 that a fresh login does not cure leaves no session behind -------------------------

def test_three_runs_meeting_a_persistent_401_leave_no_session_open(bmc) -> None:
    """An account not allowed to read one resource: each run ends AccessDenied (exit 1, not
    "credentials rejected"), and every session it made is deleted on the BMC."""
    live: dict[str, str] = {}
    made = iter(range(1, 100))

    def login(handler) -> None:
        number = str(next(made))
        live[number] = f"tok-{number}-abcdefgh"
        handler.send_response(201)
        handler.send_header("X-Auth-Token", live[number])
        handler.send_header("Location", f"{SESSIONS}/{number}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def logout(number: str):
        def delete(handler) -> None:
            ok = live.get(number) == handler.headers.get("X-Auth-Token")
            if ok:
                del live[number]
            answer(204 if ok else 401)(handler)
        return delete

    bmc.standard()
    bmc.behave("POST", SESSIONS, login)
    for number in range(1, 10):
        bmc.behave("DELETE", f"{SESSIONS}/{number}", logout(str(number)))
    bmc.reply("GET", "/redfish/v1/Managers", 401)

    for _ in range(3):
        transport = make_transport(bmc.url).open()
        with pytest.raises(errors.AccessDenied) as info:
            transport.get("/redfish/v1/Managers")
        transport.close()
        assert exit_code_for(info.value) == 1

    assert live == {}
    assert bmc.count("POST", SESSIONS) == 6, "one login and one re-login per run"
