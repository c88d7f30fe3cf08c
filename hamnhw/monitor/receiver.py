"""hamnhw's HTTPS listener for pushed Redfish events.

Each node's subscription points at its own path, ending in a random token drawn per run
(:func:`hamnhw.monitor.subscriptions.new_token`); an event POSTed there is handed to that
node's watcher, one POSTed anywhere else is answered 404.  Whoever learns the token (it is in
the BMC's subscription) can still POST, so an event is only a hint: it makes the watcher
re-read the BMC over its authenticated, verified connection (paced, see
:mod:`hamnhw.monitor.events`), and only what that read shows is reported.  Bodies are capped
(:data:`MAX_BODY`), malformed ones answered 400 and dropped.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hamnhw.log import get_logger

LOG = get_logger(__name__)
MAX_BODY = 256 * 1024
DRAIN_LIMIT = 8 * MAX_BODY
"""Bytes of a refused request's body read and dropped before its connection is closed."""
DRAIN_S = 1.0
"""Seconds a refused request's sender gets to finish sending before the connection closes."""
CLIENT_TIMEOUT_S = 10.0
"""Seconds a sender may stall (the TLS handshake, headers, body, an idle keep-alive) before
its connection is dropped: a slow or silent client holds no thread longer."""

Deliver = Callable[[bytes], object]


class _Handler(BaseHTTPRequestHandler):
    server_version = "hamnhw-events"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: accepted events are reported by the watchers."""

    def do_POST(self) -> None:
        routes: dict[str, Deliver] = self.server.routes  # type: ignore[attr-defined]
        deliver = routes.get(self.path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if deliver is None or not 0 < length <= MAX_BODY:
            self._refuse(404 if deliver is None else 400)
            return
        body = self.rfile.read(length)
        self._answer(204)
        deliver(body)

    def do_GET(self) -> None:
        self._answer(405)

    def _answer(self, status: int, *, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        if close:
            self.send_header("Connection", "close")
        self.end_headers()

    def _refuse(self, status: int) -> None:
        """Answer ``status`` without reading the body into memory, then close the connection
        the way a web server lingers: whatever the sender still sends is read and dropped, up to
        :data:`DRAIN_LIMIT` bytes for :data:`DRAIN_S` seconds, so that it reads the answer
        instead of a connection reset (a sender of a bigger body may still see the reset)."""
        self.close_connection = True
        self._answer(status, close=True)
        self.wfile.flush()
        with contextlib.suppress(OSError, ValueError):
            left, ends = DRAIN_LIMIT, time.monotonic() + DRAIN_S
            while left > 0 and (remaining := ends - time.monotonic()) > 0:
                self.connection.settimeout(remaining)
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], tls: ssl.SSLContext) -> None:
        self.tls = tls
        self.routes: dict[str, Deliver] = {}
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            request.settimeout(CLIENT_TIMEOUT_S)  # the handshake, the headers, the body, idle
            request = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            LOG.debug("event listener: TLS handshake from %s failed: %s", client_address, exc)
            return
        with contextlib.suppress(ConnectionError, ssl.SSLError, TimeoutError):
            super().finish_request(request, client_address)


class EventReceiver:
    """The HTTPS server; :meth:`route` maps a node's path token to its watcher."""

    def __init__(self, host: str, port: int, cert_file: str, key_file: str) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert_file, key_file)
        self._server = _Server((host, port), context)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.2}, daemon=True,
                                        name="hamnhw-event-receiver")

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    def route(self, token: str, deliver: Deliver) -> None:
        """Hand bodies POSTed to ``.../token`` to ``deliver``."""
        self._server.routes[token] = deliver

    def start(self) -> EventReceiver:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
