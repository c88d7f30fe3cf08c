"""Logging in, logging in again and logging out: the session rules of the Redfish transport.

* The login is POSTed to the collection DSP0266 fixes,
  ``/redfish/v1/SessionService/Sessions``, while the ServiceRoot is still being read
  (:meth:`Authenticator.post_early`, sent by the transport beside the ServiceRoot's GET);
  :meth:`Authenticator.login` then judges its outcome against the ServiceRoot: where the
  root names exactly that collection it is the login's first attempt (a POST left
  unanswered there is raised, never followed by another); where it names another one (or
  no SessionService), a 2xx carrying a session token is kept, and anything else leaves the
  login to go on from the root as without it (``docs/retries.md``, "Where the login goes").
* A login is a POST to the sessions collection, tried at most
  :attr:`~hamnhw.transport.retry.RetryPolicy.login_attempts` times, the second time only
  after an answer that created no session (503, 429, a refused connection), never after a
  timeout or a dropped connection (the BMC may have created a session we never heard of).
* A 503 saying the session limit is reached falls back to basic auth when the BMC accepts
  it (the fence needs a way in), checked with one GET.
* No SessionService, or a login answer without ``X-Auth-Token``: basic auth.
* A 401 on a session leads to one fresh login per request: the superseded session is
  DELETEd first (best effort, within the logout grace, with its own token), then a new one
  is made.  Later re-logins of a long-running caller are spaced by
  :attr:`~hamnhw.transport.retry.RetryPolicy.relogin_interval`; a 401 sooner than that is
  :class:`~hamnhw.errors.AccessDenied`, as is a 401 on a GET re-sent after a fresh login.
* With basic auth every request carries the credentials, so a 401 is their refusal, even
  after earlier requests were accepted (the password rotated, the account disabled): an
  :class:`~hamnhw.errors.AuthenticationError`, remembered as below.  An account that may
  not do something is answered 403 (:class:`~hamnhw.errors.AccessDenied`, DSP0266).
* A login the BMC refused (credentials rejected) is remembered for the rest of the
  transport's life: every later request raises the same
  :class:`~hamnhw.errors.AuthenticationError` without sending anything (no second refused
  login toward the account's lockout, as a poll would send one every ``relogin_interval``).
  A new transport tries again (the operator fixed the password).
"""

from __future__ import annotations

import base64
import contextlib
import threading
from collections.abc import Mapping
from typing import Any, Protocol

from hamnhw import interrupts
from hamnhw.connection import Credentials
from hamnhw.errors import AuthenticationError, BmcUnreachable, HamnhwError, SessionExpired
from hamnhw.log import get_logger
from hamnhw.transport.errormap import credentials_rejected, http_error
from hamnhw.transport.loginanswers import access_denied, retry_after, seconds_text, session_limit
from hamnhw.transport.masks import SecretMasks
from hamnhw.transport.retry import RetryPolicy
from hamnhw.transport.session import (
    DEFAULT_SESSIONS_PATH,
    Answer,
    EarlyLogin,
    fixed_collection,
    session_path,
    sessions_path,
)
from hamnhw.transport.watchdog import hurry_spared, ready_to_hurry, spared_from_abort

LOG = get_logger("hamnhw.transport.redfish")


