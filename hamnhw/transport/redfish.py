"""``RedfishTransport``: the :class:`~hamnhw.transport.base.RedfishClient`.

* Every request goes through hamnhw's :class:`~hamnhw.transport.adapter.BmcAdapter`:
  TLS choice, timeouts bounded by the operation deadline, streamed, decoded and
  size-capped bodies, over the BMC's own keep-alive connections; no proxy and no
  environment variable is ever consulted (``HTTPS_PROXY`` never sees BMC credentials,
  ``REQUESTS_CA_BUNDLE`` never overrides the TLS choice), no redirect is followed.
* The request headers are python-redfish-library's (``OData-Version``, ``Accept``, the
  session token or basic key), built here without importing it; its ``HttpClient``, with
  every unsafe default set (a ``cafile``, because it hard-codes ``verify=False``
  otherwise; ``max_retry=0``, because it re-sends any request, POSTs included, on any
  exception; ``proxies={}``, ``trust_env=False``; the adapter mounted), is built only for
  a caller that asks for it (:attr:`RedfishTransport.library_client`).
* Every path is checked to stay on the BMC the user named
  (:func:`~hamnhw.transport.paths.bmc_path`).
* GETs are retried (5xx, dropped or refused connections: bounded, never past the
  deadline, each retry logged as a warning); POST, PATCH and DELETE are sent
  exactly once.  ``docs/retries.md`` lists every retry.  The send path (the gate, the
  deadline, retries, the 401 rules) is :class:`~hamnhw.transport.sending.RequestSending`,
  this class's base.
* Session login with fallback to basic auth (:mod:`hamnhw.transport.auth`): one
  re-login per 401 and per request; a GET answered 401 is re-sent once after it, a
  POST/PATCH/DELETE never (:class:`SessionExpired`).
* A BMC that never sent an HTTP answer during this transport's life is
  :class:`BmcUnreachable` even when it accepted the TCP connection; after one
  answer, a hang is :class:`BmcTimeout`.

Threads: one transport may serve several threads.  Each thread's operation deadline
is its own (a context variable).  Requests pass a per-transport gate
(:class:`~hamnhw.transport.gate.RequestGate`): a few in flight at once (independent
reads of one command, each on its own keep-alive connection), while a re-login after a
401 and the logout hold it alone (no request is in flight with a token being replaced,
and of several threads meeting the same expired session one logs in again, the others
re-send with the new session); waiting at the gate is bounded by the waiting thread's
deadline.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from hamnhw import interrupts, parallel
from hamnhw.address import BmcAddress
from hamnhw.connection import Credentials, Timeouts, TlsOptions
from hamnhw.deadline import Deadline
from hamnhw.errors import HamnhwError, MalformedResponse
from hamnhw.log import get_logger, quiet_library_loggers
from hamnhw.transport.adapter import MAX_BODY_BYTES, BmcAdapter
from hamnhw.transport.auth import Authenticator
from hamnhw.transport.base import RedfishClient, RedfishResponse
from hamnhw.transport.client import DeadlineScope
from hamnhw.transport.errormap import parse_json
from hamnhw.transport.gate import RequestGate
from hamnhw.transport.masks import SecretMasks
from hamnhw.transport.paths import bmc_path
from hamnhw.transport.retry import RetryPolicy
from hamnhw.transport.sending import RequestSending
from hamnhw.transport.session import EarlyLogin, logout_grace, sessions_path
from hamnhw.transport.tlschoice import check_tls_choice
from hamnhw.transport.watchdog import spared_from_abort

if TYPE_CHECKING:
    from redfish.rest.v1 import HttpClient

    from hamnhw.transport.stream import Stream

LOG = get_logger(__name__)

ROOT_PATH = "/redfish/v1/"

QUICK_ROOT_S = parallel.QUICK_ANSWER_S
"""A ServiceRoot answered within this many seconds (a local simulator, a BMC on a fast
LAN): the next connection of the process reads its ServiceRoot first and logs in after, on
one connection, instead of sending the login beside it on a second one (a TLS handshake
more to save a round trip this short; :data:`hamnhw.parallel.QUICK_ANSWER_S`)."""


class RootPace:
    """How long the recent ServiceRoot GETs of this process took, whichever the BMC (a
    fleet is read at one pace): whether the next connection sends its login beside its
    ServiceRoot's GET.

    The quickest of the last :attr:`WINDOW` within :attr:`MAX_AGE_S` decides, not the last
    alone: under a busy fan-out a loopback or LAN ServiceRoot can take longer than
    :data:`QUICK_ROOT_S` only because its thread waited for the CPU, and a second
    connection is then CPU spent to save no round trip.  An answer older than
    :attr:`MAX_AGE_S` no longer counts (a process kept running, an exporter, reads other
    BMCs at another time).

    :param clock: monotonic seconds (tests).
    """

    WINDOW = 8
    MAX_AGE_S = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._recent: collections.deque[tuple[float, float]] = collections.deque(
            maxlen=self.WINDOW)
        """(when, seconds) of the recent ServiceRoot GETs."""

    def quickest_s(self) -> float | None:
        """Seconds the quickest of the recent ServiceRoot GETs took (None: none yet)."""
        oldest = self._clock() - self.MAX_AGE_S
        with self._lock:
            recent = [seconds for when, seconds in self._recent if when >= oldest]
        return min(recent) if recent else None

    def quick(self) -> bool:
        """True when one of the recent ServiceRoots was answered within
        :data:`QUICK_ROOT_S`."""
        return parallel.answers_quickly(self.quickest_s())

    def note(self, seconds: float) -> None:
        """Remember that a ServiceRoot GET took ``seconds``."""
        with self._lock:
            self._recent.append((self._clock(), seconds))

    def forget(self) -> None:
        """As a fresh process: no ServiceRoot answered yet."""
        with self._lock:
            self._recent.clear()

    def timed(self, read: Callable[[], None]) -> float:
        """``read()``, remembering how long it took when it did not fail; returns that."""
        began = time.perf_counter()
        read()
        seconds = time.perf_counter() - began
        self.note(seconds)
        return seconds


ROOT_PACE = RootPace()


class RedfishTransport(RequestSending, RedfishClient):
    """A Redfish service reached over HTTP(S).

    :param address: the BMC (``redfish://`` ... URL, parsed).
    :param credentials: login; the password is registered for log redaction.
    :param tls: certificate checking.
    :param timeouts: connect/read per request, and the default operation deadline.
    :param retry: retry policy (clock and sleep injectable).
    :param max_body: response size cap, bytes (decoded).
    """

    def __init__(self, address: BmcAddress, credentials: Credentials, tls: TlsOptions,
                 timeouts: Timeouts, *, retry: RetryPolicy | None = None,
                 max_body: int = MAX_BODY_BYTES) -> None:
        self.host = address.netloc
        context = check_tls_choice(address, tls)
        self._address = address
        self._timeouts = timeouts
        self._retry = retry or RetryPolicy()
        self._adapter = BmcAdapter(self.host, tls, timeouts, max_body=max_body,
                                   context=context)
        self._base_url = address.base_url
        self._session_key: str | None = None
        self._authorization_key: str | None = None
        self._library_client: HttpClient | None = None
        self._root: dict[str, Any] | None = None
        self.root_pace_s: float | None = None
        """The process's ServiceRoot pace when this transport read its own
        (:meth:`RootPace.quickest_s`, a new connection's handshake included; None before):
        the first verdict on whether this BMC answers quickly enough to be read one
        request after the other (:mod:`hamnhw.readmemo`)."""
        self._deadlines = DeadlineScope(timeouts.operation, self._retry.clock)
        self._gate = RequestGate()
        self._answered = False
        self._closed = False
        self._uncount: weakref.finalize | None = None
        """Set once counted among the BMCs open in the process
        (:func:`hamnhw.parallel.bmc_opened`): called, it uncounts it (once)."""
        self._masks = SecretMasks()
        self._masks.add(credentials.password.reveal())
        self._auth = Authenticator(self, credentials, self._retry, self._masks,
                                   logout_grace(timeouts))
        quiet_library_loggers()

    @property
    def library_client(self) -> HttpClient:
        """python-redfish-library's ``HttpClient`` on this BMC with every unsafe default
        set, holding this transport's session (built, and the library imported, on first
        use; hamnhw itself sends without it)."""
        if self._library_client is None:
            from hamnhw.transport.library import safe_library_client

            self._library_client = safe_library_client(self._address, self._adapter)
            self._library_client.set_session_key(self._session_key)
            self._library_client.set_authorization_key(self._authorization_key)
        return self._library_client

    # -- lifecycle ---------------------------------------------------------

    def open(self) -> RedfishTransport:
        """Read the ServiceRoot (unauthenticated) and log in.

        The login goes out beside the ServiceRoot's GET, to the sessions collection
        DSP0266 fixes (:meth:`_read_root_logging_in`); the ServiceRoot then says what its
        answer means (:meth:`Authenticator.login <hamnhw.transport.auth.Authenticator.
        login>`).  When the ServiceRoot cannot be read, its error is raised whatever the
        login answered (a session it made is kept for :meth:`close` to delete).

        :raises HamnhwError: typed; ``AuthenticationError`` when the login is refused.
        """
        if self._uncount is None:  # many open at once: no reads side by side
            parallel.bmc_opened()
            # close() uncounts it; so does its collection, should it never be closed
            self._uncount = weakref.finalize(self, parallel.bmc_closed)
        with self._scope(), self._unanswered_is_unreachable():
            early = EarlyLogin()
            try:
                self._root = self._read_root_logging_in(early)
            except BaseException:
                with interrupts.deferred():
                    self._auth.keep_early(early)
                raise
            try:
                self._auth.login(self._root, early if early.sent else None)
            except BaseException:  # an interrupt before the early answer was taken
                with interrupts.deferred():
                    if self._auth.mode is None:
                        self._auth.keep_early(early)
                raise
        return self

    def _read_root_logging_in(self, early: EarlyLogin) -> dict[str, Any]:
        """GET the ServiceRoot in a helper thread while this one POSTs the login to the
        fixed sessions collection into ``early`` (:func:`hamnhw.parallel.beside`): one
        round trip instead of two.  Where no helper is to be had (a busy fan-out reads
        each BMC alone), or ServiceRoots answer quickly here (:data:`QUICK_ROOT_S`), the
        ServiceRoot is read first and the login is not sent here."""
        root: list[dict[str, Any]] = []
        answered = self._answered  # a hung ServiceRoot is unreachable whatever the login got

        def read() -> None:
            with self._unanswered_is_unreachable(answered):
                root.append(self._read_root())

        def read_root() -> None:
            ROOT_PACE.timed(read)
            self.root_pace_s = ROOT_PACE.quickest_s()

        def log_in() -> None:
            if not root:  # the ServiceRoot read first (alone) says where to log in
                self._auth.post_early(early)

        if ROOT_PACE.quick():
            read_root()
        else:
            parallel.beside(log_in, read_root)
        return root[0]

    def close(self) -> None:
        """DELETE the session (failures are logged, not raised), forget the
        secrets registered for redaction, then close connections.  Safe to call twice.

        The logout gets its own deadline, :func:`logout_grace`
        (``min(connect + read, 5 s)``), whatever is left of the enclosing one: a
        session is not left behind on the BMC when the operation ran out, and a
        logout never stretches a command by more than the grace.  An enclosing deadline
        may bound it further (:meth:`Deadline.logout_deadline
        <hamnhw.deadline.Deadline.logout_deadline>`: a CLI command ends by its
        ``--timeout``, logout included).
        """
        if self._closed:
            return
        self._closed = True
        try:
            with self._deadlines.adopted(
                    self._deadlines.logout_deadline(logout_grace(self._timeouts))) as deadline, \
                    self._gate.alone_for_logout(deadline, self.host), \
                    spared_from_abort(logout_grace(self._timeouts)):  # not cut by an abort
                self._auth.logout()
        finally:
            if self._uncount is not None:
                self._uncount()
            self._masks.clear()
            self._adapter.close()
            if self._library_client is not None:
                self._library_client._session.close()

    def __enter__(self) -> RedfishTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RedfishTransport(host={self.host!r}, auth={self._auth.mode or 'none'!r})"

    __str__ = __repr__

    # -- RedfishClient ---------------------------------------------------------

    @property
    def session_path(self) -> str | None:
        """The path of the Redfish session this transport holds (``/redfish/v1/
        SessionService/Sessions/7``), None with basic auth or before :meth:`open`.

        A caller that must delete a session a crashed process left behind keeps it (the
        failover journal does)."""
        return self._auth.session_path if self._auth.mode == "session" else None

    def delete_session(self, path: str) -> RedfishResponse:
        """DELETE another session of this account (one a crashed process left), exactly
        once.  Refuses anything but a member of the ServiceRoot's session collection, and
        this transport's own session (:meth:`close` logs that one out).

        :raises ValueError: ``path`` is not another session of the SessionService.
        """
        collection = sessions_path(self._root or {})
        member = collection is not None and path.startswith(collection.rstrip("/") + "/")
        if not member or path == self.session_path:
            raise ValueError(f"{path!r} is not another session of {self.host}'s "
                             "SessionService")
        return self._send_unsafe("DELETE", path)

    @property
    def root(self) -> Mapping[str, Any]:
        """The ServiceRoot read by :meth:`open`."""
        if self._root is None:
            raise HamnhwError("transport not opened", host=self.host)
        return self._root

    @contextlib.contextmanager
    def operation(self, seconds: float | None = None) -> Iterator[None]:
        """One overall deadline (default ``Timeouts.operation``) for the block;
        nested blocks can only shorten it.  The deadline belongs to the calling
        thread: another thread's block on the same transport does not change it."""
        with self._deadlines.operation(seconds):
            yield

    @contextlib.contextmanager
    def within(self, deadline: Deadline) -> Iterator[None]:
        """Adopt ``deadline`` for the block (an enclosing one that expires
        first still wins)."""
        with self._deadlines.within(deadline):
            yield

    def get(self, path: str) -> dict[str, Any]:
        """GET a JSON object (retried on 5xx, dropped and refused connections; re-sent
        once after a fresh login when answered 401)."""
        answer = self._read_answer(path)
        doc = parse_json(answer.body, answer.content_type, host=self.host, path=path)
        if not isinstance(doc, dict):
            raise MalformedResponse(f"expected a JSON object, got {type(doc).__name__}",
                                    host=self.host, uri=path)
        return doc

    def get_response(self, path: str) -> RedfishResponse:
        """GET keeping status and headers (task monitors), retried like :meth:`get`;
        the body is None when empty."""
        answer = self._read_answer(path)
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
        choice and session; see :func:`hamnhw.transport.stream.open_stream`.

        :raises MalformedResponse: ``path`` leads off the BMC (nothing is sent).
        :raises AuthenticationError: the BMC refused these credentials, now (a 401 under
            basic auth, remembered) or before (nothing is sent).
        :raises SessionExpired: a 401 under a session."""
        path = bmc_path(path, host=self.host)
        self._auth.check_refused()
        key = self._session_key
        auth = {"X-Auth-Token": key} if key else (
            {"Authorization": self._authorization_key or ""})
        from hamnhw.transport.stream import open_stream  # requests: only for a stream

        return open_stream(self._address.base_url, path, self.host, self._adapter.tls, auth,
                           self._timeouts.connect, read_timeout,
                           on_401=lambda: self._auth.stream_refused(path))

    # -- what the authenticator needs (auth.Sender) beside _send_once ---------------

    @contextlib.contextmanager
    def _narrowed(self, seconds: float) -> Iterator[None]:
        """The block gets at most ``seconds`` more (never more than the current deadline)."""
        with self._deadlines.operation(seconds):
            yield

    def _last_headers(self) -> Mapping[str, str] | None:
        """The headers of this thread's last answer, even one whose body could not be read."""
        return self._adapter.last_headers

    def _set_keys(self, session: str | None, authorization: str | None) -> None:
        self._session_key, self._authorization_key = session, authorization
        if self._library_client is not None:
            self._library_client.set_session_key(session)
            self._library_client.set_authorization_key(authorization)

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
