"""Turn what the connections raise (:mod:`hamnhw.transport.lean`'s
:class:`~hamnhw.transport.wireerrors.WireError`, and requests' and urllib3's exceptions on the
replayed path), and what a BMC answers, into :mod:`hamnhw.errors` types.  Every message is
redacted.  requests is never imported here: one of its exceptions exists only once it is."""

from __future__ import annotations

import json
import ssl
import sys
from typing import Any

from hamnhw import noanswer
from hamnhw.deadline import Deadline
from hamnhw.errors import (
    AuthenticationError,
    BmcTimeout,
    BmcUnreachable,
    ConnectionDropped,
    HamnhwError,
    HttpError,
    MalformedResponse,
    TlsError,
    http_error_class,
)
from hamnhw.log import redact
from hamnhw.transport import wireerrors
from hamnhw.transport.adapter import SEND_ERRORS, DeadlineExceeded
from hamnhw.transport.decode import BodyTooLarge, UnsupportedEncoding

TRANSPORT_FAILURES: tuple[type[BaseException], ...] = (
    *SEND_ERRORS, DeadlineExceeded, BodyTooLarge, UnsupportedEncoding)
"""Root causes that :func:`map_exception` turns into hamnhw errors (with urllib3's own,
once urllib3 is imported: :func:`is_transport_failure`); any other exception is a bug and
must surface as itself."""


def is_transport_failure(exc: BaseException) -> bool:
    """True for what :func:`map_exception` maps (see :data:`TRANSPORT_FAILURES`)."""
    if isinstance(exc, TRANSPORT_FAILURES):
        return True
    urllib3_errors = sys.modules.get("urllib3.exceptions")
    return urllib3_errors is not None and isinstance(exc, urllib3_errors.HTTPError)


SAFE_METHODS = frozenset({"GET", "HEAD"})
"""Methods whose dropped connection is harmless to the BMC's state: a dropped
GET is :class:`BmcUnreachable` (retried, exit 3), only POST, PATCH and DELETE
raise :class:`ConnectionDropped` (the BMC may have acted on them)."""


def root_cause(exc: BaseException) -> BaseException:
    """The exception python-redfish-library wrapped (``RetriesExhaustedError``
    is raised ``from`` the real one)."""
    seen = 0
    while exc.__cause__ is not None and seen < 5:
        exc = exc.__cause__
        seen += 1
    return exc


def map_exception(exc: BaseException, *, host: str, method: str, path: str,
                  elapsed_s: float, deadline: Deadline | None = None) -> HamnhwError:
    """Map a transport exception to a hamnhw error naming host and request.

    :param deadline: the request's deadline; when it is a command's work share, ending
        before the deadline the user stated to leave the logout its time
        (:attr:`~hamnhw.deadline.Deadline.stated`), its passing says so: "after 3.0s"
        under a 4 s ``--timeout`` explains itself.
    :raises BaseException: the root cause itself when it is not one of
        :data:`TRANSPORT_FAILURES` (a programming error, not the BMC's).
    """
    cause = root_cause(exc)
    if not is_transport_failure(cause):
        raise cause
    what = f"{method} {path}"
    if isinstance(cause, DeadlineExceeded):
        detail = f" ({cause.detail})" if cause.detail else ""
        return BmcTimeout(f"{what}: operation deadline exceeded{_share(deadline)}{detail}",
                          host=host, elapsed_s=elapsed_s, deadline_passed=True,
                          reason=cause.reason)
    if isinstance(cause, BodyTooLarge | UnsupportedEncoding):
        return MalformedResponse(str(cause), host=host, uri=path)
    if isinstance(cause, wireerrors.WireError):
        return _wire_error(cause, what, host=host, method=method, elapsed_s=elapsed_s)
    if "requests" not in sys.modules:
        return BmcUnreachable(f"{what}: {type(cause).__name__}: {redact(_short(cause))}",
                              host=host)
    return _requests_error(cause, what, host=host, method=method, elapsed_s=elapsed_s)