class Sender(Protocol):
    """What the authenticator needs from the transport."""

    host: str

    def _send_once(self, method: str, path: str, body: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Answer: ...

    def _narrowed(self, seconds: float) -> contextlib.AbstractContextManager[None]: ...

    def _allows(self, seconds: float) -> bool: ...

    def _set_keys(self, session: str | None, authorization: str | None) -> None: ...

    def _last_headers(self) -> Mapping[str, str] | None: ...


class Authenticator:
    """Session (or basic) authentication of one transport.

    :param sender: the transport (sends exactly once, holds the deadline).
    :param credentials: the login.
    :param retry: login attempts, re-login spacing, clock and sleep.
    :param masks: where secrets are registered for log redaction.
    :param logout_grace: seconds a logout (or the DELETE of a superseded session) may take.
    """

    def __init__(self, sender: Sender, credentials: Credentials, retry: RetryPolicy,
                 masks: SecretMasks, logout_grace: float) -> None:
        self._sender = sender
        self._credentials = credentials
        self._retry = retry
        self._masks = masks
        self._grace = logout_grace
        self._late = threading.local()
        """``answer``: this thread's login answer, read whole before a held signal was
        raised as the login's block ended (:meth:`_send_login`)."""
        self._root: Mapping[str, Any] = {}
        self._token: str | None = None
        self._last_renewal: float | None = None
        self.mode: str | None = None
        """``"session"``, ``"basic"`` or None before the login."""
        self.session_path: str | None = None
        """Where the current session lives (DELETEd at logout)."""
        self.generation = 0
        """Counts logins: a request answered 401 under an older one needs no new login."""
        self.confirmed = False
        """True once the BMC accepted these credentials (a login, or a 2xx in basic mode)."""
        self.refused: AuthenticationError | None = None
        """The BMC's refusal of these credentials, once it refused them: raised again for
        every later request, nothing sent (:meth:`check_refused`)."""

    @property
    def host(self) -> str:
        return self._sender.host

    def check_refused(self) -> None:
        """Raise the remembered refusal of the credentials, if the BMC refused them.

        :raises AuthenticationError: the very error of the refused login (traceback reset).
        """
        if self.refused is not None:
            raise self.refused.with_traceback(None)

    def _refuse(self, exc: AuthenticationError) -> AuthenticationError:
        """Remember ``exc`` (credentials rejected) for :meth:`check_refused`."""
        self.refused = exc
        return exc

    # -- login -----------------------------------------------------------------------------

    def post_early(self, early: EarlyLogin) -> None:
        """POST the login to :data:`~hamnhw.transport.session.DEFAULT_SESSIONS_PATH` once,
        before the ServiceRoot is known, recording the outcome in ``early`` for
        :meth:`login` (whatever sending raised included; an interrupt is raised again)."""
        early.sent = True
        try:
            early.answer = self._send_login(DEFAULT_SESSIONS_PATH)
        except BaseException as exc:
            early.error, early.headers = exc, self._sender._last_headers()
            if not isinstance(exc, HamnhwError):
                raise

    def login(self, root: Mapping[str, Any], early: EarlyLogin | None = None) -> None:
        """Log in against the service described by ``root`` (the ServiceRoot).

        :param early: the login :meth:`post_early` sent while the ServiceRoot was being
            read (see the module docstring for what its outcome settles).
        :raises AuthenticationError: the BMC refused the credentials.
        :raises HamnhwError: typed, when the login could not be made.
        """
        self._root = root
        self._forget_session()
        sessions = sessions_path(root)
        if early is not None and early.answer is None and not early.unanswered:
            early = None  # its connection was refused: nothing was sent, log in afresh
        if early is not None and not fixed_collection(sessions):
            if self._settled_early(early):
                return
            early = None
        if sessions is None:
            LOG.info("%s: no SessionService; using basic auth", self.host)
            self._use_basic()
            return
        try:
            answer = self._post_login(sessions, early)
        except BaseException as exc:
            cut = early.headers if early is not None and exc is early.error else \
                self._sender._last_headers()
            with interrupts.deferred():
                self._keep_unread_session(sessions, cut)
            raise
        if answer is None:
            return
        with interrupts.deferred():  # the session is known (deleted at logout) or not made
            self._adopt(answer, sessions)

    def _settled_early(self, early: EarlyLogin) -> bool:
        """Whether the early login settles a login the ServiceRoot places elsewhere (or
        without a SessionService): only a 2xx carrying a session token does (that session
        is used).  Anything else is set aside and the login goes where the ServiceRoot
        says: an HTTP answer made no session; a POST left unanswered at a URI the service
        does not name as its sessions collection made none either, unless a token came in
        its cut answer's headers (that session is kept for the logout to delete, and what
        sending raised is raised, as for any login cut short)."""
        made = early.session_made
        if made is not None:
            with interrupts.deferred():
                self._adopt(made, DEFAULT_SESSIONS_PATH)
            return True
        answer = early.answer
        if answer is None:
            if early.headers is not None and early.headers.get("X-Auth-Token"):
                with interrupts.deferred():  # a session was made: deleted at logout
                    self._keep_unread_session(DEFAULT_SESSIONS_PATH, early.headers)
                early.outcome()  # raises what sending raised
            LOG.info("%s: %s left the login unanswered (%s); logging in where the "
                     "ServiceRoot says", self.host, DEFAULT_SESSIONS_PATH, early.error)
        else:
            LOG.debug("%s: %s answered HTTP %s%s; logging in where the ServiceRoot says",
                      self.host, DEFAULT_SESSIONS_PATH, answer.status,
                      "" if not answer.ok else " without a session token")
        return False

    def keep_early(self, early: EarlyLogin) -> None:
        """After the ServiceRoot failed (or an interrupt) with an early login made: keep
        the session it made, if any, so that the logout deletes it."""
        made = early.session_made
        if made is not None:
            self._adopt(made, DEFAULT_SESSIONS_PATH)
        elif early.error is not None:
            self._keep_unread_session(DEFAULT_SESSIONS_PATH, early.headers)

    def _adopt(self, answer: Answer, sessions: str) -> None:
        """Use the session of a 2xx login answer (basic auth when it carries no token)."""
        token = answer.headers.get("X-Auth-Token")
        if not token:
            LOG.info("%s: login answered HTTP %s without X-Auth-Token; using basic auth",
                     self.host, answer.status)
            self._use_basic()
            return
        self._masks.add(token)
        self._token = token
        self._sender._set_keys(token, None)
        self.session_path = session_path(answer, self.host, sessions)
        self.mode = "session"
        self.confirmed = True
        self.generation += 1
        LOG.debug("%s: session created at %s", self.host, self.session_path)

    def _keep_unread_session(self, sessions: str, headers: Mapping[str, str] | None) -> None:
        """After a login that failed (or was interrupted by a signal) while its answer was
        being read: when the answer's ``headers`` had come with a session token, keep that
        session, so that the logout deletes it instead of leaving it open on the BMC."""
        late, self._late.answer = getattr(self._late, "answer", None), None
        if late is not None and late.ok and late.headers.get("X-Auth-Token"):
            self._adopt(late, sessions)  # read whole: its body may say where the session is
            return
        if headers is None or not headers.get("X-Auth-Token"):
            return
        self._adopt(Answer(0, headers, b""), sessions)
        LOG.debug("%s: the login's answer was cut short; its session %s is deleted at logout",
                  self.host, self.session_path)

    def _send_login(self, sessions: str) -> Answer:
        """POST the login to ``sessions`` once.  SIGINT/SIGTERM give it the logout grace
        instead of cutting it: a fan-out's abort
        (:func:`~hamnhw.transport.watchdog.abort_requests_in_flight`) spares it, and in the
        main thread the signal is held until it is answered (or its grace ran out), then
        raised: its answer names the session the BMC may have made (kept, and deleted at
        logout), which a cut answer would leave behind."""
        ready_to_hurry()
        self._late.answer = None
        with spared_from_abort(self._grace), interrupts.deferred(on_signal=hurry_spared):
            answer = self._sender._send_once("POST", sessions, self._login_body())
            self._late.answer = answer  # for _keep_unread_session, should the block raise
        self._late.answer = None
        return answer

    def _login_body(self) -> dict[str, Any]:
        return {"UserName": self._credentials.username,
                "Password": self._credentials.password.reveal()}

    def _post_login(self, sessions: str, early: EarlyLogin | None = None) -> Answer | None:
        """POST the login, a second time only after an answer that created no session.

        :param early: the first attempt, already sent to this collection.
        :returns: the 2xx answer, or None when basic auth took over (session limit).
        """
        attempts = self._retry.login_attempts
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                answer = early.outcome() if early is not None and attempt == 1 else \
                    self._send_login(sessions)
            except BmcUnreachable as exc:
                if not exc.refused or last or not self._pause(self._retry.refused_delay,
                                                              exc.message, attempt):
                    raise
                continue
            if answer.status in (401, 403):
                raise self._refuse(credentials_rejected(self.host, answer.status))
            if answer.status in (429, 503):
                if session_limit(answer):
                    if self._basic_instead(sessions, answer):
                        return None
                elif not last and self._pause(
                        retry_after(answer, self._retry.refused_delay,
                                    self._retry.login_max_delay),
                        f"login answered HTTP {answer.status}", attempt):
                    continue
            if not answer.ok:
                raise http_error(answer.status, answer.body, host=self.host, method="POST",
                                 path=sessions)
            return answer
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _pause(self, delay: float, reason: str, attempt: int) -> bool:
        """Sleep ``delay`` before login attempt ``attempt + 1``, saying so; False when the
        deadline leaves no time for it."""
        if not self._sender._allows(delay):
            return False
        LOG.warning("%s: %s; retrying the login in %s, %d/%d", self.host, reason,
                    seconds_text(delay), attempt + 1, self._retry.login_attempts)
        self._retry.sleep(delay)
        return True

    def _basic_instead(self, sessions: str, refusal: Answer) -> bool:
        """After "session limit reached": use basic auth if one GET with it works."""
        self._use_basic()
        probe = self._sender._send_once("GET", sessions)
        if probe.ok:
            LOG.warning("%s: the BMC's session limit is reached (login answered HTTP %s); "
                        "using basic auth", self.host, refusal.status)
            self.confirmed = True
            return True
        LOG.warning("%s: the BMC's session limit is reached and it refuses basic auth "
                    "(HTTP %s)", self.host, probe.status)
        self._forget_session()
        return False

    def _use_basic(self) -> None:
        pair = f"{self._credentials.username}:{self._credentials.password.reveal()}"
        key = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        self._masks.add(key)
        self._sender._set_keys(None, f"Basic {key}")
        self.session_path = None
        self.mode = "basic"
        self.generation += 1

    def _forget_session(self) -> None:
        self._masks.remove(self._token)
        self._token = None
        self._sender._set_keys(None, None)
        self.session_path = None
        self.mode = None

    # -- after a 401 -----------------------------------------------------------------------

    def stream_refused(self, path: str) -> AuthenticationError:
        """The error for a 401 to an event stream's GET (opened apart, never re-sent):
        under basic auth the credentials' refusal, remembered as a refused login is
        (:meth:`check_refused`); under a session, :class:`~hamnhw.errors.SessionExpired`
        (the session expired or was deleted: a new login may open the stream)."""
        if self.mode == "basic":
            return self._refuse(credentials_rejected(self.host, 401,
                                                     after_success=self.confirmed))
        return SessionExpired(f"GET {path}: HTTP 401 on the event stream: the session "
                              "expired or was deleted", host=self.host)

    def renew(self, generation: int, method: str, path: str, answer: Answer) -> None:
        """Handle a 401 on ``method path`` sent under login number ``generation``.

        Nothing is done when another login happened since (another thread renewed).

        :raises AccessDenied: a 401 sooner than ``relogin_interval`` after the last
            re-login.
        :raises AuthenticationError: basic auth refused (accepted before or not), or the new
            login refused (now or before: refused credentials are not sent again,
            :meth:`check_refused`).
        """
        self.check_refused()
        if generation != self.generation:
            return
        if self.mode == "basic":
            raise self._refuse(credentials_rejected(
                self.host, 401, after_success=self.confirmed))
        now = self._retry.clock()
        if self._last_renewal is not None and now - self._last_renewal < \
                self._retry.relogin_interval:
            raise access_denied(answer, host=self.host, method=method, path=path,
                                why=f"refused again {now - self._last_renewal:.0f}s after "
                                    "logging in again (not logging in again so soon)")
        self._last_renewal = now
        LOG.info("%s: %s %s got HTTP 401; logging in again", self.host, method, path)
        self.drop_session()
        self.login(self._root)

    def drop_session(self) -> None:
        """DELETE the current session with its own token (best effort, within the logout
        grace); failures are logged, not raised."""
        if self.mode != "session" or not self.session_path:
            return
        path = self.session_path
        with self._sender._narrowed(self._grace):
            try:
                answer = self._sender._send_once("DELETE", path)
            except HamnhwError as exc:
                LOG.warning("%s: logout failed: %s", self.host, exc)
                return
        if not answer.ok and answer.status not in (401, 404):
            LOG.warning("%s: logout DELETE %s returned HTTP %s", self.host, path, answer.status)

    def logout(self) -> None:
        """Delete the session and forget every key."""
        try:
            self.drop_session()
        finally:
            self._forget_session()
