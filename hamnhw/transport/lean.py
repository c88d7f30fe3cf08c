"""The connections of one BMC over the standard library's ``http.client``.

urllib3's pool (connection pool keys, retry objects, URL parsing, header dictionaries on
every request) and requests' request and response objects cost several times the standard
library's work for a small Redfish GET.  :class:`LeanConnections` keeps a few keep-alive
connections to one BMC and sends one request on one of them, with nothing in between: no
retry, no redirect, no proxy, no environment, and neither requests nor urllib3 imported.
What the transport decides stays with :class:`~hamnhw.transport.adapter.BmcAdapter`: the
TLS choice (a shared :mod:`~hamnhw.transport.tlscontext`, a pinned fingerprint checked here
on every new connection), the timeouts, the watchdog, the body cap and its decoding.

Before a request goes on an idle connection, the connection is checked not closed by the
BMC (:mod:`~hamnhw.transport.reuse`), except for a GET or HEAD on one used less than
:data:`FRESH_S` ago: that one is sent unchecked and, should the BMC have closed the
connection before answering, raises :class:`StaleConnection`, on which the adapter sends it
once more on a new connection.  A connection given back after
:meth:`LeanConnections.close` (another thread's request was in flight) is closed at once.

Failures are raised as :class:`~hamnhw.transport.wireerrors.WireError` subclasses saying
what happened (never connected, refused or not; connect timed out; handshake or pin
refused; read timed out; connection lost after the request went out), each with its
``reason``
(:mod:`hamnhw.noanswer`: on a new or a kept-alive connection, before or after the status
line), which :func:`~hamnhw.transport.errormap.map_exception` turns into hamnhw's typed
errors.  A kept-alive connection that got no answer, or was lost, lets go of the other idle
ones too: the next request goes on a new connection, whose answer (or silence) tells what
the BMC is doing.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

from hamnhw import coop, noanswer
from hamnhw.transport import coopsocket
from hamnhw.transport.httpanswer import Headers, Response
from hamnhw.transport.reuse import drained, dropped
from hamnhw.transport.wireerrors import (
    ConnectTimedOut,
    Dropped,
    HandshakeFailed,
    NotConnected,
    ReadTimedOut,
    StaleConnection,
)

IDLE_KEPT = 4
"""Idle keep-alive connections kept per BMC (a command uses up to
:data:`hamnhw.transport.gate.MAX_IN_FLIGHT`: its reads made ahead)."""

FRESH_S = 1.0
"""A GET or HEAD goes on an idle connection used less than this many seconds ago without
first checking that the BMC has not closed it (a ``poll`` per request: a system call
that, with dozens of threads, hands the GIL over each time).  Should the BMC have closed it
all the same, the request is sent again once on a new connection (:class:`StaleConnection`);
anything else, and a connection idle for longer, is checked first."""

RESENDABLE = frozenset({"GET", "HEAD"})
"""Methods sent on a recently used idle connection unchecked (and so re-sent when the BMC
turns out to have closed it before answering).  Never POST, PATCH, PUT nor DELETE."""

Watch = Callable[[socket.socket | None], None]
"""Called with a request's socket before its answer is awaited (the watchdog)."""