def _wire_error(cause: wireerrors.WireError, what: str, *, host: str, method: str,
                elapsed_s: float) -> HamnhwError:
    """The hamnhw error for a failure of hamnhw's own connections."""
    detail = redact(_short(cause))
    reason = cause.reason
    if isinstance(cause, wireerrors.HandshakeFailed):
        return TlsError(f"{what}: TLS verification failed: {detail}", host=host)
    if isinstance(cause, wireerrors.ConnectTimedOut):
        text = {noanswer.CONNECT_TIMEOUT: "connect timed out",
                noanswer.CONNECT_CUT: detail}.get(
            reason or "", "TLS handshake timed out (the TCP connection was accepted)")
        return BmcUnreachable(f"{what}: {text}", host=host, reason=reason)
    if isinstance(cause, wireerrors.ReadTimedOut):
        return BmcTimeout(f"{what}: read timed out{_where(reason)}", host=host,
                          elapsed_s=elapsed_s, reason=reason)
    if isinstance(cause, wireerrors.NotConnected):
        return BmcUnreachable(f"{what}: cannot connect: {detail}", host=host,
                              refused=cause.refused, reason=reason)
    return _dropped(what, detail, host=host, method=method, reason=reason)


def _where(reason: str | None) -> str:
    """Where a request stood when its time ran out, for the message."""
    return {noanswer.NO_ANSWER_FRESH: " (on a new connection the BMC accepted)",
            noanswer.NO_ANSWER_REUSED: " (on a kept-alive connection opened earlier)",
            noanswer.CONNECT_TIMEOUT: " (connecting)"}.get(reason or "", "")


def _dropped(what: str, detail: str, *, host: str, method: str,
             reason: str | None) -> HamnhwError:
    """A connection lost after the request went out: harmless for a GET, not otherwise."""
    if method in SAFE_METHODS:
        return BmcUnreachable(f"{what}: connection dropped before an answer: {detail}",
                              host=host, reason=reason)
    return ConnectionDropped(f"{what}: connection dropped after the request was sent "
                             f"(the BMC may have acted on it): {detail}", host=host,
                             reason=reason)


def _requests_error(cause: BaseException, what: str, *, host: str, method: str,
                    elapsed_s: float) -> HamnhwError:
    """The hamnhw error for what requests raised (the replayed path, the SSE stream)."""
    import requests

    detail = redact(_short(cause))
    if isinstance(cause, requests.exceptions.SSLError):
        return TlsError(f"{what}: TLS verification failed: {detail}", host=host)
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return BmcUnreachable(f"{what}: connect timed out", host=host,
                              reason=noanswer.CONNECT_TIMEOUT)
    if isinstance(cause, requests.exceptions.ReadTimeout):
        return BmcTimeout(f"{what}: read timed out", host=host, elapsed_s=elapsed_s)
    if isinstance(cause, requests.exceptions.ConnectionError):
        if _never_connected(cause):
            return BmcUnreachable(f"{what}: cannot connect: {detail}", host=host,
                                  refused=_refused(cause), reason=_connect_reason(cause))
        return _dropped(what, detail, host=host, method=method, reason=None)
    return BmcUnreachable(f"{what}: {type(cause).__name__}: {detail}", host=host)


def _never_connected(exc: BaseException) -> bool:
    """True when the TCP connection was never made (refused, DNS)."""
    import urllib3

    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _refused(exc: BaseException) -> bool:
    """True when the cause chain holds a refused TCP connection."""
    return _connect_reason(exc) == noanswer.REFUSED


def _connect_reason(exc: BaseException) -> str | None:
    """The :mod:`hamnhw.noanswer` reason of the first connect failure in the cause chain
    (refused, no route, unresolved), None when it holds none."""
    pending: list[BaseException | None] = [exc]
    seen = 0
    while pending and seen < 20:
        current = pending.pop()
        seen += 1
        if current is None:
            continue
        found = noanswer.connect_reason(current)
        if found is not None:
            return found
        inner = [a for a in current.args if isinstance(a, BaseException)]
        reason = getattr(current, "reason", None)
        pending += [current.__cause__, current.__context__, *inner,
                    reason if isinstance(reason, BaseException) else None]
    return None


def _short(exc: BaseException) -> str:
    """What went wrong, without urllib3's pool and retry wrapping.

    ``MaxRetryError(... Caused by NewConnectionError(...: [Errno 111] Connection refused))``
    becomes ``[Errno 111] Connection refused``; a TLS failure becomes the OpenSSL reason,
    e.g. ``certificate verify failed: self-signed certificate``.
    """
    reason: BaseException | None = exc
    for _ in range(5):
        inner = reason.args[0] if reason is not None and reason.args else None
        deeper = getattr(inner, "reason", None)
        inner = deeper if isinstance(deeper, BaseException) else inner
        if not isinstance(inner, BaseException):
            break
        reason = inner
    text = _ssl_reason(reason) or str(reason)
    text = text.split("Failed to establish a new connection: ", 1)[-1]
    return text if len(text) <= 300 else text[:300] + "..."


