"""hamnhw's own connections (hamnhw.transport.lean): keep-alive reuse, a connection the BMC
closed is never reused, failures raised as WireErrors saying what happened, answers' headers
looked up whatever their case, and neither requests nor urllib3 imported to send."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import io
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from hamnhw.transport import errormap
from hamnhw.transport.httpanswer import Headers, Response, parse_header_lines
from hamnhw.transport.lean import LeanConnections, watch_nothing
from hamnhw.transport.wireerrors import NotConnected

pytestmark = pytest.mark.both_io  # in a thread and as a cooperative task (conftest)


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


@contextlib.contextmanager
def listening() -> Iterator[tuple[socket.socket, int]]:
    """A listening socket on loopback and its port."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield listener, listener.getsockname()[1]


def get(lean: LeanConnections, port: int, path: str) -> bytes:
    answer = lean.send("GET", path, None, {}, 2.0, 2.0, watch_nothing)
    body = b""
    while chunk := answer.read1(65536):
        body += chunk
    answer.release()
    return body


def test_keep_alive_is_reused_and_a_closed_connection_is_not(server) -> None:
    port = server.server_address[1]
    lean = LeanConnections("http", "127.0.0.1", port, None, None)
    assert [get(lean, port, "/a") for _ in range(3)] == [b'{"ok": true}'] * 3
    assert len(Handler.connections) == 1
    get(lean, port, "/close")  # the BMC says Connection: close
    get(lean, port, "/a")
    assert len(Handler.connections) == 2
    lean.close()


def test_a_refused_connection_is_not_connected_and_says_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        lean = LeanConnections("http", "127.0.0.1", port, None, None)
        with pytest.raises(NotConnected) as info:
            get(lean, port, "/")
    assert info.value.refused
    assert "Connection refused" in str(info.value)


def test_headers_are_looked_up_whatever_their_case_and_repeats_are_joined() -> None:
    headers = Headers([("Content-Type", "application/json"), ("Link", "<a>"),
                       ("link", "<b>")])
    assert headers["content-type"] == headers.get("CONTENT-TYPE") == "application/json"
    assert headers["Link"] == "<a>, <b>"
    assert "LINK" in headers and "Location" not in headers
    assert headers.get("Location") is None
    with pytest.raises(KeyError):
        headers["Location"]
    assert sorted(headers) == ["Content-Type", "Link"]


def test_a_request_over_the_lean_path_imports_neither_requests_nor_urllib3(server) -> None:
    port = server.server_address[1]
    code = ("import sys\n"
            "from hamnhw.connection import Timeouts, TlsOptions\n"
            "from hamnhw.transport.adapter import BmcAdapter\n"
            "adapter = BmcAdapter('bmc', TlsOptions(), Timeouts())\n"
            f"reply = adapter.send('GET', 'http://127.0.0.1:{port}', '/a', {{}})\n"
            "assert reply.status == 200 and reply.content == b'{\"ok\": true}', reply.content\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('requests', 'urllib3', 'redfish')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_header_lines_are_parsed_as_the_email_parser_reads_them() -> None:
    headers = parse_header_lines([b"Location: http://x/a:b\r\n", b"X-Long: one\r\n",
                                  b"\ttwo\r\n", b"no colon here\r\n",
                                  b"Content-Type :  application/json \r\n"])
    assert headers["location"] == "http://x/a:b"
    assert headers["x-long"] == "one two"
    assert headers["content-type"] == "application/json"
    assert len(headers) == 3


def test_a_repeated_header_is_joined_and_keeps_its_first_spelling() -> None:
    headers = parse_header_lines([b"Set-Cookie: a=1\r\n", b"set-cookie: b=2\r\n",
                                  b" c=3\r\n", b"\r\n"])
    assert headers["SET-COOKIE"] == "a=1, b=2 c=3"
    assert list(headers) == ["Set-Cookie"]
    assert headers == Headers([("Set-Cookie", "a=1"), ("Set-Cookie", "b=2 c=3")])


@pytest.mark.parametrize(("body", "parsed"), [
    (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),  # a UTF-8 BOM in bytes, as json.loads takes it
    ('{"a": 1}'.encode("utf-16"), {"a": 1}),
    ('{"a": 1}'.encode("utf-16-le"), {"a": 1}),  # no BOM: "{" then a NUL
    ('{"a": 1}'.encode("utf-32-le"), {"a": 1}),
    ('{"a": "\u00e9"}'.encode(), {"a": "\u00e9"}),
    (b"{}", {}),
    (b"[1]", [1]),
    ('{"a": "\u00e9"}', {"a": "\u00e9"}),
])
def test_json_is_read_as_json_loads_reads_it(body: bytes | str, parsed: object) -> None:
    assert errormap.loads(body) == parsed


@pytest.mark.parametrize("body", [b'{"a": NaN}', b"[Infinity]", '\ufeff{"a": 1}', b"{} x"])
def test_what_json_loads_refuses_and_non_finite_numbers_are_refused(body: bytes | str) -> None:
    with pytest.raises(ValueError):
        errormap.loads(body)


@pytest.mark.parametrize(("answer", "reused"), [
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n", True),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}", False),
    (b"HTTP/1.1 200 OK\r\n\r\n{\"a\":1}", False),
], ids=["chunked", "http-1.0", "no-length"])
def test_chunked_and_close_delimited_answers_are_read_whole(answer: bytes,
                                                            reused: bool) -> None:
    """A chunked answer keeps the connection; an HTTP/1.0 one and one with no length end
    with the connection, which is then not reused."""
    with listening() as (listener, port):
        accepted: list[int] = []

        def serve() -> None:
            for _ in range(2):
                conn, _ = listener.accept()
                accepted.append(1)
                with conn:
                    for _ in range(1 if not reused else 2):
                        conn.recv(65536)
                        conn.sendall(answer)
                    if not reused:
                        conn.shutdown(socket.SHUT_WR)
                if reused:
                    return

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        lean = LeanConnections("http", "127.0.0.1", port, None, None)
        assert get(lean, port, "/a") == b'{"a":1}'
        assert get(lean, port, "/b") == b'{"a":1}'
        lean.close()
        thread.join(5)
    assert len(accepted) == (1 if reused else 2)


