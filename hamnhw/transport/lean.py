"""The connections of one BMC over the standard library's ``http.client``.

urllib3's pool (connection pool keys, retry objects, URL parsing, header dictionaries on
every request) and requests' request and response objects cost several times the standard
library's work for a small Redfish GET.  :class:`LeanConnections` keeps a few keep-alive
connections to one BMC and sends one request on one of them, with nothing in between: no
retry, no redirect, no proxy, no environment, and neither requests nor urllib3 imported.
What the transport decides stays with :class:`~hamnhw.transport.adapter.BmcAdapter`: the
TLS choice (a shared :mod:`~hamnhw.transport.tlscontext`, a pinned fingerprint checked here
on every new connection), the timeouts, the watchdog, the body cap and its decoding.

Failures are raised as :class:`WireError` subclasses saying what happened (never
connected, refused or not; connect timed out; handshake or pin refused; read timed out;
connection lost after the request went out), which
:func:`~hamnhw.transport.errormap.map_exception` turns into hamnhw's typed errors.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import select
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

IDLE_KEPT = 4
"""Idle keep-alive connections kept per BMC (a command uses up to
:data:`hamnhw.transport.gate.MAX_IN_FLIGHT`: its reads made ahead)."""

Watch = Callable[[socket.socket | None], None]
"""Called with a request's socket before its answer is awaited (the watchdog)."""


class WireError(Exception):
    """A request that got no complete answer (the message says what happened)."""


class NotConnected(WireError):
    """The TCP connection was never made (``refused``: the BMC said no)."""

    def __init__(self, message: str, refused: bool) -> None:
        super().__init__(message)
        self.refused = refused


class ConnectTimedOut(WireError):
    """No TCP connection within the connect timeout."""


class HandshakeFailed(WireError):
    """The TLS handshake failed, or the certificate was refused (chain, name or pin)."""


class ReadTimedOut(WireError):
    """The answer (or the rest of its body) did not come within the read timeout."""


class Dropped(WireError):
    """The connection was lost after the request went out (or while its body came)."""


