"""The connections of one BMC over the standard library's ``http.client``.

urllib3's pool (connection pool keys, retry objects, URL parsing, header dictionaries on
every request) costs several times the standard library's work for a small Redfish GET.
:class:`LeanConnections` keeps a few keep-alive connections to one BMC and sends one
request on one of them, with nothing in between: no retry, no redirect, no proxy, no
environment.  What the transport decides stays with :class:`~hamnhw.transport.adapter
.BmcAdapter`: the TLS choice (a shared :mod:`~hamnhw.transport.tlscontext`, a pinned
fingerprint checked here on every new connection), the timeouts, the watchdog, the body
cap and its decoding.

Failures are raised as the exceptions requests raises for urllib3's, so that
:func:`~hamnhw.transport.errormap.map_exception` reads them the same way: a connection
never made is a ``ConnectionError`` around a ``NewConnectionError`` (with the refusal in
its chain), a failed handshake an ``SSLError``, a slow connect ``ConnectTimeout``, a slow
answer ``ReadTimeout``, a connection lost after the request went out a
``ConnectionError`` around a ``ProtocolError``.
"""

from __future__ import annotations

import hashlib
import http.client
import select
import socket
import ssl
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict

IDLE_KEPT = 4
"""Idle keep-alive connections kept per BMC (a command uses one; a few threads more)."""


class LeanConnections:
    """Keep-alive connections to one ``scheme://host:port``.

    :param context: the TLS context for ``https`` (None for ``http``).
    :param pin: SHA-256 fingerprint the certificate must have (lower-case hex, no colons),
        or None.
    :param watch: called with each socket before its answer is awaited (the watchdog).
    """

    def __init__(self, scheme: str, host: str, port: int, context: ssl.SSLContext | None,
                 pin: str | None, watch: Callable[[socket.socket | None], None]) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.context = context
        self.pin = pin
        self.watch = watch
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def send(self, request: requests.PreparedRequest, connect_s: float,
             read_s: float) -> requests.Response:
        """Send ``request`` once; the answer's body is left to read from ``raw``."""
        url = request.url or ""
        target = urlsplit(url)
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        conn, reused = self._connection(url, connect_s)
        conn.sock.settimeout(read_s)
        try:
            conn.request(str(request.method), path, body=request.body,
                         headers=dict(request.headers))
            self.watch(conn.sock)
            answer = conn.getresponse()
        except TimeoutError as exc:
            conn.close()
            raise requests.exceptions.ReadTimeout(
                _read_timeout(url, exc),
                request=request) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            state = "reused" if reused else "new"
            raise requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
                f"Connection aborted ({state} connection).", exc), request=request) from None
        return self._response(request, conn, answer)

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- connections -------------------------------------------------------------------

    def _connection(self, url: str, connect_s: float) -> tuple[http.client.HTTPConnection,
                                                                 bool]:
        """An idle connection the BMC has not closed, else a new one."""
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._connect(url, connect_s), False
            if conn.sock is not None and not _dropped(conn.sock):
                return conn, True
            conn.close()

    def _connect(self, url: str, connect_s: float) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=connect_s,
                                               context=self.context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=connect_s)
        try:
            conn.connect()
        except TimeoutError as exc:
            conn.close()
            raise requests.exceptions.ConnectTimeout(urllib3.exceptions.ConnectTimeoutError(
                None, f"Connection to {self.host} timed out. (connect timeout={connect_s})"),
                exc) from None
        except ssl.SSLError as exc:
            conn.close()
            raise requests.exceptions.SSLError(
                _no_pool_retry(url, urllib3.exceptions.SSLError(exc))) from None
        except OSError as exc:
            conn.close()
            message = f"Failed to establish a new connection: {exc}"
            raise requests.exceptions.ConnectionError(
                _no_pool_retry(url, _NotConnected(message, exc))) from None
        if self.pin is not None:
            self._check_pin(conn, url)
        return conn

    def _check_pin(self, conn: http.client.HTTPConnection, url: str) -> None:
        der = conn.sock.getpeercert(binary_form=True)  # type: ignore[union-attr]
        got = hashlib.sha256(der or b"").hexdigest()
        if got != self.pin:
            conn.close()
            raise requests.exceptions.SSLError(_no_pool_retry(url, urllib3.exceptions.SSLError(
                    f'Fingerprints did not match. Expected "{self.pin}", got "{got}"')))

    def _release(self, conn: http.client.HTTPConnection) -> None:
        """Keep ``conn`` for the next request (a few at most)."""
        with self._lock:
            if len(self._idle) < IDLE_KEPT:
                self._idle.append(conn)
                return
        conn.close()

    # -- answers -----------------------------------------------------------------------

    def _response(self, request: requests.PreparedRequest, conn: http.client.HTTPConnection,
                  answer: http.client.HTTPResponse) -> requests.Response:
        response = requests.Response()
        response.status_code = answer.status
        response.reason = answer.reason
        response.headers = CaseInsensitiveDict(answer.getheaders())
        response.url = request.url or ""
        response.request = request
        response.raw = _Raw(answer, conn, self)
        return response


