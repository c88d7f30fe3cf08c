"""hamnhw's own requests adapter, mounted on http:// and https:// of the
python-redfish-library session.

It ignores the ``verify`` and ``proxies`` the library passes and decides
itself:

* TLS: a CA bundle (system store or ``ca_file``); or a pinned SHA-256
  certificate fingerprint (urllib3 ``assert_fingerprint``, chain checking off);
  or, only when asked for, no verification at all (warned about once).
* Time: connect and read timeouts bounded by what is left of the operation
  deadline; a watchdog shuts the socket at the deadline, so slow headers, a
  hang or a byte-dripping body all end in time.
* Size: the body is streamed in chunks and capped.
* Content coding: exactly ``Accept-Encoding: gzip, deflate`` is asked for and the
  body decoded (:mod:`hamnhw.transport.decode`), the cap applying to the decoded body.
* A response is closed (its socket released) whenever reading it fails, the deadline
  included, not left to the garbage collector.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from hamnhw.address import BmcAddress
from hamnhw.connection import Timeouts, TlsOptions
from hamnhw.deadline import Deadline
from hamnhw.errors import ConfigError
from hamnhw.log import get_logger
from hamnhw.transport import tlscontext
from hamnhw.transport.decode import ACCEPT_ENCODING, BodyTooLarge, UnsupportedEncoding, decoded
from hamnhw.transport.lean import LeanConnections, pin_of
from hamnhw.transport.watchdog import Watchdog

MAX_BODY_BYTES = 16 * 1024 * 1024
"""Largest response body accepted."""
CHUNK_BYTES = 64 * 1024

LOG = get_logger(__name__)

_insecure_warned = threading.Event()
_plain_http_warned: set[str] = set()
_active = threading.local()
_REQUESTS_SEND = HTTPAdapter.send
"""requests' own send, as imported (see :meth:`BmcAdapter._send_quietly`)."""


class DeadlineExceeded(Exception):
    """The operation deadline passed while a request was in flight."""


SEND_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.RequestException, urllib3.exceptions.HTTPError,
    http.client.HTTPException, OSError)
"""What sending a request can raise when the network or the BMC fails; anything
else is a programming error and is not turned into a BMC error."""


def system_ca_bundle() -> str:
    """Path of OpenSSL's default CA bundle when it exists, else certifi's.

    ``SSL_CERT_FILE`` is not consulted (``ssl.get_default_verify_paths().cafile``
    would honour it): an environment variable must not change whom hamnhw trusts.
    """
    cafile = ssl.get_default_verify_paths().openssl_cafile
    if cafile and os.path.isfile(cafile):
        return cafile
    return requests.utils.DEFAULT_CA_BUNDLE_PATH


def check_ca_file(path: str) -> None:
    """Load ``path`` as a CA bundle once, up front.

    :raises ConfigError: missing, unreadable, or holding no usable certificate.
    """
    try:
        ssl.create_default_context(cafile=path)
    except ssl.SSLError as exc:
        raise ConfigError(f"ca_file {path!r} holds no usable PEM certificate "
                          f"({exc.reason or exc})") from None
    except OSError as exc:
        raise ConfigError(f"ca_file {path!r}: {exc.strerror or exc}") from None


def check_tls_choice(address: BmcAddress, tls: TlsOptions) -> None:
    """Refuse TLS options on a plain-HTTP address (they would silently do nothing)
    and warn, once per host, that plain HTTP sends credentials in clear text.

    :raises ConfigError: ``ca_file``, ``pin_fingerprint`` or ``insecure`` with
        ``redfish+http://``; a ``ca_file`` that cannot be loaded.
    """
    if address.tls:
        if tls.ca_file:
            check_ca_file(tls.ca_file)
        return
    if tls.ca_file or tls.pin_fingerprint or tls.insecure:
        raise ConfigError(
            f"{address.url!r} is plain HTTP: ca_file, pin_fingerprint and insecure apply to "
            "HTTPS only; use redfish:// (or <vendor>-redfish://) or drop the TLS option",
            host=address.netloc)
    if address.netloc not in _plain_http_warned:
        _plain_http_warned.add(address.netloc)
        LOG.warning("%s: plain HTTP (%s://): credentials will cross the network in clear "
                    "text", address.netloc, address.scheme)