class Headers(Mapping[str, str]):
    """An answer's headers, looked up whatever the case (a repeated header's values are
    joined with ``, `` as urllib3 does)."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        found: dict[str, tuple[str, str]] = {}
        for name, value in items:
            key = name.lower()
            seen = found.get(key)
            found[key] = (name, value) if seen is None else (seen[0], f"{seen[1]}, {value}")
        self._items = found

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def get(self, name: str, default: Any = None) -> Any:  # one lookup, not two
        item = self._items.get(name.lower())
        return default if item is None else item[1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get_all(self, name: str, default: Any = None) -> Any:
        """The value as a one-item list (what ``http.client`` asks of its headers)."""
        item = self._items.get(name.lower())
        return default if item is None else [item[1]]

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


def parse_header_lines(lines: Iterable[bytes]) -> Headers:
    """The headers of an answer from its raw lines (``Name: value\\r\\n``; a line
    starting with a space or a tab continues the previous value; a line without a colon
    is ignored, as the standard library's email parser does)."""
    items: list[tuple[str, str]] = []
    for line in b"".join(lines).decode("iso-8859-1").split("\n"):
        line = line.rstrip("\r")
        if line[:1] in (" ", "\t"):
            if items:
                name, value = items[-1]
                items[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if colon and name:
            items.append((name.rstrip(), value.strip()))
    return Headers(items)


class _Response(http.client.HTTPResponse):
    """The standard library's answer with its headers read by :func:`parse_header_lines`:
    ``http.client`` parses them with the email package, most of the CPU of a small Redfish
    answer.  :meth:`begin` is ``HTTPResponse.begin`` of Python 3.11-3.13 but for that line
    (the same limits: ``_read_headers`` refuses over 100 headers or a line over 64 KiB)."""

    def begin(self) -> None:
        if self.headers is not None:
            return
        while True:
            version, status, reason = self._read_status()
            if status != http.client.CONTINUE:
                break
            http.client._read_headers(self.fp)
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = parse_header_lines(
            http.client._read_headers(self.fp))
        coding = self.headers.get("transfer-encoding")
        self.chunked = bool(coding) and coding.lower() == "chunked"
        self.chunk_left = None
        self.will_close = self._check_close()
        self.length = None
        length = self.headers.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:
                    self.length = None
        if (status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED)
                or 100 <= status < 200 or self._method == "HEAD"):
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True


class LeanConnections:
    """Keep-alive connections to one ``scheme://host:port``.

    :param context: the TLS context for ``https`` (None for ``http``).
    :param pin: SHA-256 fingerprint the certificate must have (lower-case hex, no colons),
        or None.
    """

    def __init__(self, scheme: str, host: str, port: int, context: ssl.SSLContext | None,
                 pin: str | None) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.context = context
        self.pin = pin
        name = f"[{host}]" if ":" in host else host
        default = 443 if scheme == "https" else 80
        self._host_header = name if port == default else f"{name}:{port}"
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()

    def send(self, method: str, path: str, body: bytes | None, headers: Mapping[str, str],
             connect_s: float, read_s: float, watch: Watch) -> LeanAnswer:
        """Send one request; the answer's body is left to read (:meth:`LeanAnswer.read1`).

        :raises WireError: no answer (the subclass says why).
        :raises ValueError: a control character or a space in ``path`` or in a header
            (nothing is sent).
        """
        request = self._request(method, path, body, headers)
        sock, reused = self._connection(connect_s)
        set_timeout(sock, read_s)
        answer = _Response(sock, method=method)
        try:
            sock.sendall(request)
            watch(sock)
            answer.begin()
        except TimeoutError as exc:
            _close(answer, sock)
            raise ReadTimedOut(f"Read timed out. ({exc})") from None
        except (OSError, http.client.HTTPException) as exc:
            _close(answer, sock)
            state = "reused" if reused else "new"
            raise Dropped(f"Connection aborted ({state} connection): "
                          f"{type(exc).__name__}: {exc}") from None
        return LeanAnswer(answer, sock, self)

    def _request(self, method: str, path: str, body: bytes | None,
                 headers: Mapping[str, str]) -> bytes:
        """The request's bytes, as ``http.client`` would send them (the ``Host`` header
        first; ``Content-Length`` when there is a body and none is given), checked as it
        checks them: no control character nor space in the path, no line break in a
        header."""
        if _UNSAFE_PATH.search(path):
            raise ValueError(f"URL can't contain control characters: {path!r}")
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host_header}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None and "Content-Length" not in headers:
            lines.append(f"Content-Length: {len(body)}")
        head = "\r\n".join(lines)
        breaks = len(lines) - 1  # any other CR, LF or NUL is in a name or a value
        if head.count("\r") != breaks or head.count("\n") != breaks or "\0" in head:
            raise ValueError("a request header holds a line break or a NUL")
        data = (head + "\r\n\r\n").encode("latin-1")
        return data + body if body else data

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for sock in idle:
            sock.close()

    # -- connections -------------------------------------------------------------------

    def _connection(self, connect_s: float) -> tuple[socket.socket, bool]:
        """An idle connection the BMC has not closed, else a new one."""
        while True:
            with self._lock:
                sock = self._idle.pop() if self._idle else None
            if sock is None:
                return self._connect(connect_s), False
            if not _dropped(sock):
                return sock, True
            sock.close()

    def _connect(self, connect_s: float) -> socket.socket:
        """A new connection (TLS: handshake done, chain and name or pin checked), as
        ``http.client`` makes one (``TCP_NODELAY``; the connect timeout covers the
        handshake)."""
        try:
            sock = socket.create_connection((self.host, self.port), connect_s)
        except TimeoutError:
            raise ConnectTimedOut(f"Connection to {self.host} timed out. "
                                  f"(connect timeout={connect_s})") from None
        except OSError as exc:
            raise NotConnected(str(exc), isinstance(exc, ConnectionRefusedError)) from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.context is not None:
                sock = self.context.wrap_socket(sock, server_hostname=self.host)
        except TimeoutError:
            sock.close()
            raise ConnectTimedOut(f"TLS handshake with {self.host} timed out. "
                                  f"(connect timeout={connect_s})") from None
        except ssl.SSLError as exc:
            sock.close()
            raise HandshakeFailed(_ssl_reason(exc)) from None
        except OSError as exc:
            sock.close()
            raise NotConnected(str(exc), isinstance(exc, ConnectionRefusedError)) from None
        if self.pin is not None:
            self._check_pin(sock)
        return sock

    def _check_pin(self, sock: socket.socket) -> None:
        der = sock.getpeercert(binary_form=True)  # type: ignore[attr-defined]
        got = hashlib.sha256(der or b"").hexdigest()
        if got != self.pin:
            sock.close()
            raise HandshakeFailed(f'Fingerprints did not match. Expected "{self.pin}", '
                                  f'got "{got}"')

    def _release(self, sock: socket.socket) -> None:
        """Keep ``sock`` for the next request (a few at most)."""
        with self._lock:
            if len(self._idle) < IDLE_KEPT:
                self._idle.append(sock)
                return
        sock.close()