class LeanConnections:
    """Keep-alive connections to one ``scheme://host:port``.

    :param context: the TLS context for ``https`` (None for ``http``).
    :param pin: SHA-256 fingerprint the certificate must have (lower-case hex, no colons),
        or None.
    :param connect_timeout: the configured connect timeout, seconds: a connect given less
        (the operation deadline had less left) that times out was cut short
        (:func:`hamnhw.noanswer.connect_timed_out`); None: each connect is given all of it.
    """

    def __init__(self, scheme: str, host: str, port: int, context: ssl.SSLContext | None,
                 pin: str | None, connect_timeout: float | None = None) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.connect_timeout = connect_timeout
        self.context = context
        self.pin = pin
        name = f"[{host}]" if ":" in host else host
        default = 443 if scheme == "https" else 80
        self._host_header = name if port == default else f"{name}:{port}"
        self._blocks: dict[tuple[tuple[str, str], ...], bytes] = {}
        """Header lines already built and checked (:meth:`_request`), by headers."""
        self._idle: list[tuple[socket.socket, BinaryIO, float]] = []
        """Idle connections, their readers, and when each was given back
        (``time.monotonic()``)."""
        self._lock = threading.Lock()
        self._closed = False

    def send(self, method: str, path: str, body: bytes | None, headers: Mapping[str, str],
             connect_s: float, read_s: float, watch: Watch, *,
             fresh: bool = False) -> LeanAnswer:
        """Send one request; the answer's body is left to read (:meth:`LeanAnswer.read1`).

        :param fresh: on a new connection (the re-send after :class:`StaleConnection`).
        :raises StaleConnection: a GET or HEAD on a recently used idle connection found it
            closed before any answer came (it may be sent again, ``fresh=True``).
        :raises WireError: no answer (the subclass says why).
        :raises ValueError: a control character or a space in ``path`` or in a header
            (nothing is sent).
        """
        request = self._request(method, path, body, headers)
        sock, reader, state = (*self._new(connect_s), "new") if fresh else self._connection(
            connect_s, method in RESENDABLE)
        set_timeout(sock, read_s)
        answer = Response(reader, method=method)
        try:
            sock.sendall(request)
            watch(sock)
            answer.begin()
        except TimeoutError as exc:
            _close(sock, reader)
            raise ReadTimedOut(f"Read timed out ({_kind(state)} connection). ({exc})",
                               self._no_answer(state, answer.answered, True)) from None
        except (OSError, http.client.HTTPException) as exc:
            _close(sock, reader)
            message = (f"Connection aborted ({_kind(state)} connection): "
                       f"{type(exc).__name__}: {exc}")
            if state == "unchecked" and not answer.answered and isinstance(exc, _STALE):
                raise StaleConnection(message, noanswer.DROPPED_REUSED) from None
            raise Dropped(message, self._no_answer(state, answer.answered, False)) from None
        return LeanAnswer(answer, sock, reader, self)

    def _no_answer(self, state: str, answered: bool, timed_out: bool) -> str:
        """The reason of a request left without its answer on a ``state`` connection
        (:mod:`hamnhw.noanswer`); a kept-alive one lets go of the other idle ones."""
        if answered:
            return noanswer.ANSWER_CUT
        if state == "new":
            return noanswer.NO_ANSWER_FRESH if timed_out else noanswer.DROPPED_FRESH
        self._forget_idle()
        return noanswer.NO_ANSWER_REUSED if timed_out else noanswer.DROPPED_REUSED

    def _request(self, method: str, path: str, body: bytes | None,
                 headers: Mapping[str, str]) -> bytes:
        """The request's bytes, as ``http.client`` would send them (the ``Host`` header
        first; ``Content-Length`` when there is a body and none is given), checked as it
        checks them: no control character nor space in the path, no line break in a
        header.  The header lines are built and checked once per set of headers (a few
        per BMC: the session token changes them) and kept, not on every request."""
        if _UNSAFE_PATH.search(path):
            raise ValueError(f"URL can't contain control characters: {path!r}")
        if "\r" in method or "\n" in method or "\0" in method:
            raise ValueError("a request header holds a line break or a NUL")
        key = tuple(headers.items())
        block = self._blocks.get(key)
        if block is None:
            block = self._header_block(headers)
            if len(self._blocks) >= _BLOCKS_KEPT:
                self._blocks.clear()
            self._blocks[key] = block
        data = f"{method} {path} HTTP/1.1\r\n".encode("latin-1") + block
        if body is not None and "Content-Length" not in headers:
            data += f"Content-Length: {len(body)}\r\n".encode("latin-1")
        data += b"\r\n"
        return data + body if body else data

    def _header_block(self, headers: Mapping[str, str]) -> bytes:
        """The ``Host`` line and ``headers``' lines, each ending with CRLF, checked."""
        lines = [f"Host: {self._host_header}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        block = "\r\n".join(lines)
        breaks = len(lines) - 1  # any other CR, LF or NUL is in a name or a value
        if block.count("\r") != breaks or block.count("\n") != breaks or "\0" in block:
            raise ValueError("a request header holds a line break or a NUL")
        return (block + "\r\n").encode("latin-1")

    def close(self) -> None:
        """Close the idle connections, and each connection in use when it comes back (the
        requests of other threads still in flight)."""
        with self._lock:
            self._closed = True
            self._blocks.clear()  # header lines holding the session's token
        self._forget_idle()

    def _forget_idle(self) -> None:
        """Close the idle connections (the next request goes on a new one)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for sock, reader, _ in idle:
            _close(sock, reader)

    # -- connections -------------------------------------------------------------------

    def _connection(self, connect_s: float,
                    resendable: bool) -> tuple[socket.socket, BinaryIO, str]:
        """An idle connection, else a new one, with its reader; and which (``new``,
        ``reused`` or ``unchecked``).  An idle connection is first checked not closed by
        the BMC, unless the request is ``resendable`` and the connection was used less than
        :data:`FRESH_S` ago.  A cooperative task takes no blocking connection (one made
        outside any task): it is closed."""
        while True:
            with self._lock:
                idle = self._idle.pop() if self._idle else None
            if idle is None:
                return (*self._new(connect_s), "new")
            sock, reader, since = idle
            if not isinstance(sock, coopsocket.CoopSocket) and coop.current() is not None:
                _close(sock, reader)  # a blocking one would hold every task of the hub
                continue
            if resendable and time.monotonic() - since < FRESH_S:
                return sock, reader, "unchecked"
            if not dropped(sock):
                return sock, reader, "reused"
            _close(sock, reader)

    def _new(self, connect_s: float) -> tuple[socket.socket, BinaryIO]:
        """A new connection and its buffered reader, kept with it from one answer to the
        next (making and closing one per answer was a seventh of a small GET's CPU)."""
        sock = self._connect(connect_s)
        return sock, sock.makefile("rb")

    def _connect(self, connect_s: float) -> socket.socket:
        """A new connection (TLS: handshake done, chain and name or pin checked), as
        ``http.client`` makes one (``TCP_NODELAY``; the connect timeout covers the
        handshake); in a cooperative task (:mod:`hamnhw.coop`), one whose waits park the
        task (:mod:`hamnhw.transport.coopsocket`)."""
        hub = coop.current()
        try:
            sock = (socket.create_connection((self.host, self.port), connect_s) if hub is None
                    else coopsocket.tcp(hub, self.host, self.port, connect_s))
        except TimeoutError:
            whole = self.connect_timeout or connect_s
            reason = noanswer.connect_timed_out(connect_s, whole)
            raise ConnectTimedOut(f"Connection to {self.host} timed out. (connect timeout="
                                  f"{connect_s})" if reason == noanswer.CONNECT_TIMEOUT else
                                  noanswer.connect_cut(connect_s, whole), reason) from None
        except OSError as exc:
            raise NotConnected(noanswer.connect_failure(exc),
                               isinstance(exc, ConnectionRefusedError),
                               noanswer.connect_reason(exc)) from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if hub is not None:  # a cooperative task's: its waits park it on the hub
                sock = coopsocket.wrap(  # type: ignore[assignment]
                    hub, sock, self.context, self.host, connect_s)
            elif self.context is not None:
                sock = self.context.wrap_socket(sock, server_hostname=self.host)
        except TimeoutError:
            sock.close()
            raise ConnectTimedOut(f"TLS handshake with {self.host} timed out: the TCP "
                                  f"connection was accepted (connect timeout={connect_s})",
                                  noanswer.NO_ANSWER_FRESH) from None
        except ssl.SSLError as exc:
            sock.close()
            raise HandshakeFailed(_ssl_reason(exc)) from None
        except OSError as exc:  # the TCP connection was accepted, then closed or reset
            sock.close()
            raise NotConnected(f"{exc} (during the TLS handshake)", False,
                               noanswer.DROPPED_FRESH) from None
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

    def _release(self, sock: socket.socket, reader: BinaryIO) -> None:
        """Keep ``sock`` and its reader for the next request (a few at most; none once
        closed)."""
        with self._lock:
            if not self._closed and len(self._idle) < IDLE_KEPT:
                self._idle.append((sock, reader, time.monotonic()))
                return
        _close(sock, reader)


def _kind(state: str) -> str:
    return "new" if state == "new" else "reused"


_BLOCKS_KEPT = 8
"""Header blocks kept per BMC (:meth:`LeanConnections._request`)."""

_UNSAFE_PATH = re.compile("[\x00-\x20\x7f]")
"""What ``http.client`` refuses in a request target (control characters, space)."""

_CLOSED = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, ssl.SSLEOFError,
           ssl.SSLZeroReturnError)
"""How a connection the BMC closed shows when a request is sent on it and its answer's
status line awaited (``http.client.RemoteDisconnected``, the connection's end where the
status line should be, is a ``ConnectionResetError``)."""

_STALE = (*_CLOSED, http.client.BadStatusLine)
"""What an unchecked GET on a reused connection meets before any answer when the
connection was closed, or holds bytes the last answer left (a stray line break, which
the ``poll()`` check would have seen): sent again once on a new connection."""


def set_timeout(sock: socket.socket, seconds: float) -> None:
    """``sock.settimeout(seconds)`` unless it is set already: each call is a system call
    that lets the other threads run (an ioctl outside the GIL), which, in a fan-out of
    dozens of threads, costs more than the request's own work."""
    if sock.gettimeout() != seconds:
        sock.settimeout(seconds)


def _close(sock: socket.socket, reader: BinaryIO) -> None:
    """Close a connection's reader and its socket (the descriptor goes when both are
    closed)."""
    reader.close()
    sock.close()


class LeanAnswer:
    """An answer whose body is read in chunks (:meth:`read1`); the connection goes back to
    the pool (:meth:`release`) once the body was read to its end and the BMC keeps it
    open, else it is closed (:meth:`close`)."""

    __slots__ = ("_answer", "_done", "_owner", "_reader", "complete", "headers", "sock",
                 "status")

    def __init__(self, answer: http.client.HTTPResponse, sock: socket.socket,
                 reader: BinaryIO, owner: LeanConnections) -> None:
        self.status = answer.status
        self.headers: Headers = answer.headers  # type: ignore[assignment]
        self.sock = sock
        self._reader = reader
        self._answer = answer
        self._owner = owner
        self._done = False
        self.complete = answer.length == 0
        """True once the body's announced length was read (no read of ``b""`` needed);
        kept up to date by :meth:`read1`."""

    def read1(self, size: int) -> bytes:
        """Up to ``size`` bytes; ``b""`` at the end.

        :raises WireError: a timeout, or the connection ended before the body did."""
        answer = self._answer
        remaining = answer.length
        try:
            chunk = answer.read1(size)
        except TimeoutError as exc:
            raise ReadTimedOut(f"Read timed out. ({exc})", noanswer.ANSWER_CUT) from None
        except (OSError, http.client.HTTPException) as exc:
            raise Dropped(f"Connection broken: {type(exc).__name__}: {exc}",
                          noanswer.ANSWER_CUT) from None
        if not chunk and remaining:  # the connection ended before the announced length
            raise Dropped(f"Connection broken: IncompleteRead({remaining} bytes more "
                          "expected)", noanswer.ANSWER_CUT)
        self.complete = answer.length == 0
        return chunk

    def close(self) -> None:
        """The body was not read to its end: the connection cannot be reused."""
        self._done = True
        self._answer.close()
        _close(self.sock, self._reader)

    def release(self) -> None:
        """Give the connection back when the answer is complete and it stays open."""
        if self._done:
            return
        self._done = True
        answer = self._answer
        done = (answer.isclosed() or answer.length == 0) and not answer.will_close
        answer.close()  # the answer, not the connection's reader nor its socket
        if done and drained(self.sock, self._reader):
            self._owner._release(self.sock, self._reader)
        else:
            _close(self.sock, self._reader)


def _ssl_reason(exc: ssl.SSLError) -> str:
    """What an operator reads of a failed handshake (the OpenSSL reason)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return str(exc.verify_message or exc)
    if exc.reason:
        return f"TLS handshake failed ({exc.reason}); is it an HTTPS port?"
    return str(exc)


def pin_of(value: str | None) -> str | None:
    """A pinned fingerprint as compared here (lower-case hex without colons)."""
    return None if value is None else value.replace(":", "").strip().lower()


def watch_nothing(_sock: Any) -> None:
    """A ``watch`` that does nothing (tests)."""
