"""What a login's answer, or a 401 after one, says: a session limit, a Retry-After, an
account that may not do this (:mod:`hamnhw.transport.auth` and
:mod:`hamnhw.transport.sending` act on them)."""

from __future__ import annotations

import email.utils
import time

from hamnhw.errors import AccessDenied, HttpError
from hamnhw.transport.errormap import redfish_message
from hamnhw.transport.session import Answer

SESSION_LIMIT_IDS = ("SessionLimitExceeded",)
"""Redfish Base registry message ids saying that no session slot is left."""


def session_limit(answer: Answer) -> bool:
    """Whether a refused login says that the BMC has no session slot left."""
    message, info = redfish_message(answer.body)
    ids = [str(item.get("MessageId", "")) for item in info]
    if any(i.endswith(SESSION_LIMIT_IDS) for i in ids):
        return True
    text = (message or "").lower()
    return "session" in text and any(w in text for w in ("limit", "maximum", "too many"))


def retry_after(answer: Answer, default: float, cap: float) -> float:
    """Seconds asked by ``Retry-After`` (delta seconds or an HTTP date), at most ``cap``;
    ``default`` when absent or unreadable."""
    value = answer.headers.get("Retry-After", "").strip()
    if not value:
        return default
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return min(max(0.0, when.timestamp() - time.time()), cap)


def seconds_text(seconds: float) -> str:
    """``1s``, ``0.5s``, ``1.2s``: a delay as a log message shows it."""
    return f"{seconds:.1f}".rstrip("0").rstrip(".") + "s"


def access_denied(answer: Answer, *, host: str, method: str, path: str,
                  why: str) -> HttpError:
    """The :class:`AccessDenied` for a 401 that a fresh login does not cure."""
    message, info = redfish_message(answer.body)
    text = f"{why}: the credentials are valid but this account may not do this"
    return AccessDenied(host=host, method=method, path=path, status=401,
                        redfish_message=f"{text} ({message})" if message else text,
                        extended_info=info)
