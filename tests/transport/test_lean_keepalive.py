"""Keep-alive connections the BMC closes (hamnhw.transport.lean, docs/retries.md).

A GET on a recently used idle connection goes unchecked (no ``select`` per request); when
the BMC had closed that connection and nothing of an answer came, the GET is sent once
more on a new connection.  A POST's idle connection is always checked first, and a POST
that loses its connection all the same is never sent again.  A connection given back
after the pool was closed is closed at once.

The scripted server below counts connections and requests server-side; nothing is timed:
``lean.FRESH_S`` is set so that a test does not depend on how fast the machine is.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import ssl
import threading
from collections.abc import Callable, Iterator

import pytest

from hamnhw.connection import Timeouts, TlsOptions
from hamnhw.deadline import Deadline
from hamnhw.transport import lean
from hamnhw.transport.adapter import BmcAdapter, DeadlineExceeded
from hamnhw.transport.lean import LeanConnections, watch_nothing
from hamnhw.transport.watchdog import abort_requests_in_flight
from hamnhw.transport.wireerrors import Dropped

pytestmark = pytest.mark.both_io  # in a thread and as a cooperative task (conftest)

WAIT_S = 10.0
"""Longest wait for the server to reach a step (never a timed assertion)."""

Action = Callable[["Script", socket.socket], bool]
"""What the server does with one request: True keeps the connection for the next one,
False closes it (then :attr:`Script.closed_idle` is set)."""


def answer(_script: Script, conn: socket.socket) -> bool:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    return True


def answer_then_close(script: Script, conn: socket.socket) -> bool:
    """Answer keeping the connection alive, then close it while the client holds it idle."""
    answer(script, conn)
    return False


def drop(_script: Script, _conn: socket.socket) -> bool:
    """Read the request, close without a byte of answer."""
    return False


def hang(script: Script, _conn: socket.socket) -> bool:
    script.stop.wait(WAIT_S)
    return False


class Script:
    """A loopback BMC: connection ``n`` runs ``actions[n]``, one action per request."""

    def __init__(self, actions: list[list[Action]], tls: ssl.SSLContext | None) -> None:
        self.actions = actions
        self.tls = tls
        self.requests: list[tuple[int, str, str]] = []
        """(connection, method, path) of every request read."""
        self.connections = 0
        self.closed_idle = threading.Event()
        """Set when the server closed a connection."""
        self.received = threading.Semaphore(0)
        self.client_closed: queue.Queue[int] = queue.Queue()
        """The connections the client closed (their numbers), as the server saw them end."""
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.listener.getsockname()[1]}"

    def count(self, method: str, path: str) -> int:
        return sum(1 for _, m, p in self.requests if (m, p) == (method, path))

    def _accept(self) -> None:
        for number, actions in enumerate(self.actions):
            conn, _ = self.listener.accept()
            if self.stop.is_set():  # close()'s wake-up call
                conn.close()
                return
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(number, conn, actions),
                                      daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, number: int, conn: socket.socket, actions: list[Action]) -> None:
        reader = conn.makefile("rb")
        for action in actions:
            line = reader.readline()
            if not line:
                return
            length = 0
            while (header := reader.readline()) not in (b"\r\n", b""):
                name, _, value = header.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            reader.read(length)
            method, path, _ = line.decode().split(" ", 2)
            self.requests.append((number, method, path))
            self.received.release()
            if not action(self, conn):
                reader.close()
                conn.close()
                self.closed_idle.set()
                return
        if not reader.readline():  # the client's end (it closed the connection)
            self.client_closed.put(number)

    def close(self) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):  # wakes an accept() waiting for no one
            socket.create_connection(self.listener.getsockname(), timeout=WAIT_S).close()
        self.listener.close()
        for thread in self.threads:
            thread.join(WAIT_S)


@pytest.fixture(params=["http", "https"])
def scripted(request: pytest.FixtureRequest, self_signed) -> Iterator[Callable[..., Script]]:
    tls = self_signed.context() if request.param == "https" else None
    made: list[Script] = []

    def start(*actions: list[Action]) -> Script:
        made.append(Script(list(actions), tls))
        return made[-1]

    yield start
    for script in made:
        script.close()


@pytest.fixture
def adapter(self_signed) -> Iterator[BmcAdapter]:
    made = BmcAdapter("bmc", TlsOptions(ca_file=str(self_signed.cert)),
                      Timeouts(connect=5, read=WAIT_S))
    made.deadline = Deadline(3 * WAIT_S)
    yield made
    made.close()


def test_a_get_on_a_connection_the_bmc_closed_idle_goes_on_a_new_one(
        scripted, adapter, monkeypatch) -> None:
    monkeypatch.setattr(lean, "FRESH_S", 3600.0)  # the GET goes without the check
    script = scripted([answer_then_close], [answer])
    assert adapter.send("GET", script.base_url, "/a", {}).status == 200
    assert script.closed_idle.wait(WAIT_S)
    assert adapter.send("GET", script.base_url, "/b", {}).content == b"{}"
    assert script.connections == 2
    assert script.requests == [(0, "GET", "/a"), (1, "GET", "/b")]


def test_a_get_dropped_unanswered_on_a_reused_connection_is_sent_once_more(
        scripted, adapter, monkeypatch) -> None:
    """What the client sees of a BMC closing an idle connection as the request arrives."""
    monkeypatch.setattr(lean, "FRESH_S", 3600.0)
    script = scripted([answer, drop], [answer])
    adapter.send("GET", script.base_url, "/a", {})
    assert adapter.send("GET", script.base_url, "/b", {}).status == 200
    assert script.requests == [(0, "GET", "/a"), (0, "GET", "/b"), (1, "GET", "/b")]


def stray_line(_script: Script, conn: socket.socket) -> bool:
    """A line break where the status line should be (what a connection holds when the last
    answer left bytes behind that arrived after it was read), then nothing."""
    conn.sendall(b"\r\n")
    return False


def test_a_get_meeting_a_bad_status_line_on_a_reused_connection_goes_on_a_new_one(
        scripted, adapter, monkeypatch) -> None:
    """Stray bytes read as a bad status line before any answer: the unchecked GET is sent
    once more, on a new connection, and gets its own answer (the select() check would have
    passed over such a connection)."""
    monkeypatch.setattr(lean, "FRESH_S", 3600.0)
    script = scripted([answer, stray_line], [answer])
    adapter.send("GET", script.base_url, "/a", {})
    assert adapter.send("GET", script.base_url, "/b", {}).content == b"{}"
    assert script.requests == [(0, "GET", "/a"), (0, "GET", "/b"), (1, "GET", "/b")]


def test_the_get_is_sent_again_once_only(scripted, adapter, monkeypatch) -> None:
    monkeypatch.setattr(lean, "FRESH_S", 3600.0)
    script = scripted([answer, drop], [drop])
    adapter.send("GET", script.base_url, "/a", {})
    with pytest.raises(Dropped, match="new connection"):
        adapter.send("GET", script.base_url, "/b", {})
    assert script.count("GET", "/b") == 2
    assert script.connections == 2


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_a_post_after_the_idle_close_is_checked_and_sent_once_on_a_new_connection(
        scripted, adapter, monkeypatch, method: str) -> None:
    """Whatever FRESH_S, a POST's idle connection is checked: the closed one is not used,
    the POST goes once, on a new connection."""
    monkeypatch.setattr(lean, "FRESH_S", 3600.0)
    script = scripted([answer_then_close], [answer])
    adapter.send("GET", script.base_url, "/a", {})
    assert script.closed_idle.wait(WAIT_S)
    assert adapter.send(method, script.base_url, "/x", {}, b"{}").status == 200
    assert script.requests == [(0, "GET", "/a"), (1, method, "/x")]


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_a_post_dropped_unanswered_on_a_reused_connection_is_not_sent_again(
        scripted, adapter, monkeypatch, method: str) -> None:
    monkeypatch.setattr(lean, "FRESH_S", 3600.0)
    script = scripted([answer, drop], [answer])
    adapter.send("GET", script.base_url, "/a", {})
    with pytest.raises(Dropped, match="reused connection"):
        adapter.send(method, script.base_url, "/x", {}, b"{}")
    assert script.count(method, "/x") == 1
    assert script.connections == 1


def test_an_idle_connection_used_longer_ago_is_checked_before_a_get(
        scripted, adapter, monkeypatch) -> None:
    monkeypatch.setattr(lean, "FRESH_S", 0.0)  # every idle connection counts as old
    script = scripted([answer_then_close], [answer])
    adapter.send("GET", script.base_url, "/a", {})
    assert script.closed_idle.wait(WAIT_S)
    sent: list[bool] = []
    real = LeanConnections.send

    def spy(self: LeanConnections, *args: object, **kwargs: object) -> lean.LeanAnswer:
        sent.append(bool(kwargs.get("fresh")))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LeanConnections, "send", spy)
    assert adapter.send("GET", script.base_url, "/b", {}).status == 200
    assert sent == [False], "the check found it closed: no re-send was needed"
    assert script.requests == [(0, "GET", "/a"), (1, "GET", "/b")]


def test_a_get_ended_by_its_watchdog_is_not_sent_again(scripted, adapter,
                                                       monkeypatch) -> None:
    """abort_requests_in_flight (SIGINT) shuts the socket: what the client reads then looks
    like a closed connection, but the request is over, not re-sent."""
    monkeypatch.setattr(lean, "FRESH_S", 3600.0)
    script = scripted([answer, hang], [answer])
    adapter.send("GET", script.base_url, "/a", {})
    failed: list[BaseException] = []

    def blocked() -> None:
        adapter.deadline = Deadline(3 * WAIT_S)
        try:
            adapter.send("GET", script.base_url, "/b", {})
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=blocked)
    thread.start()
    assert script.received.acquire(timeout=WAIT_S)  # /a
    assert script.received.acquire(timeout=WAIT_S)  # /b, in flight
    while thread.is_alive():
        abort_requests_in_flight()
        thread.join(0.05)
    assert failed and isinstance(failed[0], DeadlineExceeded), failed
    assert script.connections == 1


def test_a_connection_given_back_after_close_is_closed_at_once(scripted) -> None:
    script = scripted([answer, answer])
    port = int(script.base_url.rsplit(":", 1)[1])
    context = None
    if script.tls is not None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    pool = LeanConnections(script.base_url.split(":")[0], "127.0.0.1", port, context, None)
    kept = pool.send("GET", "/a", None, {}, 5.0, WAIT_S, watch_nothing)
    assert kept.read1(1024) == b"{}" and kept.read1(1024) == b""
    kept.release()
    assert kept.sock.fileno() != -1, "before close(): kept for the next request"
    in_flight = pool.send("GET", "/b", None, {}, 5.0, WAIT_S, watch_nothing)
    assert in_flight.sock is kept.sock
    pool.close()  # another thread's request is in flight
    assert in_flight.read1(1024) == b"{}" and in_flight.read1(1024) == b""
    in_flight.release()
    assert in_flight.sock.fileno() == -1
    assert script.client_closed.get(timeout=WAIT_S) == 0, "the server saw it end"
    with contextlib.suppress(Exception):
        pool.close()


def test_a_request_sent_after_the_adapter_closed_keeps_no_connection(scripted,
                                                                    adapter) -> None:
    script = scripted([answer], [answer])
    adapter.send("GET", script.base_url, "/a", {})
    adapter.close()
    assert script.client_closed.get(timeout=WAIT_S) == 0, "the idle one, by close()"
    assert adapter.send("GET", script.base_url, "/b", {}).status == 200
    assert script.client_closed.get(timeout=WAIT_S) == 1, "closed once its answer was read"
