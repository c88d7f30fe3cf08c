"""How hamnhw sends one request to one BMC (:class:`BmcAdapter`).

It decides itself, whatever sends the bytes:

* TLS: a CA bundle (system store or ``ca_file``); or a pinned SHA-256
  certificate fingerprint (chain checking off, the fingerprint checked on every new
  connection); or, only when asked for, no verification at all (warned about once).
* Time: connect and read timeouts bounded by what is left of the operation
  deadline; a watchdog shuts the socket at the deadline, so slow headers, a
  hang or a byte-dripping body all end in time.
* Size: the body is read in chunks and capped.
* Content coding: exactly ``Accept-Encoding: gzip, deflate`` is asked for and the
  body decoded (:mod:`hamnhw.transport.decode`), the cap applying to the decoded body.
* An answer is closed (its socket released) whenever reading it fails, the deadline
  included, not left to the garbage collector.

The bytes go over the BMC's own keep-alive ``http.client`` connections
(:mod:`hamnhw.transport.lean`: no requests objects, requests not even imported); only when
requests' sending has been replaced (the ``responses`` replays of the tests) through
requests and urllib3 (:mod:`hamnhw.transport.replay`), with the same choices.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import sys
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hamnhw import noanswer
from hamnhw.connection import Timeouts, TlsOptions
from hamnhw.deadline import Deadline
from hamnhw.log import get_logger
from hamnhw.transport import tlscontext
from hamnhw.transport.decode import ACCEPT_ENCODING, BodyTooLarge, UnsupportedEncoding, decoded
from hamnhw.transport.httpanswer import Headers
from hamnhw.transport.lean import RESENDABLE, LeanConnections, pin_of, set_timeout
from hamnhw.transport.tlschoice import system_ca_bundle, warn_insecure_once
from hamnhw.transport.watchdog import Watchdog
from hamnhw.transport.wireerrors import StaleConnection, WireError

if TYPE_CHECKING:
    from hamnhw.transport.replay import RequestsAdapter

MAX_BODY_BYTES = 16 * 1024 * 1024
"""Largest response body accepted."""
CHUNK_BYTES = 64 * 1024

LOG = get_logger(__name__)

FORCE_REQUESTS = False
"""Send through requests and urllib3 even when nothing replaced requests' sending (tests
of that path)."""


class DeadlineExceeded(Exception):
    """The operation deadline passed while a request was in flight (``reason``: where it
    stood then, :func:`hamnhw.noanswer.at_deadline`; None when nothing was sent;
    ``detail``: what a connect it cut short met)."""

    def __init__(self, host: str, reason: str | None = None, detail: str | None = None) -> None:
        super().__init__(host)
        self.reason = reason
        self.detail = detail


SEND_ERRORS: tuple[type[BaseException], ...] = (WireError, http.client.HTTPException, OSError)
"""What sending a request can raise when the network or the BMC fails (requests'
exceptions are ``OSError`` subclasses); anything else is a programming error and is not turned
into a BMC error."""


class Reply:
    """A complete answer: status, headers, the decoded body."""

    __slots__ = ("content", "headers", "status")

    def __init__(self, status: int, headers: Headers, content: bytes) -> None:
        self.status = status
        self.headers = headers
        self.content = content


class InFlight(threading.local):
    """The calling thread's request to one BMC (:attr:`BmcAdapter.in_flight`): plain
    attributes, set and read on every request without a property's call."""

    deadline: Deadline | None = None
    """The operation deadline of the request in flight."""
    last_headers: Mapping[str, str] | None = None
    """The headers of the last answer, kept when reading its body then failed (an
    interrupted login still knows the session it made); None until they arrive."""


