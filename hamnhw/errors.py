"""One error tree for everything hamnhw raises.

Every error names the BMC (``host``) it concerns.  Messages never carry a
password or a session token: constructors take only what is safe to show.
The CLI maps these classes to exit codes in :mod:`hamnhw.cli.exit_codes`.

::

    HamnhwError
    ├── ConfigError                 bad config file, options or credentials source
    ├── BmcUnreachable              never answered (refused, DNS, connect timeout, silent)
    │   └── TlsError                certificate not trusted / fingerprint mismatch
    ├── ConnectionDropped           connection broke after the request was sent
    ├── BmcTimeout                  answered, then too slow (read timeout, deadline)
    ├── AuthenticationError         credentials rejected (login refused)
    │   └── SessionExpired          401 on a POST/PATCH/DELETE: re-logged in, not re-sent
    ├── HttpError                   any other non-2xx answer
    │   ├── AccessDenied            403, or a 401 that survived a fresh login (valid credentials)
    │   ├── BadRequestError         400
    │   ├── NotFoundError           404
    │   ├── MethodNotAllowedError   405
    │   ├── ConflictError           409
    │   └── ServerSideError         5xx
    ├── MalformedResponse           not JSON, HTML error page, wrong type at a path
    ├── UnsupportedOperation        a driver lacks a capability
    ├── RefusedOperation            a write refused before sending, from what was read
    ├── DriverNotFound              no driver by that name / scheme, or no system picked
    └── OperationFailed             the BMC accepted but the result never came
        ├── PowerStateTimeout       target power state not reached in time
        ├── StateUnconfirmed        a change was sent (maybe acted on), its result unreadable
        ├── WaitTimeout             any other awaited state not reached in time
        └── JobFailed               a long operation (task, vendor job) ended in failure

    Interrupted (a BaseException, like KeyboardInterrupt)   SIGINT or SIGTERM stopped the work
    (in :mod:`hamnhw.interrupted`, imported from here as well)
"""

from __future__ import annotations

from typing import Any

from hamnhw import noanswer
from hamnhw.interrupted import Interrupted as Interrupted  # re-exported: its old home


class HamnhwError(Exception):
    """Root of all hamnhw errors.

    :param message: human-readable explanation (must not contain secrets).
    :param host: the BMC concerned, ``host[:port]``, when known.
    """

    def __init__(self, message: str, *, host: str | None = None) -> None:
        self.host = host
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        return f"{self.host}: {self.message}" if self.host else self.message


class ConfigError(HamnhwError):
    """Configuration, usage or credential-source problem (exit code 2).

    :param key: the offending key (dotted path), when there is one.
    :param path: the file it came from, when there is one.
    """

    def __init__(self, message: str, *, key: str | None = None, path: str | None = None,
                 host: str | None = None) -> None:
        self.key = key
        self.path = path
        where = ", ".join(p for p in (f"file {path}" if path else "", f"key {key}" if key else "")
                          if p)
        super().__init__(f"{message} ({where})" if where else message, host=host)


class BmcUnreachable(HamnhwError):
    """The BMC never answered: refused, unresolvable, connect timeout, a BMC that
    accepted the connection but sent no HTTP answer, or a GET whose connection
    dropped on every attempt.

    :param refused: True when the TCP connection was refused (a BMC web server
        restarting, or nothing there): nothing was sent, so a login may be tried
        again (see ``docs/retries.md``).
    :param reason: what happened on the wire (:mod:`hamnhw.noanswer`: ``refused``,
        ``connect_timeout``, ``no_answer_fresh``...), None when not known.
    """

    elapsed_s: float | None = None
    """Seconds waited for an answer that never came, when known (a BMC that accepted a new
    connection and sent nothing: its read timeout)."""

    def __init__(self, message: str, *, host: str | None = None, refused: bool = False,
                 reason: str | None = None) -> None:
        self.refused = refused or reason == noanswer.REFUSED
        self.reason = noanswer.REFUSED if refused and reason is None else reason
        super().__init__(message, host=host)


class TlsError(BmcUnreachable):
    """TLS handshake failed or the certificate is not trusted.

    :param fingerprint: SHA-256 fingerprint of the certificate the BMC presented, when
        known (see :func:`hamnhw.transport.tlschoice.presented_fingerprint`), so that the
        operator can compare it with the BMC's web UI and pin it.
    """

    def __init__(self, message: str, *, host: str | None = None,
                 fingerprint: str | None = None) -> None:
        self.fingerprint = fingerprint
        super().__init__(message, host=host)


