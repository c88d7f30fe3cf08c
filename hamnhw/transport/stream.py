"""Long-lived GET streams beside a :class:`~hamnhw.transport.redfish.RedfishTransport`:
a Redfish SSE stream (``EventService.ServerSentEventUri``).

The stream uses the transport's TLS choice (CA bundle, pinned fingerprint, or insecure) and
its session (``X-Auth-Token``, or basic auth), on a connection of its own, so that the
transport stays free for the reads the events trigger.  It has no overall deadline: a stream
lasts as long as the listener; ``read_timeout`` bounds the silence between two chunks
(keep-alive comments count).  Redirects are never followed (they would carry the token).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests
import urllib3

from hamnhw.connection import TlsOptions
from hamnhw.errors import AuthenticationError, HamnhwError
from hamnhw.transport.adapter import BmcAdapter
from hamnhw.transport.errormap import TRANSPORT_FAILURES, http_error, map_exception
from hamnhw.transport.replay import RequestsAdapter

CHUNK = 64 * 1024
MAX_LINE = 1 << 20
"""Longest SSE line accepted (a longer one ends the stream as malformed)."""
_FAILURES: tuple[type[BaseException], ...] = (*TRANSPORT_FAILURES, urllib3.exceptions.HTTPError)
"""What opening or reading a stream raises when the network or the BMC fails."""


class _StreamAdapter(RequestsAdapter):
    """hamnhw's TLS choice (pinning included) without the body read and watchdog."""

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        return self.send_streamed(request, timeout)


class Stream:
    """An open stream: :meth:`lines` as they arrive; :meth:`close` (from any thread) ends it."""

    def __init__(self, response: requests.Response, host: str, path: str) -> None:
        self._response = response
        self._host, self._path = host, path
        # The socket itself: closing a file object does not wake a thread blocked in recv(),
        # a shutdown does.
        self._sock = _socket_of(response)

    def lines(self) -> Iterator[str]:
        """Decoded lines; a transport failure becomes a :class:`HamnhwError`."""
        return _lines(self._response, self._host, self._path)

    def close(self) -> None:
        """Close the connection; a reader blocked in :meth:`lines` gets an error or the end."""
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            return
        # No socket found: closing may wait for a blocked reader; it is the best left.
        with contextlib.suppress(Exception):
            self._response.close()


def _chunks(raw: Any) -> Iterator[bytes]:
    """Bytes as they arrive: each HTTP chunk of a chunked answer, else whatever one read
    returns (``read1``: never waiting for a full buffer, which would hold events back)."""
    if getattr(raw, "chunked", False) and hasattr(raw, "read_chunked"):
        yield from raw.read_chunked(decode_content=True)
        return
    while chunk := raw.read1(CHUNK):
        yield chunk


def _socket_of(response: requests.Response) -> socket.socket | None:
    """The socket under a streamed response (urllib3's connection, else http.client's)."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:
        reader = getattr(getattr(response.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


@contextlib.contextmanager
def open_stream(base_url: str, path: str, host: str, tls: TlsOptions,
                auth_headers: Mapping[str, str], connect_timeout: float,
                read_timeout: float,
                on_401: Callable[[], HamnhwError] | None = None) -> Iterator[Stream]:
    """GET ``path`` as a stream and yield it (:class:`Stream`).

    :param auth_headers: the transport's :meth:`auth_headers` (a secret: never logged).
    :param on_401: the error to raise for a 401 (the transport's judgement: refused
        credentials or an expired session); by default an :class:`AuthenticationError`.
    :raises AuthenticationError: 401.
    :raises HamnhwError: typed, for any other failure to open.
    """
    adapter = _StreamAdapter(tls, BmcAdapter.verify_for(tls))
    session = requests.Session()
    session.trust_env = False
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    # identity: an event stream is read line by line as it comes, never decoded as a whole.
    headers = {"Accept": "text/event-stream", "Accept-Encoding": "identity", **auth_headers}
    try:
        try:
            response = session.get(base_url + path, headers=headers, stream=True,
                                   allow_redirects=False,
                                   timeout=(connect_timeout, read_timeout))
        except _FAILURES as exc:
            raise map_exception(exc, host=host, method="GET", path=path,
                                elapsed_s=0.0) from None
        with response:
            if response.status_code == 401:
                raise (on_401() if on_401 else
                       AuthenticationError(f"GET {path}: HTTP 401", host=host))
            if response.status_code >= 300:
                raise http_error(response.status_code, response.content[:4096], host=host,
                                 method="GET", path=path)
            yield Stream(response, host, path)
    finally:
        session.close()


def _lines(response: requests.Response, host: str, path: str) -> Iterator[str]:
    """Decoded lines as they arrive; transport failures become :class:`HamnhwError`."""
    buffer = b""
    try:
        for chunk in _chunks(response.raw):
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                yield line.rstrip(b"\r").decode("utf-8", "replace")
            if len(buffer) > MAX_LINE:
                raise HamnhwError(f"GET {path}: an event-stream line over {MAX_LINE} bytes",
                                  host=host)
    except _FAILURES as exc:
        raise map_exception(exc, host=host, method="GET", path=path, elapsed_s=0.0) from None