class BmcAdapter:
    """How every request to one BMC is sent.

    Set :attr:`deadline` before each request; the transport does that.  It and
    :attr:`last_headers` belong to the calling thread (:attr:`in_flight`): requests of one
    BMC may be in flight from several threads at once (:mod:`hamnhw.transport.gate`).

    :param host: BMC name for messages.
    :param tls: how to check the certificate.
    :param timeouts: connect and read limits per request.
    :param max_body: body size cap in bytes.
    :param context: the TLS context :func:`check_tls_choice` loaded for ``tls.ca_file``
        (else it is looked up on the first connection).
    """

    def __init__(self, host: str, tls: TlsOptions, timeouts: Timeouts, *,
                 max_body: int = MAX_BODY_BYTES,
                 context: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.tls = tls
        self.timeouts = timeouts
        self.max_body = max_body
        self.in_flight = InFlight()
        """This thread's :attr:`deadline` and :attr:`last_headers`."""
        self.verify = self.verify_for(tls)
        """What the chain is checked against (:meth:`verify_for`)."""
        self._context = context if tls.ca_file and self.verify == tls.ca_file else None
        self._lean: dict[str, LeanConnections] = {}
        self._requests: RequestsAdapter | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def deadline(self) -> Deadline | None:
        """This thread's :attr:`InFlight.deadline`."""
        return self.in_flight.deadline

    @deadline.setter
    def deadline(self, value: Deadline | None) -> None:
        self.in_flight.deadline = value

    @property
    def last_headers(self) -> Mapping[str, str] | None:
        """This thread's :attr:`InFlight.last_headers`."""
        return self.in_flight.last_headers

    @staticmethod
    def verify_for(tls: TlsOptions) -> bool | str:
        """What the chain is checked against: a CA bundle path, or False (a pinned
        fingerprint, checked on every new connection, or ``insecure``)."""
        return False if (tls.pin_fingerprint or tls.insecure) else (
            tls.ca_file or system_ca_bundle())

    def send(self, method: str, base_url: str, path: str, headers: dict[str, str],
             body: bytes | None = None) -> Reply:
        """Send once with hamnhw's TLS choice, time limits and size cap; the whole body is
        read, capped and decoded.

        :param base_url: ``scheme://host:port`` of the BMC.
        :param path: the path (and query) on it.
        :raises DeadlineExceeded: the operation deadline passed.
        :raises BodyTooLarge, UnsupportedEncoding: the body.
        :raises OSError, WireError: no (complete) answer; requests' exceptions on the
            replayed path.
        """
        if self.tls.insecure and base_url.startswith("https:"):
            warn_insecure_once(self.host, base_url.partition("://")[2])
        mine = self.in_flight
        deadline = mine.deadline
        headers["Accept-Encoding"] = ACCEPT_ENCODING
        mine.last_headers = None
        dog = Watchdog()  # one process-wide watchdog thread serves them all
        if deadline is not None:
            dog.arm(deadline.left())
        try:
            answer = self._send_quietly(method, base_url, path, headers, body, deadline, dog)
            mine.last_headers = answer.headers
            return Reply(answer.status, answer.headers, self._read_body(answer, deadline, dog=dog))
        except (DeadlineExceeded, BodyTooLarge, UnsupportedEncoding):
            raise
        except SEND_ERRORS as exc:
            # A socket timeout capped by the deadline and the watchdog end together:
            # whichever came first, the deadline is what passed.
            if dog.fired or (deadline is not None and deadline.expired()):
                reason = noanswer.at_deadline(exc.reason if isinstance(exc, WireError) else None)
                raise DeadlineExceeded(self.host, reason, str(exc) if reason ==
                                       noanswer.CONNECT_CUT else None) from None
            raise
        finally:
            dog.disarm()

    def _send_quietly(self, method: str, base_url: str, path: str, headers: dict[str, str],
                      body: bytes | None, deadline: Deadline | None, dog: Watchdog) -> Any:
        """Send once over this BMC's keep-alive connections (:mod:`hamnhw.transport.lean`);
        the body is left for :meth:`_read_body`.

        A GET or HEAD that found its recently used idle connection closed by the BMC before
        any answer came (:class:`~hamnhw.transport.wireerrors.StaleConnection`) is sent once more
        on a new connection, within the same deadline and watchdog, as urllib3 does: the
        BMC never answered it.  Never a POST, PATCH, PUT or DELETE (their idle connection
        is checked before they go).

        When requests' own sending has been replaced (the ``responses`` library replaying
        recorded exchanges in tests does that), the request goes through requests and
        urllib3 instead (:mod:`hamnhw.transport.replay`), with the same TLS choice."""
        if FORCE_REQUESTS or _replaying():
            from hamnhw.transport import replay

            return replay.send(self._requests_adapter(), method, base_url + path, headers,
                               body, self._timeout(deadline), dog.watch)
        lean = self._lean.get(base_url) or self._lean_for(base_url)
        try:
            return lean.send(method, path, body, headers, *self._timeout(deadline), dog.watch)
        except StaleConnection as exc:
            if dog.fired or method not in RESENDABLE:  # the deadline (or SIGINT) shut it
                raise
            LOG.debug("%s: %s %s: %s; sending it again on a new connection", self.host,
                      method, path, exc)
        return lean.send(method, path, body, headers, *self._timeout(deadline), dog.watch,
                         fresh=True)

    def _lean_for(self, base_url: str) -> LeanConnections:
        """The connections to the BMC at ``base_url`` (made on first use)."""
        lean = self._lean.get(base_url)
        if lean is not None:
            return lean
        target = urlsplit(base_url)
        scheme = target.scheme
        context = None
        if scheme == "https":
            context = self._context or (
                tlscontext.verifying(self.verify) if isinstance(self.verify, str)
                else tlscontext.unchecked())
        lean = LeanConnections(scheme, target.hostname or "",
                               target.port or (443 if scheme == "https" else 80),
                               context, pin_of(self.tls.pin_fingerprint), self.timeouts.connect)
        with self._lock:
            if not self._closed:
                return self._lean.setdefault(base_url, lean)
        lean.close()  # after close(): its one connection is closed once its answer is read
        return lean

    def _requests_adapter(self) -> RequestsAdapter:
        with self._lock:
            if self._requests is None:
                from hamnhw.transport.replay import RequestsAdapter

                self._requests = RequestsAdapter(self.tls, self.verify)
            return self._requests

    def close(self) -> None:
        """Close every connection (the lean ones and any urllib3 pool).  A request of
        another thread still in flight, or sent later, has its connection closed as soon as
        its answer is read: none is kept."""
        with self._lock:
            self._closed = True
            leans, self._lean = list(self._lean.values()), {}
            pooled, self._requests = self._requests, None
        for lean in leans:
            lean.close()
        if pooled is not None:
            pooled.close()

    def _timeout(self, deadline: Deadline | None) -> tuple[float, float]:
        connect, read = self.timeouts.connect, self.timeouts.read
        if deadline is None:
            return connect, read
        left = deadline.left()
        if left <= 0:
            raise DeadlineExceeded(self.host)
        return min(connect, left), min(read, left)

    def _read_body(self, answer: Any, deadline: Deadline | None, *,
                   dog: Watchdog | None = None) -> bytes:
        """Read, cap and decode the whole body, then release the connection to the pool.

        On any failure (the deadline between two chunks included) the answer is closed
        before the error propagates, so that its socket is shut now rather than by the
        garbage collector.  ``dog`` stops watching the socket before it goes back to the
        pool: another thread's request may take it at once (:mod:`hamnhw.transport.gate`),
        and this request's watchdog firing late must not shut that one's connection."""
        try:
            content = decoded(self._read_raw(answer, deadline), answer.headers,
                              self.max_body)
        except BaseException:
            answer.close()  # body not consumed: the connection is not reused
            raise
        if dog is not None:
            dog.watch(None)
        answer.release()
        return content

    def _read_raw(self, answer: Any, deadline: Deadline | None) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            self._bound_read_timeout(answer.sock, deadline)
            chunk = answer.read1(CHUNK_BYTES)
            if not chunk:
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
            size += len(chunk)
            if size > self.max_body:
                raise BodyTooLarge(f"response body larger than {self.max_body} bytes")
            chunks.append(chunk)
            if answer.complete:  # the announced length read: no last read of b""
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _bound_read_timeout(self, sock: socket.socket | None, deadline: Deadline | None) -> None:
        if deadline is None:
            return
        left = deadline.left()
        if left <= 0:
            raise DeadlineExceeded(self.host, noanswer.ANSWER_CUT)
        if sock is not None:
            set_timeout(sock, min(self.timeouts.read, left))


def _replaying() -> bool:
    """True when requests' sending was replaced (only possible once requests is imported)."""
    if "requests.adapters" not in sys.modules:
        return False
    from hamnhw.transport import replay

    return replay.active()
