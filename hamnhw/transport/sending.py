"""The send path of :class:`~hamnhw.transport.redfish.RedfishTransport`.

:class:`RequestSending` is the transport's base class for sending one request and for
the rules around it:

* Every request passes the transport's request gate
  (:class:`~hamnhw.transport.gate.RequestGate`) under the calling thread's operation
  deadline, goes straight to hamnhw's :class:`~hamnhw.transport.adapter.BmcAdapter` with
  python-redfish-library's headers (``OData-Version``, ``Accept``, the session token or
  basic key), follows no redirect, and stays on the BMC the user named
  (:func:`~hamnhw.transport.paths.bmc_path`).
* GETs are retried (5xx, dropped or refused connections: bounded by
  :class:`~hamnhw.transport.retry.RetryPolicy`, never past the deadline, each retry
  logged as a warning; never after a timeout, a connect's included:
  :data:`~hamnhw.transport.retry.NOT_RETRIED`); POST, PATCH, PUT and DELETE are sent
  exactly once.
* A 401 leads to one re-login holding the gate alone: a GET is then re-sent once, a
  POST/PATCH/PUT/DELETE never (:class:`~hamnhw.errors.SessionExpired`).  Once a login
  was refused, nothing more is sent: every request raises that refusal again.
* A timeout of a BMC that never sent an HTTP answer (no status line) is
  :class:`~hamnhw.errors.BmcUnreachable`; one after the status line and headers came is
  a :class:`~hamnhw.errors.BmcTimeout` saying the body stalled (``headers_came``).

Warnings are logged under ``hamnhw.transport.redfish``, as the rest of the transport's.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

from hamnhw import noanswer
from hamnhw.deadline import Deadline
from hamnhw.errors import (
    BmcTimeout,
    BmcUnreachable,
    ConnectionDropped,
    ServerSideError,
    SessionExpired,
    TlsError,
)
from hamnhw.log import get_logger
from hamnhw.transport.adapter import BmcAdapter, Reply
from hamnhw.transport.auth import Authenticator
from hamnhw.transport.base import RedfishResponse
from hamnhw.transport.client import DeadlineScope
from hamnhw.transport.errormap import (
    credentials_rejected,
    http_error,
    is_transport_failure,
    map_exception,
    parse_json,
)
from hamnhw.transport.gate import GateTimeout, RequestGate, waited_too_long
from hamnhw.transport.loginanswers import access_denied, seconds_text
from hamnhw.transport.paths import bmc_path
from hamnhw.transport.retry import NOT_RETRIED, RetryPolicy
from hamnhw.transport.session import Answer

LOG = get_logger("hamnhw.transport.redfish")
_USER_AGENT = "hamnhw python/{}.{}.{}".format(*sys.version_info[:3])
"""The User-Agent of every request (some BMCs refuse a request without one)."""
_ODATA_VERSION = "4.0"
"""The ``OData-Version`` header python-redfish-library sends (Redfish requires 4.0)."""


class RequestSending:
    """Sending requests of one Redfish transport: the gate, the deadline, GET retries,
    exactly-once unsafe methods and the 401 rules.  The transport sets the attributes
    below in its ``__init__``."""

    host: str
    _retry: RetryPolicy
    _adapter: BmcAdapter
    _base_url: str
    _session_key: str | None
    _authorization_key: str | None
    _deadlines: DeadlineScope
    _gate: RequestGate
    _auth: Authenticator
    _answered: bool
    _closed: bool

    @property
    def _deadline(self) -> Deadline | None:
        """The operation deadline of the calling thread, if any."""
        return self._deadlines.current

    def _scope(self) -> contextlib.AbstractContextManager[Deadline]:
        """The deadline in force for the block (a default one outside any), as
        :meth:`DeadlineScope.scope` gives it: not wrapped in a second generator, which every
        request would pay for."""
        return self._deadlines.scope()

    def deadline_scope(self) -> contextlib.AbstractContextManager[Deadline]:
        """:meth:`BmcClient.deadline_scope <hamnhw.transport.client.BmcClient.deadline_scope>`:
        the deadline in force for the block, else one ``Timeouts.operation`` deadline for
        the whole block."""
        return self._deadlines.scope()

    def _allows(self, seconds: float) -> bool:
        deadline = self._deadline
        return deadline is not None and deadline.allows(seconds)

    @contextlib.contextmanager
    def _unanswered_is_unreachable(self, answered: bool | None = None) -> Iterator[None]:
        """A timeout of a BMC that never sent an HTTP answer (it accepted the TCP
        connection, maybe, but nothing came) is :class:`BmcUnreachable`.

        :param answered: whether the BMC answered before (default: any answer during this
            transport's life; the ServiceRoot's GET passes what was answered before the
            login sent beside it)."""
        try:
            yield
        except BmcTimeout as exc:
            if exc.headers_came or (
                    self._answered if answered is None else answered):
                raise
            raise self._never_answered(exc) from None

    def _stalled_in_body(self, exc: BmcTimeout) -> BmcTimeout:
        """A timeout after the status line and headers came: the BMC answered (exit 1),
        it is no "never answered"."""
        self._answered = True
        stalled = BmcTimeout(f"{exc.message}: the BMC sent its status line and headers, "
                             "then stalled before the body's end", host=self.host,
                             deadline_passed=exc.deadline_passed, headers_came=True,
                             reason=noanswer.ANSWER_CUT)
        stalled.elapsed_s = exc.elapsed_s  # already in the message
        return stalled

    def _never_answered(self, exc: BmcTimeout) -> BmcUnreachable:
        """What a timeout is when the BMC never sent an HTTP answer (its reason kept: on a
        new connection it accepted, or connecting)."""
        never = BmcUnreachable(f"{exc.message}: the BMC never sent an HTTP answer",
                               host=self.host, reason=exc.reason)
        never.elapsed_s = exc.elapsed_s  # already in the message
        return never

    def _send_unsafe(self, method: str, path: str, body: dict[str, Any] | None = None,
                     headers: dict[str, str] | None = None) -> RedfishResponse:
        with self._scope(), self._unanswered_is_unreachable():
            answer = self._send_once(method, path, body, headers)
            if answer.status == 401 and self._auth.mode:
                self._renew(answer, method, path)
                raise SessionExpired(
                    f"{method} {path} was rejected with HTTP 401 (session expired); logged "
                    "in again but did not re-send it: read state before retrying",
                    host=self.host)
            self._raise_for_status(answer, method, path)
            parsed = parse_json(answer.body, answer.content_type, host=self.host, path=path)
        return RedfishResponse(answer.status, answer.headers, parsed, path)

    def _renew(self, answer: Answer, method: str, path: str) -> None:
        """Handle a 401 (:meth:`Authenticator.renew`) holding the gate alone throughout,
        so that no request is in flight between the old session's DELETE and the new
        login, and another thread that met the same 401 finds the new session made."""
        deadline = self._deadline
        assert deadline is not None, "requests run inside an operation scope"
        with self._gate.exclusive_or_timeout(deadline, self.host, f"{method} {path}"):
            if self._closed:
                raise SessionExpired(f"{method} {path} was rejected with HTTP 401 after the "
                                     "logout began; not logging in again", host=self.host)
            self._auth.renew(answer.generation, method, path, answer)

    def _send_once(self, method: str, path: str, body: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Answer:
        """One request through the library, no retry, errors mapped.

        :raises MalformedResponse: ``path`` leads off the BMC (nothing is sent).
        :raises AuthenticationError: the BMC refused the credentials earlier on this
            transport (nothing is sent, :meth:`Authenticator.check_refused`).
        """
        self._auth.check_refused()
        deadline = self._deadlines.current  # not through _deadline: on every request
        assert deadline is not None, "requests run inside an operation scope"
        path = bmc_path(path, host=self.host)
        try:  # the gate's request place, taken and given back without a context manager
            counted = self._gate.enter(deadline)
        except GateTimeout:
            raise waited_too_long(deadline, self.host, f"{method} {path}") from None
        try:
            generation = self._auth.generation
            in_flight = self._adapter.in_flight  # the adapter's deadline, set directly
            in_flight.deadline = deadline
            try:
                raw = self._send_direct(method, path, body, headers)
            except Exception as exc:
                if not is_transport_failure(exc):
                    raise
                error = map_exception(exc, host=self.host, method=method, path=path,
                                      elapsed_s=deadline.elapsed(), deadline=deadline)
                if in_flight.last_headers is not None and isinstance(error, BmcTimeout):
                    error = self._stalled_in_body(error)  # the status line came
                raise error from None
            finally:
                in_flight.deadline = None
            self._answered = True
            if 200 <= raw.status < 300 and self._auth.mode:
                self._auth.confirmed = True
        finally:
            self._gate.leave(counted)
        LOG.debug("%s %s %s -> HTTP %s", self.host, method, path, raw.status)
        return Answer(raw.status, raw.headers, raw.content, generation)

    def _send_direct(self, method: str, path: str, body: dict[str, Any] | None,
                     headers: dict[str, str] | None) -> Reply:
        """Hand the request straight to hamnhw's adapter: python-redfish-library's headers
        (the session token or basic key, ``OData-Version``, ``Accept``), a JSON body, no
        redirect followed (it would carry X-Auth-Token to wherever the BMC points), no
        retry."""
        sent = {"User-Agent": _USER_AGENT, "OData-Version": _ODATA_VERSION,
                **(headers or {})}
        if self._session_key:
            sent["X-Auth-Token"] = self._session_key
        elif self._authorization_key:
            sent["Authorization"] = self._authorization_key
        if "Accept" not in sent:
            sent["Accept"] = "*/*"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
            sent["Content-Length"] = str(len(data))
        elif method in ("POST", "PATCH", "PUT"):
            sent["Content-Length"] = "0"
        return self._adapter.send(method, self._base_url, path.replace("//", "/"), sent, data)

    def _get_with_retry(self, path: str) -> Answer:
        """GET, retried on 5xx and dropped connections (backoff) and refused connections
        (briefly, at a fixed pace), not after a connect that timed out or found no route
        (:data:`~hamnhw.transport.retry.NOT_RETRIED`); each retry is a warning."""
        attempt = 1
        while True:
            try:
                answer = self._send_once("GET", path)
                if answer.status >= 500:
                    raise http_error(answer.status, answer.body, host=self.host,
                                     method="GET", path=path)
                return answer
            except (ServerSideError, BmcUnreachable, ConnectionDropped) as exc:
                refused = isinstance(exc, BmcUnreachable) and exc.refused
                limit = self._retry.refused_attempts if refused else self._retry.max_attempts
                delay = self._retry.refused_delay if refused else self._retry.delay(attempt)
                if (isinstance(exc, TlsError) or getattr(exc, "reason", None) in NOT_RETRIED
                        or attempt >= limit or not self._allows(delay)):
                    raise
                LOG.warning("%s; retrying in %s, %d/%d", exc, seconds_text(delay),
                            attempt + 1, limit)
                self._retry.sleep(delay)
                attempt += 1

    def _read_answer(self, path: str) -> Answer:
        """:meth:`_get_answer` under the deadline in force (a default one outside any
        block), a timeout of a BMC that never answered being :class:`BmcUnreachable`.

        The hot path of every read: :meth:`_scope` and :meth:`_unanswered_is_unreachable`
        written out (two generator context managers less per GET, measured)."""
        if self._deadlines.current is None:
            with self._deadlines.operation():
                return self._read_answer(path)
        try:
            return self._get_answer(path)
        except BmcTimeout as exc:
            if self._answered or exc.headers_came:
                raise
            raise self._never_answered(exc) from None

    def _get_answer(self, path: str) -> Answer:
        """A 2xx answer to a GET: retried (:meth:`_get_with_retry`); a 401 leads to one
        fresh login and one re-send, a second 401 is :class:`AccessDenied`."""
        answer = self._get_with_retry(path)
        if answer.status == 401 and self._auth.mode:
            self._renew(answer, "GET", path)
            answer = self._get_with_retry(path)
            if answer.status == 401:
                raise access_denied(answer, host=self.host, method="GET", path=path,
                                    why="refused again after a fresh login")
        self._raise_for_status(answer, "GET", path)
        return answer

    def _raise_for_status(self, answer: Answer, method: str, path: str) -> None:
        if answer.ok:
            return
        if answer.status == 401:
            raise credentials_rejected(self.host, 401)
        raise http_error(answer.status, answer.body, host=self.host, method=method, path=path)