class _NotConnected(urllib3.exceptions.NewConnectionError):
    """A connection never made; the socket error is kept in its args (a refusal is found
    there by :func:`~hamnhw.transport.errormap.map_exception`)."""

    def __init__(self, message: str, cause: OSError) -> None:
        urllib3.exceptions.HTTPError.__init__(self, message, cause)
        self.conn = None  # type: ignore[assignment]
        self._message = message

    def __str__(self) -> str:
        return self._message


class _Raw:
    """The body of an answer, read in chunks by the adapter; the connection goes back to
    the pool once the body was read to its end (and the BMC keeps it open)."""

    def __init__(self, answer: http.client.HTTPResponse, conn: http.client.HTTPConnection,
                 owner: LeanConnections) -> None:
        self.answer = answer
        self.connection = conn
        self._owner = owner
        self._released = False

    def read1(self, size: int) -> bytes:
        """Up to ``size`` bytes; ``b""`` at the end."""
        remaining = self.answer.length
        try:
            chunk = self.answer.read1(size)
        except TimeoutError as exc:
            raise _read_timeout("", exc) from None
        except (OSError, http.client.HTTPException) as exc:
            raise urllib3.exceptions.ProtocolError("Connection broken", exc) from None
        if not chunk and remaining:  # the connection ended before the announced length
            raise urllib3.exceptions.ProtocolError(
                "Connection broken", http.client.IncompleteRead(b"", remaining))
        return chunk

    def close(self) -> None:
        """The body was not read to its end: the connection cannot be reused."""
        self._released = True
        self.connection.close()

    def release_conn(self) -> None:
        """Give the connection back when the answer is complete and it stays open."""
        if self._released:
            return
        self._released = True
        complete = self.answer.isclosed() or self.answer.length == 0
        if complete and not self.answer.will_close:
            self.answer.close()  # the body's file, not the connection's socket
            self._owner._release(self.connection)
        else:
            self.connection.close()


def _dropped(sock: socket.socket) -> bool:
    """True when an idle socket was closed by the BMC (readable with nothing to read)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _no_pool_retry(url: str, reason: Exception) -> urllib3.exceptions.MaxRetryError:
    """What urllib3 raises around ``reason`` (here without a pool, nor a retry)."""
    return urllib3.exceptions.MaxRetryError(None, url, reason)  # type: ignore[arg-type]


def _read_timeout(url: str, exc: BaseException) -> urllib3.exceptions.ReadTimeoutError:
    return urllib3.exceptions.ReadTimeoutError(None, url,  # type: ignore[arg-type]
                                               f"Read timed out. ({exc})")


def pin_of(value: str | None) -> str | None:
    """A pinned fingerprint as compared here (lower-case hex without colons)."""
    return None if value is None else value.replace(":", "").strip().lower()


def watch_nothing(_sock: Any) -> None:
    """A ``watch`` that does nothing (tests)."""