class ConnectionDropped(HamnhwError):
    """The connection of a POST, PATCH or DELETE broke after the request was
    sent; the BMC may have acted on it.  It is not re-sent: read state before
    deciding anything.  (A dropped GET is retried and ends as
    :class:`BmcUnreachable`.)

    :param reason: what happened on the wire (:mod:`hamnhw.noanswer`), None when not known.
    """

    def __init__(self, message: str, *, host: str | None = None,
                 reason: str | None = None) -> None:
        self.reason = reason
        super().__init__(message, host=host)


class BmcTimeout(HamnhwError):
    """The BMC answered but not in time (read timeout or operation deadline).

    :param elapsed_s: seconds spent before giving up.
    :param deadline_passed: True when the operation's overall deadline passed (no time is
        left for anything else within it: a wait stops rather than polling on); False for
        a read timeout of one request.
    :param headers_came: True when the BMC had sent the status line and headers of this
        request's answer before the time ran out (it stalled in the body).
    :param reason: what happened on the wire (:mod:`hamnhw.noanswer`: ``no_answer_fresh``,
        ``no_answer_reused``...), None when not known (a wait of hamnhw's own).
    """

    def __init__(self, message: str, *, host: str | None = None,
                 elapsed_s: float | None = None, deadline_passed: bool = False,
                 headers_came: bool = False, reason: str | None = None) -> None:
        self.elapsed_s = elapsed_s
        self.deadline_passed = deadline_passed
        self.headers_came = headers_came
        self.reason = reason
        if elapsed_s is not None:
            message = f"{message} (after {elapsed_s:.1f}s)"
        super().__init__(message, host=host)


class AuthenticationError(HamnhwError):
    """Credentials rejected by the BMC (the login was refused)."""


class SessionExpired(AuthenticationError):
    """The session expired; hamnhw re-authenticated; the request was rejected
    unprocessed and not re-sent: read state, then decide."""


class HttpError(HamnhwError):
    """A non-2xx HTTP answer from a Redfish service.

    :param method: HTTP method sent.
    :param path: request path.
    :param status: HTTP status code.
    :param redfish_message: first ``@Message.ExtendedInfo`` message, or the
        ``error.message``, when the body carried one.
    :param extended_info: the full ``@Message.ExtendedInfo`` list, if any.
    """

    def __init__(self, *, host: str | None, method: str, path: str, status: int,
                 redfish_message: str | None = None,
                 extended_info: list[dict[str, Any]] | None = None) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.redfish_message = redfish_message
        self.extended_info = extended_info or []
        text = f"{method} {path} returned HTTP {status}"
        if redfish_message:
            text = f"{text}: {redfish_message}"
        super().__init__(text, host=host)


class AccessDenied(HttpError):
    """HTTP 403 (DSP0266: the credentials were recognised, they do not authorise this), or
    HTTP 401 on a request that survived a fresh login, or came again too soon after one:
    the credentials are valid but the account may not do this (exit 1, not an
    authentication failure)."""


class BadRequestError(HttpError):
    """HTTP 400."""


class NotFoundError(HttpError):
    """HTTP 404."""


class MethodNotAllowedError(HttpError):
    """HTTP 405."""


class ConflictError(HttpError):
    """HTTP 409."""


class ServerSideError(HttpError):
    """HTTP 5xx."""


def http_error_class(status: int) -> type[HttpError]:
    """Pick the most specific :class:`HttpError` subclass for a status code."""
    if status >= 500:
        return ServerSideError
    return {400: BadRequestError, 403: AccessDenied, 404: NotFoundError,
            405: MethodNotAllowedError, 409: ConflictError}.get(status, HttpError)


class MalformedResponse(HamnhwError):
    """The BMC answered with something hamnhw cannot use.

    :param uri: the resource URI that was read.
    :param json_path: where in the document the problem is (``$.Members[2]``),
        or None when the body as a whole is unusable.
    """

    def __init__(self, message: str, *, host: str | None = None, uri: str | None = None,
                 json_path: str | None = None) -> None:
        self.uri = uri
        self.json_path = json_path
        where = f" at {json_path}" if json_path else ""
        super().__init__(f"{uri}{where}: {message}" if uri else message, host=host)


class UnsupportedOperation(HamnhwError):
    """The chosen driver cannot do this.

    :param driver: driver name.
    :param operation: dotted operation name, e.g. ``power.cycle``.
    """

    def __init__(self, driver: str, operation: str, *, host: str | None = None,
                 detail: str | None = None) -> None:
        self.driver = driver
        self.operation = operation
        text = f"driver {driver!r} does not support {operation}"
        super().__init__(f"{text}: {detail}" if detail else text, host=host)