def _ssl_reason(exc: BaseException | None) -> str | None:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return str(exc.verify_message)
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return f"TLS handshake failed ({exc.reason}); is it an HTTPS port?"
    return None


def looks_like_html(content_type: str, body: bytes) -> bool:
    """True for an HTML error page (by Content-Type or by its first bytes)."""
    head = body.lstrip()[:20].lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html"))


def parse_json(body: bytes, content_type: str, *, host: str, path: str) -> Any:
    """Parse a 2xx body; None when empty.

    :raises MalformedResponse: HTML error page or invalid JSON, naming the URI.
    """
    if not body.strip():
        return None
    if looks_like_html(content_type, body):
        raise MalformedResponse("BMC answered with an HTML error page instead of JSON",
                                host=host, uri=path)
    try:
        return loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedResponse(f"invalid JSON ({exc.__class__.__name__}: {exc})",
                                host=host, uri=path) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (RFC 8259)")


def loads(body: bytes | str) -> Any:
    """Strict JSON: ``NaN``/``Infinity`` (which Python's parser accepts) are refused, so a
    parser never meets a non-finite number.

    :raises ValueError: not JSON; :raises RecursionError: nested too deep to parse.
    """
    # json.loads(body, parse_constant=...) builds a decoder per call: one is kept instead,
    # and what json.loads does before decoding is done here (every answer, measured).
    if isinstance(body, str):
        if body.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", body, 0)
        return _DECODER.decode(body)
    # A JSON object in UTF-8 (every Redfish answer) starts with "{" and no NUL after it:
    # what json.detect_encoding (~1 us, every answer) would say, without asking it.
    utf8 = body[:1] == b"{" and body[1:2] != b"\0"
    return _DECODER.decode(body.decode("utf-8" if utf8 else json.detect_encoding(body),
                                       "surrogatepass"))


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def redfish_message(body: bytes) -> tuple[str | None, list[dict[str, Any]]]:
    """First ``@Message.ExtendedInfo`` Message (else ``error.message``) of an
    error body, and the whole ExtendedInfo list."""
    try:
        doc = loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, []
    error = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(error, dict):
        return None, []
    info = error.get("@Message.ExtendedInfo")
    info = [item for item in info if isinstance(item, dict)] if isinstance(info, list) else []
    for item in info:
        if isinstance(item.get("Message"), str):
            return redact(item["Message"]), info
    message = error.get("message")
    return (redact(message) if isinstance(message, str) else None), info


def http_error(status: int, body: bytes, *, host: str, method: str, path: str) -> HttpError:
    """The typed error for a non-2xx answer (401 is handled by the caller)."""
    message, info = redfish_message(body)
    if message is None and looks_like_html("", body):
        message = "the BMC answered with an HTML error page, not Redfish JSON"
    return http_error_class(status)(host=host, method=method, path=path, status=status,
                                    redfish_message=message, extended_info=info)


def _share(deadline: Deadline | None) -> str:
    """`` (the 4 s deadline less the 1 s kept for logging out)`` for a work share."""
    kept = 0.0 if deadline is None else round(deadline.stated - deadline.seconds, 3)
    if kept <= 0 or deadline is None:
        return ""
    return f" (the {deadline.stated:g} s deadline less the {kept:g} s kept for logging out)"


def credentials_rejected(host: str, status: int | None = None, *,
                         after_success: bool = False) -> AuthenticationError:
    """The error for a login (or basic-auth credentials) the BMC refused.

    :param after_success: the BMC had accepted these credentials earlier on this connection
        (basic auth): the message says that the password or the account changed meanwhile.
    """
    suffix = f" (HTTP {status})" if status else ""
    if after_success:
        suffix += (" after the BMC had accepted them on this connection: its password (or the "
                   "account) changed meanwhile; put the new password where hamnhw reads it "
                   "(password_file or password_env, --password-file, $HAMNHW_PASSWORD), then "
                   "run again")
    return AuthenticationError(f"credentials rejected{suffix}", host=host)
