"""``RedfishTransport``: the :class:`~hamnhw.transport.base.RedfishClient`
over python-redfish-library, with every unsafe default of the library set.

* The library always gets a ``cafile`` (it hard-codes ``verify=False``
  otherwise), ``max_retry=0`` (it re-sends any request, POSTs included, on any
  exception), ``proxies={}`` and a session with ``trust_env=False`` (so
  ``HTTPS_PROXY`` never sees BMC credentials and ``REQUESTS_CA_BUNDLE`` never
  overrides the TLS choice).
* hamnhw's :class:`~hamnhw.transport.adapter.BmcAdapter` is mounted on both
  ``http://`` and ``https://``: TLS choice, timeouts bounded by the operation
  deadline, streamed and size-capped bodies.
* GETs are retried (connection errors and 5xx, bounded, backoff with jitter,
  never past the deadline); POST, PATCH and DELETE are sent exactly once.
* Session login with fallback to basic auth; at most one re-login on a 401.
  A POST/PATCH/DELETE rejected with 401 is not re-sent: :class:`SessionExpired`.

Not thread-safe: one transport serves one thread at a time.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any

from redfish.rest.v1 import HttpClient, RetriesExhaustedError
from requests.structures import CaseInsensitiveDict

from hamnhw.address import BmcAddress
from hamnhw.connection import Credentials, Timeouts, TlsOptions, check_seconds
from hamnhw.deadline import Deadline
from hamnhw.errors import (
    BmcUnreachable,
    ConnectionDropped,
    HamnhwError,
    MalformedResponse,
    ServerSideError,
    SessionExpired,
    TlsError,
)
from hamnhw.log import forget_secret, get_logger, quiet_library_loggers, register_secret
from hamnhw.transport.adapter import (
    MAX_BODY_BYTES,
    BmcAdapter,
    check_tls_choice,
    system_ca_bundle,
)
from hamnhw.transport.base import RedfishClient, RedfishResponse
from hamnhw.transport.errormap import (
    TRANSPORT_FAILURES,
    credentials_rejected,
    http_error,
    map_exception,
    parse_json,
)
from hamnhw.transport.retry import RetryPolicy
from hamnhw.transport.session import (
    Answer,
    logout_grace,
    session_path,
    sessions_path,
)
from hamnhw.transport.stream import Stream, open_stream

LOG = get_logger(__name__)

ROOT_PATH = "/redfish/v1/"


class RedfishTransport(RedfishClient):
    """A Redfish service reached over HTTP(S).

    :param address: the BMC (``redfish://`` ... URL, parsed).
    :param credentials: login; the password is registered for log redaction.
    :param tls: certificate checking.
    :param timeouts: connect/read per request, and the default operation deadline.
    :param retry: GET retry policy (clock and sleep injectable).
    :param max_body: response size cap, bytes.
    """

    def __init__(self, address: BmcAddress, credentials: Credentials, tls: TlsOptions,
                 timeouts: Timeouts, *, retry: RetryPolicy | None = None,
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.host = address.netloc
        check_tls_choice(address, tls)
        self._address = address
        self._credentials = credentials
        self._timeouts = timeouts
        self._retry = retry or RetryPolicy()
        self._adapter = BmcAdapter(self.host, tls, timeouts, max_body=max_body)
        self._client = self._make_client(address, tls)
        self._root: dict[str, Any] | None = None
        self._deadline: Deadline | None = None
        self._auth_mode: str | None = None
        self._session_path: str | None = None
        self._closed = False
        self._masked: set[str] = set()
        self._mask(credentials.password.reveal())
        quiet_library_loggers()

    def _make_client(self, address: BmcAddress, tls: TlsOptions) -> HttpClient:
        client = HttpClient(address.base_url, cafile=tls.ca_file or system_ca_bundle(),
                            check_connectivity=False, max_retry=0, proxies={})
        session = client._session
        session.trust_env = False
        session.proxies = {}
        session.mount("https://", self._adapter)
        session.mount("http://", self._adapter)
        return client

    # -- lifecycle ---------------------------------------------------------

    def open(self) -> RedfishTransport:
        """Read the ServiceRoot (unauthenticated) and log in.

        :raises HamnhwError: typed; ``AuthenticationError`` when the login is refused.
        """
        with self._scope():
            self._root = self._read_root()
            self._authenticate()
        return self

    def close(self) -> None:
        """DELETE the session (failures are logged, not raised), forget the
        secrets registered for redaction, then close connections.  Safe to call twice.

        The logout is bounded by what is left of the enclosing deadline, but
        gets at least :func:`logout_grace` (``min(connect + read, 5 s)``) even
        when that deadline has run out, so that a session is not left behind
        on the BMC; it never gets more than ``connect + read``.
        """
        if self._closed:
            return
        self._closed = True
        outer = self._deadline
        left = outer.left() if outer else self._timeouts.operation
        self._deadline = Deadline(
            min(self._timeouts.connect + self._timeouts.read,
                max(left, logout_grace(self._timeouts))), self._retry.clock)
        try:
            self._logout()
        finally:
            self._deadline = outer
            self._unmask_all()
            self._client.set_session_key(None)
            self._client.set_authorization_key(None)
            self._client._session.close()

    def _logout(self) -> None:
        if self._auth_mode != "session" or not self._session_path:
            return
        try:
            answer = self._send_once("DELETE", self._session_path)
        except HamnhwError as exc:
            LOG.warning("%s: logout failed: %s", self.host, exc)
            return
        if not answer.ok:
            LOG.warning("%s: logout DELETE %s returned HTTP %s", self.host,
                        self._session_path, answer.status)

    def _mask(self, value: str | None) -> None:
        """Register ``value`` for log redaction once for this transport."""
        if value and value not in self._masked:
            register_secret(value)
            self._masked.add(value)

    def _unmask(self, value: str | None) -> None:
        """Undo this transport's registration of ``value`` (other holders keep theirs)."""
        if value and value in self._masked:
            forget_secret(value)
            self._masked.discard(value)

    def _unmask_all(self) -> None:
        """Forget the password, basic-auth key and session token at close."""
        for value in list(self._masked):
            self._unmask(value)

    def __enter__(self) -> RedfishTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RedfishTransport(host={self.host!r}, auth={self._auth_mode or 'none'!r})"

    __str__ = __repr__

    # -- RedfishClient ---------------------------------------------------------

    @property
    def root(self) -> Mapping[str, Any]:
        """The ServiceRoot read by :meth:`open`."""
        if self._root is None:
            raise HamnhwError("transport not opened", host=self.host)
        return self._root

    @contextlib.contextmanager
    def operation(self, seconds: float | None = None) -> Iterator[None]:
        """One overall deadline (default ``Timeouts.operation``) for the block;
        nested blocks can only shorten it."""
        seconds = seconds if seconds is not None else self._timeouts.operation
        check_seconds(seconds, "operation deadline")
        outer = self._deadline
        self._deadline = (outer.narrowed(seconds) if outer
                          else Deadline(seconds, self._retry.clock))
        try:
            yield
        finally:
            self._deadline = outer

    @contextlib.contextmanager
    def within(self, deadline: Deadline) -> Iterator[None]:
        """Adopt ``deadline`` for the block (an enclosing one that expires
        first still wins); :meth:`close` inside the block spends what is left
        of it, plus the logout grace."""
        outer = self._deadline
        self._deadline = outer if outer and outer.expires <= deadline.expires else deadline
        try:
            yield
        finally:
            self._deadline = outer

    def get(self, path: str) -> dict[str, Any]:
        """GET a JSON object (retried on connection errors and 5xx)."""
        with self._scope():
            answer = self._get_with_retry(path)
            self._raise_for_status(answer, "GET", path)
            doc = parse_json(answer.body, answer.content_type, host=self.host, path=path)
        if not isinstance(doc, dict):
            raise MalformedResponse(f"expected a JSON object, got {type(doc).__name__}",
                                    host=self.host, uri=path)
        return doc

    def get_response(self, path: str) -> RedfishResponse:
        """GET keeping status and headers (task monitors), retried like :meth:`get`;
        the body is None when empty."""
        with self._scope():
            answer = self._get_with_retry(path)
            self._raise_for_status(answer, "GET", path)
            parsed = parse_json(answer.body, answer.content_type, host=self.host, path=path)
        return RedfishResponse(answer.status, answer.headers, parsed, path)

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> RedfishResponse:
        """POST exactly once."""
        return self._send_unsafe("POST", path, dict(body or {}))

    def patch(self, path: str, body: Mapping[str, Any],
              etag: str | None = None) -> RedfishResponse:
        """PATCH exactly once, with ``If-Match`` when ``etag`` is given."""
        headers = {"If-Match": etag} if etag else None
        return self._send_unsafe("PATCH", path, dict(body), headers)

    def delete(self, path: str) -> RedfishResponse:
        """DELETE exactly once."""
        return self._send_unsafe("DELETE", path)

    def put(self, path: str, body: Mapping[str, Any],
            etag: str | None = None) -> RedfishResponse:
        """PUT exactly once, with ``If-Match`` when ``etag`` is given."""
        headers = {"If-Match": etag} if etag else None
        return self._send_unsafe("PUT", path, dict(body), headers)

    def stream(self, path: str, read_timeout: float) -> AbstractContextManager[Stream]:
        """A long-lived GET (an SSE stream) on its own connection with this transport's TLS
        choice and session; see :func:`hamnhw.transport.stream.open_stream`."""
        key = self._client.get_session_key()
        auth = {"X-Auth-Token": key} if key else (
            {"Authorization": self._client.get_authorization_key() or ""})
        return open_stream(self._address.base_url, path, self.host, self._adapter.tls, auth,
                           self._timeouts.connect, read_timeout)

    # -- requests --------------------------------------------------------------

    @contextlib.contextmanager
    def _scope(self) -> Iterator[None]:
        if self._deadline is not None:
            yield
        else:
            with self.operation():
                yield

    def _send_unsafe(self, method: str, path: str, body: dict[str, Any] | None = None,
                     headers: dict[str, str] | None = None) -> RedfishResponse:
        with self._scope():
            answer = self._send_authenticated(method, path, body, headers)
            self._raise_for_status(answer, method, path)
            parsed = parse_json(answer.body, answer.content_type, host=self.host, path=path)
        return RedfishResponse(answer.status, answer.headers, parsed, path)

    def _send_once(self, method: str, path: str, body: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Answer:
        """One request through the library, no retry, errors mapped."""
        deadline = self._deadline
        assert deadline is not None, "requests run inside an operation scope"
        self._adapter.deadline = deadline
        try:
            # _rest_request rather than get()/post(): redirects must not be followed,
            # they would carry X-Auth-Token to wherever the BMC points.
            response = self._client._rest_request(path, method=method, body=body,
                                                  headers=headers, allow_redirects=False,
                                                  max_retry=0)
        except (RetriesExhaustedError, *TRANSPORT_FAILURES) as exc:
            raise map_exception(exc, host=self.host, method=method, path=path,
                                elapsed_s=deadline.elapsed()) from None
        finally:
            self._adapter.deadline = None
        raw = response._http_response
        LOG.debug("%s %s %s -> HTTP %s", self.host, method, path, response.status)
        return Answer(response.status, CaseInsensitiveDict(raw.headers), raw.content or b"")

    def _send_authenticated(self, method: str, path: str, body: dict[str, Any] | None = None,
                            headers: dict[str, str] | None = None) -> Answer:
        """Send once; on a 401 re-login once, re-send only a GET."""
        answer = self._send_once(method, path, body, headers)
        if answer.status != 401 or self._auth_mode is None:
            return answer
        if self._auth_mode == "basic":
            raise credentials_rejected(self.host, 401)
        LOG.info("%s: %s %s got HTTP 401; logging in again", self.host, method, path)
        self._authenticate()
        if method != "GET":
            raise SessionExpired(
                f"{method} {path} was rejected with HTTP 401 (session expired); logged in "
                "again but did not re-send it: read state before retrying", host=self.host)
        answer = self._send_once(method, path, body, headers)
        if answer.status == 401:
            raise credentials_rejected(self.host, 401)
        return answer

    def _get_with_retry(self, path: str) -> Answer:
        attempt = 1
        while True:
            try:
                answer = self._send_authenticated("GET", path)
                if answer.status >= 500:
                    raise http_error(answer.status, answer.body, host=self.host,
                                     method="GET", path=path)
                return answer
            except (ServerSideError, BmcUnreachable, ConnectionDropped) as exc:
                delay = self._retry.delay(attempt)
                if (isinstance(exc, TlsError) or attempt >= self._retry.max_attempts
                        or not self._deadline or not self._deadline.allows(delay)):
                    raise
                LOG.info("%s: GET %s failed (%s); retry %d in %.1fs", self.host, path,
                         exc.message, attempt, delay)
                self._retry.sleep(delay)
                attempt += 1

    def _raise_for_status(self, answer: Answer, method: str, path: str) -> None:
        if answer.ok:
            return
        if answer.status == 401:
            raise credentials_rejected(self.host, 401)
        raise http_error(answer.status, answer.body, host=self.host, method=method, path=path)

    # -- authentication ----------------------------------------------------------

    def _read_root(self) -> dict[str, Any]:
        answer = self._get_with_retry(ROOT_PATH)
        if answer.status == 401:
            LOG.warning("%s: ServiceRoot refused without credentials (HTTP 401)", self.host)
            return {}
        self._raise_for_status(answer, "GET", ROOT_PATH)
        root = parse_json(answer.body, answer.content_type, host=self.host, path=ROOT_PATH)
        if not isinstance(root, dict):
            raise MalformedResponse("ServiceRoot is not a JSON object", host=self.host,
                                    uri=ROOT_PATH)
        return root

    def _authenticate(self) -> None:
        self._unmask(self._client.get_session_key())
        self._client.set_session_key(None)
        self._client.set_authorization_key(None)
        sessions = sessions_path(self._root or {})
        if sessions is None:
            LOG.info("%s: no SessionService; using basic auth", self.host)
            self._use_basic()
            return
        login = {"UserName": self._credentials.username,
                 "Password": self._credentials.password.reveal()}
        answer = self._send_once("POST", sessions, login)
        if answer.status in (401, 403):
            raise credentials_rejected(self.host, answer.status)
        self._raise_for_status(answer, "POST", sessions)
        token = answer.headers.get("X-Auth-Token")
        if not token:
            LOG.info("%s: login answered HTTP %s without X-Auth-Token; using basic auth",
                     self.host, answer.status)
            self._use_basic()
            return
        self._mask(token)
        self._client.set_session_key(token)
        self._session_path = session_path(answer)
        self._auth_mode = "session"
        LOG.debug("%s: session created at %s", self.host, self._session_path)

    def _use_basic(self) -> None:
        pair = f"{self._credentials.username}:{self._credentials.password.reveal()}"
        key = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        self._mask(key)
        self._client.set_authorization_key(f"Basic {key}")
        self._session_path = None
        self._auth_mode = "basic"
