"""Sending through requests and urllib3, for when requests' own sending has been replaced.

hamnhw sends over its own ``http.client`` connections (:mod:`hamnhw.transport.lean`) and
never imports requests for that.  The ``responses`` library (the recorded-exchange replays
of the test suite) answers by replacing ``requests.adapters.HTTPAdapter.send``; when it
has, :func:`active` is true and :class:`~hamnhw.transport.adapter.BmcAdapter` sends here
instead: the same TLS choice (one shared context, the pinned fingerprint checked by
urllib3 on every new connection), the same timeouts and watchdog, the body read by the
adapter in chunks as on the lean path.  :mod:`hamnhw.transport.stream` (SSE) also sends
through :class:`RequestsAdapter`.

This module imports requests: it is imported only when it is used.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Mapping
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from hamnhw.connection import TlsOptions
from hamnhw.transport import tlscontext
from hamnhw.transport.lean import Headers, Watch

_active_watch: dict[int, Watch] = {}
"""The watchdog callback of the request each thread has in flight (by thread id)."""


def active() -> bool:
    """True when requests' sending has been replaced (``responses`` is replaying)."""
    adapters = sys.modules.get("requests.adapters")
    return adapters is not None and (
        getattr(adapters.HTTPAdapter.send, "__module__", None) != "requests.adapters")


def _watch_current(sock: Any) -> None:
    watch = _active_watch.get(threading.get_ident())
    if watch is not None:
        watch(sock)


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


class RequestsAdapter(HTTPAdapter):
    """A requests adapter with hamnhw's TLS choice: ``verify`` is a CA bundle path, or
    False for a pinned fingerprint (checked by urllib3) and for ``insecure``."""

    def __init__(self, tls: TlsOptions, verify: bool | str) -> None:
        self.tls = tls
        self._verify = verify
        super().__init__(max_retries=0)

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

    def send_streamed(self, request: requests.PreparedRequest,
                      timeout: tuple[float, float]) -> requests.Response:
        """Send once, the body left unread; urllib3's per-request warning of an unchecked
        certificate is silenced (hamnhw warns once per process itself)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return HTTPAdapter.send(self, request, stream=True, timeout=timeout,
                                    verify=self._verify, cert=None, proxies={})

    def close(self) -> None:
        """Close every pooled connection.

        urllib3 2.x's ``PoolManager.clear()`` (requests' close) forgets its pools without
        closing them: a pool still referenced (by the traceback of a request that timed out)
        would keep its connections open until garbage collection.  Each is closed here."""
        pools = self.poolmanager.pools
        # keys(), a copy: iterating the container itself raises NotImplementedError.
        opened = [pools.get(key) for key in pools.keys()]  # noqa: SIM118
        super().close()
        for pool in opened:
            if pool is not None:
                pool.close()


class ReplayedAnswer:
    """A requests response read like :class:`~hamnhw.transport.lean.LeanAnswer`."""

    __slots__ = ("_response", "headers", "sock", "status")

    complete = False
    """Read to its end (``b""``): a streamed answer's length is not tracked here."""

    def __init__(self, response: requests.Response) -> None:
        self.status = response.status_code
        self.headers = Headers(response.headers.items())
        self.sock = getattr(getattr(response.raw, "connection", None), "sock", None)
        self._response = response

    def read1(self, size: int) -> bytes:
        try:
            return bytes(self._response.raw.read1(size))
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(str(exc)) from None
        except (urllib3.exceptions.ProtocolError, OSError) as exc:
            raise requests.exceptions.ConnectionError(str(exc)) from None

    def close(self) -> None:
        self._response.close()

    def release(self) -> None:
        self._response.close()  # the body was read: urllib3 keeps the connection


def send(adapter: RequestsAdapter, method: str, url: str, headers: Mapping[str, str],
         body: bytes | None, timeout: tuple[float, float], watch: Watch) -> ReplayedAnswer:
    """Send one request through requests (no redirect, no retry, no environment)."""
    request = requests.PreparedRequest()
    request.method = method
    request.url = url
    request.headers = requests.structures.CaseInsensitiveDict(headers)
    request.body = body
    request.hooks = {"response": []}
    ident = threading.get_ident()
    _active_watch[ident] = watch
    try:
        return ReplayedAnswer(adapter.send_streamed(request, timeout))
    finally:
        _active_watch.pop(ident, None)