@pytest.mark.parametrize(("path", "headers"), [
    ("/a b", {}), ("/a\r\nX-Injected: 1", {}),
    ("/a", {"X-Auth-Token": "t\r\nX-Injected: 1"}), ("/a", {"X-Auth-Token": "t\n"}),
    ("/a", {"X-Auth-Token": "t\0"}), ("/a", {"X\r\nInjected": "1"}),
], ids=["space", "crlf-in-path", "crlf-in-value", "lf-in-value", "nul", "crlf-in-name"])
def test_a_line_break_in_the_request_is_refused_before_anything_is_sent(
        server, path: str, headers: dict[str, str]) -> None:
    port = server.server_address[1]
    lean = LeanConnections("http", "127.0.0.1", port, None, None)
    with pytest.raises(ValueError):
        lean.send("GET", path, None, headers, 2.0, 2.0, watch_nothing)
    assert Handler.connections == []


def test_the_request_carries_host_and_the_body_length(server) -> None:
    seen: list[tuple[str | None, str | None, bytes]] = []

    def do_POST(self: Handler) -> None:
        length = int(self.headers["Content-Length"])
        seen.append((self.headers["Host"], self.headers["Content-Length"],
                     self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    Handler.do_POST = do_POST  # type: ignore[attr-defined]
    try:
        port = server.server_address[1]
        lean = LeanConnections("http", "127.0.0.1", port, None, None)
        answer = lean.send("POST", "/s", b'{"a": 1}', {"Content-Type": "application/json"},
                           2.0, 2.0, watch_nothing)
        assert answer.status == 204 and answer.read1(10) == b""
        answer.release()
        lean.close()
    finally:
        del Handler.do_POST  # type: ignore[attr-defined]
    assert seen == [(f"127.0.0.1:{port}", "8", b'{"a": 1}')]


def test_request_bytes_are_those_http_client_sends_whatever_headers_came_before() -> None:
    """The header lines kept per set of headers give the same bytes as building them anew,
    and a set refused once is refused again (a refused set is never kept)."""
    lean = LeanConnections("https", "bmc.example", 8443, None, None)
    token = {"Accept": "*/*", "X-Auth-Token": "t1"}
    expected = (b"GET /redfish/v1 HTTP/1.1\r\nHost: bmc.example:8443\r\nAccept: */*\r\n"
                b"X-Auth-Token: t1\r\n\r\n")
    assert lean._request("GET", "/redfish/v1", None, token) == expected
    assert lean._request("GET", "/redfish/v1", None, dict(token)) == expected
    assert lean._request("DELETE", "/s/1", None, token) == expected.replace(
        b"GET /redfish/v1", b"DELETE /s/1")
    assert lean._request("POST", "/s", b"{}", {"Accept": "*/*"}) == (
        b"POST /s HTTP/1.1\r\nHost: bmc.example:8443\r\nAccept: */*\r\n"
        b"Content-Length: 2\r\n\r\n{}")
    assert lean._request("GET", "/a", None, {"X-Auth-Token": "t2"}).endswith(
        b"X-Auth-Token: t2\r\n\r\n")
    for _ in range(2):
        with pytest.raises(ValueError):
            lean._request("GET", "/a", None, {"X-Auth-Token": "t\r\nX-Injected: 1"})
    with pytest.raises(ValueError):
        lean._request("GET\r\nX-Injected: 1", "/a", None, token)
    for index in range(20):  # more sets than are kept: still the right bytes
        assert lean._request("GET", "/a", None, {"T": str(index)}).endswith(
            f"T: {index}\r\n\r\n".encode())


def test_bytes_past_the_announced_body_are_not_read_as_the_next_answer() -> None:
    """A connection keeps its buffered reader from one answer to the next: a BMC that sent
    more than the answer it announced leaves those bytes in it, so that connection is not
    kept (the next request goes on a new one and reads its own answer)."""
    answer = b'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}'
    with listening() as (listener, port):
        accepted: list[int] = []

        def serve() -> None:
            for extra in (b"HTTP/1.1 200 OK\r\n\r\n", b""):
                conn, _ = listener.accept()
                accepted.append(1)
                with conn:
                    conn.recv(65536)
                    conn.sendall(answer + extra)  # one write: one read takes both
                    if extra:
                        continue
                    conn.recv(65536)
                    conn.sendall(answer)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        lean = LeanConnections("http", "127.0.0.1", port, None, None)
        assert get(lean, port, "/a") == b'{"a":1}'
        assert get(lean, port, "/b") == b'{"a":1}'
        assert get(lean, port, "/c") == b'{"a":1}'  # the second connection was kept
        lean.close()
        thread.join(5)
    assert len(accepted) == 2


def test_closing_the_connections_releases_their_sockets(server) -> None:
    """A kept connection's reader is closed with it: its descriptor does not wait for the
    garbage collector."""
    port = server.server_address[1]
    lean = LeanConnections("http", "127.0.0.1", port, None, None)
    assert get(lean, port, "/a") == b'{"ok": true}'
    assert get(lean, port, "/b") == b'{"ok": true}'
    (sock, _, _), = lean._idle
    assert Handler.connections == [1]
    lean.close()
    assert sock.fileno() == -1


def test_bytes_past_the_body_held_by_tls_end_the_connections_reuse(tmp_path) -> None:
    """Over TLS, bytes past the announced body may sit decrypted in OpenSSL's buffer, where
    neither the reader's buffer nor ``select`` sees them: that connection is not kept, and
    the next request goes on a new one and reads its own answer."""
    from hamnhw.sim.tls import SelfSignedCert

    cert = SelfSignedCert("lean-test")
    body = b'{"a":"' + b"x" * 9000 + b'"}'
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    try:
        server_tls = cert.server_context()
        with listening() as (listener, port):
            accepted: list[int] = []

            def serve() -> None:
                for extra in (b"JUNK-EXTRA-BYTES\r\n", b""):
                    raw, _ = listener.accept()
                    accepted.append(1)
                    with server_tls.wrap_socket(raw, server_side=True) as conn:
                        conn.recv(65536)
                        conn.sendall(answer + extra)  # one TLS record holds both
                        if extra:
                            conn.recv(65536)  # waits for the client to close
                            continue
                        conn.recv(65536)
                        conn.sendall(answer)

            thread = threading.Thread(target=serve, daemon=True)
            thread.start()
            client_tls = ssl.create_default_context(cafile=cert.cert_file)
            lean = LeanConnections("https", "127.0.0.1", port, client_tls, None)
            assert get(lean, port, "/a") == body
            assert get(lean, port, "/b") == body
            assert get(lean, port, "/c") == body
            lean.close()
            thread.join(5)
        assert len(accepted) == 2
    finally:
        cert.cleanup()


def test_no_body_is_read_after_204_even_one_announced_as_chunked() -> None:
    """204 has no body (RFC 9112 6.3): a ``Transfer-Encoding: chunked`` beside it does not
    make the reader wait for a chunk that never comes."""
    with listening() as (listener, port):
        def serve() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n")
                conn.recv(65536)  # until the client closes

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        lean = LeanConnections("http", "127.0.0.1", port, None, None)
        answer = lean.send("DELETE", "/s/1", None, {}, 2.0, 2.0, watch_nothing)
        assert answer.status == 204
        assert answer.read1(65536) == b""
        answer.release()
        lean.close()
        thread.join(5)


class _ReaderOnly:
    """What ``HTTPResponse.__init__`` asks of its socket: a reader."""

    def makefile(self, _mode: str) -> io.BytesIO:
        return io.BytesIO()


def test_an_answer_starts_with_the_fields_the_standard_library_gives_its_own() -> None:
    """Expected: ``Response.__init__`` (written out to spare a call per answer) sets the
    same fields, to the same values, as ``http.client.HTTPResponse.__init__`` of the
    running Python; a Python that adds or changes one fails here, not on a BMC."""
    ours = vars(Response(io.BytesIO(), method="GET"))
    theirs = vars(http.client.HTTPResponse(_ReaderOnly(), method="GET"))  # type: ignore[arg-type]
    assert set(ours) == set(theirs)
    assert {k: v for k, v in ours.items() if k != "fp"} == \
        {k: v for k, v in theirs.items() if k != "fp"}