class RedfishUnreachable(UnsupportedOperation, BmcUnreachable):
    """A node's Redfish BMC never answered; its IPMI path did, and serves power only
    (:mod:`hamnhw.ipmi_fallback`).  For what was asked, the BMC is unreachable (exit 3, a
    CRITICAL check); it is also an :class:`UnsupportedOperation` of the IPMI path, so code
    that does without a capability IPMI lacks (boot marks, RAID facts) still does."""


class RefusedOperation(HamnhwError):
    """hamnhw refused a write before sending anything: what it read from the BMC makes the
    write unsafe or impossible (a drive already in a volume, a BMC that does not list a
    volume's members, an apply time the BMC does not offer...).

    :param operation: what was refused, e.g. ``raid.create``.
    :param reasons: each reason, for people.
    """

    def __init__(self, operation: str, reasons: list[str] | tuple[str, ...], *,
                 host: str | None = None) -> None:
        self.operation = operation
        self.reasons = tuple(reasons)
        super().__init__(f"{operation} refused: {'; '.join(self.reasons)}", host=host)


class DriverNotFound(HamnhwError):
    """No driver matches, or the address is ambiguous (several systems, none picked).

    :param usage: True when the user can fix it by asking differently (several
        systems and none picked, a driver name or URL scheme nobody has): the
        CLI then exits 2 instead of 1.
    """

    def __init__(self, message: str, *, host: str | None = None, usage: bool = False) -> None:
        self.usage = usage
        super().__init__(message, host=host)


class OperationFailed(HamnhwError):
    """The BMC accepted a request but the expected result did not follow."""


class PowerStateTimeout(OperationFailed):
    """The target power state was not confirmed within the timeout.

    :param target: the state waited for.
    :param last_state: the last state read.
    :param elapsed_s: seconds waited.
    """

    def __init__(self, *, host: str | None, target: str, last_state: str,
                 elapsed_s: float) -> None:
        self.target = target
        self.last_state = last_state
        self.elapsed_s = elapsed_s
        super().__init__(
            f"power state {target} not confirmed after {elapsed_s:.1f}s "
            f"(last read: {last_state})", host=host)


class StateUnconfirmed(OperationFailed):
    """A change was sent (accepted, or unanswered so that the BMC may have acted on it),
    and what followed could not confirm its result: the BMC stopped answering, or its
    answer came too late.  It is never re-sent: read the state before deciding anything.

    :param request_sent: True: the request left hamnhw (it may have been acted on).
    :param accepted: True when the BMC answered it with a 2xx.
    :param last_state: the last state read, as text, or None when nothing could be read.
    """

    def __init__(self, message: str, *, host: str | None, accepted: bool,
                 last_state: str | None = None) -> None:
        self.request_sent = True
        self.accepted = accepted
        self.last_state = last_state
        super().__init__(message, host=host)


class WaitTimeout(OperationFailed):
    """A state awaited by :func:`hamnhw.poll.poll_until` was not reached in time.

    :param what: what was waited for ("RAID1 rebuild", "POST of standby").
    :param last_state: the last state read, as text.
    :param elapsed_s: seconds waited.
    :param hint: what becomes of the operation now that nobody waits for it, and how to
        follow it ("the rebuild goes on in the controller; watch it with ..."), or None.
    """

    def __init__(self, *, host: str | None, what: str, last_state: str,
                 elapsed_s: float, hint: str | None = None) -> None:
        self.what = what
        self.last_state = last_state
        self.elapsed_s = elapsed_s
        self.hint = hint
        text = f"{what}: not reached after {elapsed_s:.1f}s (last read: {last_state})"
        super().__init__(f"{text}; {hint}" if hint else text, host=host)


class JobFailed(OperationFailed):
    """A long operation (a Redfish task, a vendor job, a change applied at reset) ended in
    failure or was cancelled.

    :param job_id: the BMC's id of the job or task.
    :param state: the final state as text.
    :param detail: the BMC's messages, already free of secrets.
    """

    def __init__(self, *, host: str | None, job_id: str, state: str,
                 detail: str | None = None) -> None:
        self.job_id = job_id
        self.state = state
        self.detail = detail
        text = f"job {job_id} ended {state}"
        super().__init__(f"{text}: {detail}" if detail else text, host=host)
