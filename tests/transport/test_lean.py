"""hamnhw's own connections (hamnhw.transport.lean): keep-alive reuse, a connection the BMC
closed is never reused, and failures raised as requests raises them for urllib3's."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from hamnhw.transport.lean import LeanConnections, watch_nothing


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: list[int] = []

    def setup(self) -> None:
        super().setup()
        Handler.connections.append(1)

    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[http.server.ThreadingHTTPServer]:
    Handler.connections = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def get(lean: LeanConnections, port: int, path: str) -> bytes:
    request = requests.PreparedRequest()
    request.prepare(method="GET", url=f"http://127.0.0.1:{port}{path}")
    response = lean.send(request, 2.0, 2.0)
    body = b""
    while chunk := response.raw.read1(65536):
        body += chunk
    response.raw.release_conn()
    return body


def test_keep_alive_is_reused_and_a_closed_connection_is_not(server) -> None:
    port = server.server_address[1]
    lean = LeanConnections("http", "127.0.0.1", port, None, None, watch_nothing)
    assert [get(lean, port, "/a") for _ in range(3)] == [b'{"ok": true}'] * 3
    assert len(Handler.connections) == 1
    get(lean, port, "/close")  # the BMC says Connection: close
    get(lean, port, "/a")
    assert len(Handler.connections) == 2
    lean.close()


def test_a_refused_connection_is_a_connection_error_holding_the_refusal() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        lean = LeanConnections("http", "127.0.0.1", port, None, None, watch_nothing)
        with pytest.raises(requests.exceptions.ConnectionError) as info:
            get(lean, port, "/")
    reason = info.value.args[0].reason
    assert any(isinstance(a, ConnectionRefusedError) for a in reason.args)
    assert "Failed to establish a new connection" in str(reason)
