"""Small stdlib BMC servers on 127.0.0.1 for real-socket transport tests.

Each server is started by a fixture (see conftest.py) and stopped by it.  Routes answer with a
fixed reply or run a behaviour (hang, byte-drip, slow headers).  Every
request is recorded so that tests assert what was sent and how often.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import json
import socket
import ssl
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hamnhw.address import parse_bmc_url
from hamnhw.connection import Credentials, Secret, Timeouts, TlsOptions
from hamnhw.transport.redfish import RedfishTransport
from hamnhw.transport.retry import RetryPolicy

PASSWORD = "pw-Sup3r-s3cret-value"
TOKEN = "tok-0123456789abcdef-session"
SESSIONS = "/redfish/v1/SessionService/Sessions"
SESSION_1 = f"{SESSIONS}/1"
ROOT_DOC = {
    "@odata.id": "/redfish/v1/",
    "SessionService": {"@odata.id": "/redfish/v1/SessionService"},
    "Links": {"Sessions": {"@odata.id": SESSIONS}},
    "Systems": {"@odata.id": "/redfish/v1/Systems"},
}


@dataclasses.dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Behaviour = Callable[["_Handler"], None]


class LoopbackBmc:
    """A scripted HTTP(S) server; see :meth:`reply` and :meth:`behave`."""

    def __init__(self, tls: ssl.SSLContext | None = None, port: int = 0) -> None:
        self.routes: dict[tuple[str, str], Behaviour] = {}
        self.requests: list[Recorded] = []
        self.stop = threading.Event()
        self.connections_done = threading.Semaphore(0)
        """Released once per connection whose handler has finished."""
        self.tls = tls
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.bmc = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"{'redfish' if self.tls else 'redfish+http'}://127.0.0.1:{self.port}"

    def reply(self, method: str, path: str, status: int = 200, body: Any = None,
              headers: dict[str, str] | None = None, raw: bytes | None = None) -> None:
        """Answer ``method path`` with a fixed reply (JSON ``body`` or ``raw`` bytes)."""
        payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())

        def fixed(handler: _Handler) -> None:
            handler.send_response(status)
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            if raw is None and payload:
                handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)

        self.routes[(method, path)] = fixed

    def behave(self, method: str, path: str, behaviour: Behaviour) -> None:
        """Run ``behaviour(handler)`` for ``method path``."""
        self.routes[(method, path)] = behaviour

    def standard(self, token: str | None = TOKEN) -> LoopbackBmc:
        """ServiceRoot, session login (with ``token``), Systems, logout."""
        self.reply("GET", "/redfish/v1/", body=ROOT_DOC)
        headers = {"Location": SESSION_1}
        if token:
            headers["X-Auth-Token"] = token
        self.reply("POST", SESSIONS, 201, body={"@odata.id": SESSION_1}, headers=headers)
        self.reply("GET", "/redfish/v1/Systems", body={"Members": []})
        self.reply("DELETE", SESSION_1, 204)
        return self

    def count(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if (r.method, r.path) == (method, path))

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    bmc: LoopbackBmc

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = self.socket.accept()
        if self.bmc.tls:
            sock = self.bmc.tls.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that give up (timeouts, refused certificates) are expected."""


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(5)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.bmc.connections_done.release()

    def _dispatch(self) -> None:
        bmc = self.server.bmc
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?")[0]
        bmc.requests.append(Recorded(self.command, path, dict(self.headers), body))
        behaviour = bmc.routes.get((self.command, path))
        if behaviour is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with contextlib.suppress(OSError):
            behaviour(self)

    do_GET = do_POST = do_PATCH = do_DELETE = _dispatch


def first_session_expires(bmc: LoopbackBmc, tokens: list[str]) -> list[str]:
    """Logins hand out ``tokens`` in turn (Location ``Sessions/<n>``); ``GET
    /redfish/v1/Systems`` is answered 401 until it carries the token of a later login than
    the first: the first session has expired.  Returns the tokens handed out (a live list).
    """
    pending = iter(tokens)
    made: list[str] = []

    def login(handler: _Handler) -> None:
        made.append(next(pending))
        handler.send_response(201)
        handler.send_header("X-Auth-Token", made[-1])
        handler.send_header("Location", f"{SESSIONS}/{len(made)}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def systems(handler: _Handler) -> None:
        fresh = handler.headers.get("X-Auth-Token") == made[-1] and len(made) > 1
        answer(handler, 200 if fresh else 401, b'{"Members": []}' if fresh else b"")

    bmc.behave("POST", SESSIONS, login)
    bmc.behave("GET", "/redfish/v1/Systems", systems)
    return made


def answer(handler: _Handler, status: int = 200, body: bytes = b"{}") -> None:
    """Send ``status`` with ``body`` (JSON when there is one)."""
    handler.send_response(status)
    if body:
        handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def hang(handler: _Handler) -> None:
    """Never answer (until the server stops)."""
    handler.server.bmc.stop.wait(30)
    handler.close_connection = True


def stall_after_headers(handler: _Handler) -> None:
    """The status line and headers at once, then nothing of the body."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    handler.wfile.flush()
    hang(handler)


def drip(handler: _Handler) -> None:
    """Headers at once, then a body of one byte every 20 ms."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.flush()
    while not handler.server.bmc.stop.wait(0.02):
        handler.wfile.write(b" ")
        handler.wfile.flush()
    handler.close_connection = True


def slow_headers(handler: _Handler) -> None:
    """The status line, then header bytes one every 20 ms."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Pad: ")
    handler.wfile.flush()
    while not handler.server.bmc.stop.wait(0.02):
        handler.wfile.write(b"a")
        handler.wfile.flush()
    handler.close_connection = True


def wait_for_client_close(handler: _Handler, seconds: float = 10.0) -> bool:
    """Block until the client closes the connection (True) or ``seconds`` pass (False)."""
    sock = handler.connection
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        return False
    return True


@dataclasses.dataclass(frozen=True)
class SelfSigned:
    """A self-signed certificate for 127.0.0.1 made with the openssl CLI."""

    cert: Path
    key: Path
    fingerprint: str

    def context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


def make_transport(url: str, *, tls: TlsOptions | None = None,
                   timeouts: Timeouts | None = None, retry: RetryPolicy | None = None,
                   **kwargs: Any) -> RedfishTransport:
    """A transport for ``url`` logging in as root with :data:`PASSWORD`."""
    return RedfishTransport(parse_bmc_url(url), Credentials("root", Secret(PASSWORD)),
                            tls or TlsOptions(), timeouts or Timeouts(connect=2, read=5,
                                                                       operation=10),
                            retry=retry or RetryPolicy(sleep=lambda s: None), **kwargs)