def warn_insecure_once(host: str) -> None:
    """Warn once per process, through hamnhw's logger only, the first time TLS
    checks are skipped (a :mod:`warnings` warning as well would print the same
    thing twice, pointing into requests; urllib3's own per-request warning is
    silenced by :meth:`BmcAdapter.send`).  Python's last-resort handler shows
    it on stderr even when the application configured no logging."""
    if _insecure_warned.is_set():
        return
    _insecure_warned.set()
    LOG.warning("TLS certificate verification is disabled for %s (insecure=True); "
                "use ca_file or pin_fingerprint instead", host)


def _watch_current(sock: socket.socket | None) -> None:
    dog = getattr(_active, "dog", None)
    if dog is not None:
        dog.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watch_current(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watch_current(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class BmcAdapter(HTTPAdapter):
    """The adapter for one BMC.

    Set :attr:`deadline` before each request; the transport does that.  It and
    :attr:`last_headers` belong to the calling thread: requests of one BMC may be in
    flight from several threads at once (:mod:`hamnhw.transport.gate`).

    :param host: BMC name for messages.
    :param tls: how to check the certificate.
    :param timeouts: connect and read limits per request.
    :param max_body: body size cap in bytes.
    """

    def __init__(self, host: str, tls: TlsOptions, timeouts: Timeouts, *,
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.host = host
        self.tls = tls
        self.timeouts = timeouts
        self.max_body = max_body
        self._mine = threading.local()
        self._verify: bool | str = False if (tls.pin_fingerprint or tls.insecure) else (
            tls.ca_file or system_ca_bundle())
        self._lean: dict[tuple[str, str, int], LeanConnections] = {}
        self._lean_lock = threading.Lock()
        super().__init__(max_retries=0)

    @property
    def deadline(self) -> Deadline | None:
        """The operation deadline of this thread's request in flight."""
        return getattr(self._mine, "deadline", None)

    @deadline.setter
    def deadline(self, value: Deadline | None) -> None:
        self._mine.deadline = value

    @property
    def last_headers(self) -> Mapping[str, str] | None:
        """The headers of this thread's last answer, kept when reading its body then failed
        (an interrupted login still knows the session it made); None until they arrive."""
        return getattr(self._mine, "last_headers", None)

    @last_headers.setter
    def last_headers(self, value: Mapping[str, str] | None) -> None:
        self._mine.last_headers = value

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool,
                                                   "https": _WatchedHTTPSPool}

    def build_connection_pool_key_attributes(
            self, request: requests.PreparedRequest, verify: Any,
            cert: Any = None) -> Any:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, self._verify, None)
        kwargs: dict[str, Any] = dict(pool_kwargs)
        if host_params.get("scheme") == "https":
            # One context per TLS choice per process (tlscontext): the CA bundle is loaded
            # once, not on every new connection.
            kwargs.pop("ca_certs", None)
            kwargs.pop("ca_cert_dir", None)
            kwargs["ssl_context"] = (tlscontext.verifying(self._verify)
                                     if isinstance(self._verify, str)
                                     else tlscontext.unchecked())
        if self.tls.pin_fingerprint:
            kwargs["assert_fingerprint"] = self.tls.pin_fingerprint
        return host_params, kwargs

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        """Send with hamnhw's TLS choice, time limits and size cap; the
        library's ``verify``, ``timeout`` and ``proxies`` are ignored."""
        if self.tls.insecure and request.url and request.url.startswith("https:"):
            warn_insecure_once(self.host)
        deadline = self.deadline
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        self.last_headers = None
        with self._watchdog(deadline) as dog:
            try:
                response = self._send_quietly(request, self._timeout(deadline))
                self.last_headers = response.headers
                self._read_body(response, deadline)
            except (DeadlineExceeded, BodyTooLarge, UnsupportedEncoding):
                raise
            except SEND_ERRORS:
                # A socket timeout capped by the deadline and the watchdog end together:
                # whichever came first, the deadline is what passed.
                if dog.fired or (deadline is not None and deadline.expired()):
                    raise DeadlineExceeded(self.host) from None
                raise
        return response

    def _send_quietly(self, request: requests.PreparedRequest,
                      timeout: tuple[float, float]) -> requests.Response:
        """Send once over this BMC's keep-alive connections (:mod:`hamnhw.transport.lean`:
        the standard library's http.client, a shared TLS context, the pin checked on every
        new connection); the body is read by :meth:`_read_body`.

        When requests' own sending has been replaced (the ``responses`` library replaying
        recorded exchanges in tests does that), the request goes that way instead, through
        urllib3 with the same TLS choice; with insecure=True, urllib3's per-request warning
        is replaced by hamnhw's one warning per process."""
        if HTTPAdapter.send is _REQUESTS_SEND:
            return self._lean_for(request.url or "").send(request, *timeout)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return super().send(request, stream=True, timeout=timeout, verify=self._verify,
                                cert=None, proxies={})

    def _lean_for(self, url: str) -> LeanConnections:
        """The connections to the BMC ``url`` names (made on first use)."""
        target = urlsplit(url)
        scheme, host = target.scheme, target.hostname or ""
        port = target.port or (443 if scheme == "https" else 80)
        with self._lean_lock:
            lean = self._lean.get((scheme, host, port))
            if lean is None:
                context = None
                if scheme == "https":
                    context = (tlscontext.verifying(self._verify)
                               if isinstance(self._verify, str) else tlscontext.unchecked())
                lean = LeanConnections(scheme, host, port, context,
                                       pin_of(self.tls.pin_fingerprint), _watch_current)
                self._lean[(scheme, host, port)] = lean
            return lean

    def close(self) -> None:
        """Close every connection (the lean ones and any urllib3 pool).

        urllib3 2.x's ``PoolManager.clear()`` (requests' close) forgets its pools without
        closing them: a pool still referenced (by the traceback of a request that timed out)
        would keep its connections open until garbage collection.  Each is closed here."""
        with self._lean_lock:
            leans, self._lean = list(self._lean.values()), {}
        for lean in leans:
            lean.close()
        pools = self.poolmanager.pools
        # keys(), a copy: iterating the container itself raises NotImplementedError.
        opened = [pools.get(key) for key in pools.keys()]  # noqa: SIM118
        super().close()
        for pool in opened:
            if pool is not None:
                pool.close()

    def _timeout(self, deadline: Deadline | None) -> tuple[float, float]:
        connect, read = self.timeouts.connect, self.timeouts.read
        if deadline is None:
            return connect, read
        left = deadline.left()
        if left <= 0:
            raise DeadlineExceeded(self.host)
        return min(connect, left), min(read, left)

    @contextlib.contextmanager
    def _watchdog(self, deadline: Deadline | None) -> Iterator[Watchdog]:
        dog = Watchdog()  # one process-wide watchdog thread serves them all
        if deadline is not None:
            dog.arm(deadline.left())
        _active.dog = dog
        try:
            yield dog
        finally:
            _active.dog = None
            dog.disarm()

    def _read_body(self, response: requests.Response, deadline: Deadline | None) -> None:
        """Read, cap and decode the whole body, then release the connection to the pool.

        On any failure (the deadline between two chunks included) the response is closed
        before the error propagates, so that its socket is shut now rather than by the
        garbage collector."""
        try:
            content = decoded(self._read_raw(response, deadline), response.headers,
                              self.max_body)
        except BaseException:
            response.close()  # body not consumed: urllib3 closes the connection
            raise
        response._content = content
        response._content_consumed = True  # type: ignore[attr-defined]
        response.close()

    def _read_raw(self, response: requests.Response, deadline: Deadline | None) -> bytes:
        chunks: list[bytes] = []
        size = 0
        raw = response.raw
        while True:
            self._bound_read_timeout(raw, deadline)
            chunk = _read_chunk(raw)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_body:
                raise BodyTooLarge(f"response body larger than {self.max_body} bytes")
            chunks.append(chunk)

    def _bound_read_timeout(self, raw: Any, deadline: Deadline | None) -> None:
        if deadline is None:
            return
        left = deadline.left()
        if left <= 0:
            raise DeadlineExceeded(self.host)
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is not None:
            sock.settimeout(min(self.timeouts.read, left))


def _read_chunk(raw: Any) -> bytes:
    try:
        return raw.read1(CHUNK_BYTES)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(str(exc)) from None
    except (urllib3.exceptions.ProtocolError, OSError) as exc:
        raise requests.exceptions.ConnectionError(str(exc)) from None


def presented_fingerprint(host: str, port: int, timeout: float) -> str | None:
    """SHA-256 fingerprint (lower-case hex) of the certificate ``host:port`` presents, read
    through one TLS handshake without verification; None when none completes in
    ``timeout`` seconds.

    Nothing is sent but the handshake: no HTTP request, no credentials.  It tells an
    operator, after a verification failure, which certificate to compare with the BMC's
    web UI before pinning it.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock, \
                context.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ValueError) as exc:
        LOG.debug("%s:%s: no certificate read: %s", host, port, exc)
        return None
    return hashlib.sha256(der).hexdigest() if der else None