_UNSAFE_PATH = re.compile("[\x00-\x20\x7f]")
"""What ``http.client`` refuses in a request target (control characters, space)."""


def set_timeout(sock: socket.socket, seconds: float) -> None:
    """``sock.settimeout(seconds)`` unless it is set already: each call is a system call
    that lets the other threads run (an ioctl outside the GIL), which, in a fan-out of
    dozens of threads, costs more than the request's own work."""
    if sock.gettimeout() != seconds:
        sock.settimeout(seconds)


def _close(answer: http.client.HTTPResponse, sock: socket.socket) -> None:
    """Close an answer's file and its socket (the descriptor goes when both are closed)."""
    answer.close()
    sock.close()


class LeanAnswer:
    """An answer whose body is read in chunks (:meth:`read1`); the connection goes back to
    the pool (:meth:`release`) once the body was read to its end and the BMC keeps it
    open, else it is closed (:meth:`close`)."""

    __slots__ = ("_answer", "_done", "_owner", "headers", "sock", "status")

    def __init__(self, answer: http.client.HTTPResponse, sock: socket.socket,
                 owner: LeanConnections) -> None:
        self.status = answer.status
        self.headers: Headers = answer.headers  # type: ignore[assignment]
        self.sock = sock
        self._answer = answer
        self._owner = owner
        self._done = False

    def read1(self, size: int) -> bytes:
        """Up to ``size`` bytes; ``b""`` at the end.

        :raises WireError: a timeout, or the connection ended before the body did."""
        remaining = self._answer.length
        try:
            chunk = self._answer.read1(size)
        except TimeoutError as exc:
            raise ReadTimedOut(f"Read timed out. ({exc})") from None
        except (OSError, http.client.HTTPException) as exc:
            raise Dropped(f"Connection broken: {type(exc).__name__}: {exc}") from None
        if not chunk and remaining:  # the connection ended before the announced length
            raise Dropped(f"Connection broken: IncompleteRead({remaining} bytes more "
                          "expected)")
        return chunk

    def close(self) -> None:
        """The body was not read to its end: the connection cannot be reused."""
        self._done = True
        _close(self._answer, self.sock)

    def release(self) -> None:
        """Give the connection back when the answer is complete and it stays open."""
        if self._done:
            return
        self._done = True
        answer = self._answer
        if (answer.isclosed() or answer.length == 0) and not answer.will_close:
            answer.close()  # the body's file, not the connection's socket
            self._owner._release(self.sock)
        else:
            _close(answer, self.sock)


def _ssl_reason(exc: ssl.SSLError) -> str:
    """What an operator reads of a failed handshake (the OpenSSL reason)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return str(exc.verify_message or exc)
    if exc.reason:
        return f"TLS handshake failed ({exc.reason}); is it an HTTPS port?"
    return str(exc)


def _dropped(sock: socket.socket) -> bool:
    """True when an idle socket was closed by the BMC (readable with nothing to read)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def pin_of(value: str | None) -> str | None:
    """A pinned fingerprint as compared here (lower-case hex without colons)."""
    return None if value is None else value.replace(":", "").strip().lower()


def watch_nothing(_sock: Any) -> None:
    """A ``watch`` that does nothing (tests)."""
