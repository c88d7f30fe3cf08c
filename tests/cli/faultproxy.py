"""A loopback HTTP proxy in front of a simulated BMC, for faults the simulator cannot make
on its own: a connection dropped without an answer (and without the request reaching the
BMC), or requests that hang only after a given one went through.

Each request is recorded with its arrival time; ``decide(request, seen)`` says what to do
with it: None forwards it to the simulator, ``"drop"`` closes the connection without an
answer, ``"hang"`` holds it until the proxy stops.  Started and stopped by its user (a
context manager).
"""

from __future__ import annotations

import dataclasses
import http.client
import http.server
import threading
import time
import urllib.parse
from collections.abc import Callable
from types import TracebackType
from typing import Any

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server",
               "date"}


@dataclasses.dataclass(frozen=True)
class Seen:
    """One request the proxy received."""

    method: str
    path: str
    body: bytes
    at: float
    """``time.monotonic()`` when it arrived."""


Decide = Callable[[Seen, list[Seen]], str | None]


class FaultProxy:
    """Forwards ``redfish+http://`` requests to ``target_url`` unless ``decide`` says
    otherwise (see the module docstring)."""

    def __init__(self, target_url: str, decide: Decide) -> None:
        target = urllib.parse.urlsplit(target_url)
        self.target = (target.hostname or "127.0.0.1", target.port or 80)
        self.decide = decide
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"redfish+http://127.0.0.1:{self._server.server_address[1]}"

    def requests(self, method: str, fragment: str = "") -> list[Seen]:
        """The requests received with ``method`` whose path contains ``fragment``."""
        with self.lock:
            return [r for r in self.seen if r.method == method and fragment in r.path]

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stopped.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _any(self) -> None:
        proxy: FaultProxy = self.server.proxy  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        request = Seen(self.command, self.path,
                       self.rfile.read(length) if length else b"", time.monotonic())
        with proxy.lock:
            proxy.seen.append(request)
            seen = list(proxy.seen)
        action = proxy.decide(request, seen)
        if action is not None:
            if action == "hang":
                proxy.stopped.wait(60)
            self.close_connection = True  # "drop": closed without an answer
            return
        self._forward(proxy, request)

    def _forward(self, proxy: FaultProxy, request: Seen) -> None:
        conn = http.client.HTTPConnection(*proxy.target, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            conn.request(request.method, request.path, body=request.body or None,
                         headers=headers)
            answer = conn.getresponse()
            payload = answer.read()
        finally:
            conn.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _any
