"""Whether a BMC whose read failed answered: only silence may stand for pulled power cords.

A BMC that does not answer (no connection, no answer in time: :class:`BmcUnreachable`,
:class:`BmcTimeout`, a connection dropped before the answer) cannot confirm its node off; the
operator's typed "power cords pulled" stands for that.  A BMC that answers with an error is
up, and so may be its node: credentials rejected (401/403), a certificate that does not match
its pin (a TLS verification failure is an answer), a 5xx, a malformed answer, headers then a
stall.  That is a stop naming the BMC, what it answered and what to fix, never an
acknowledgement; a refused login is not tried again (an account lockout), a 5xx, a malformed
or a stalled answer is read again within the wait's poll policy.
"""

from __future__ import annotations

from hamnhw.errors import (
    AccessDenied,
    AuthenticationError,
    BmcTimeout,
    BmcUnreachable,
    ConfigError,
    ConnectionDropped,
    HamnhwError,
    MalformedResponse,
    ServerSideError,
    TlsError,
)


def silent(exc: HamnhwError) -> bool:
    """True when ``exc`` says the BMC did not answer (never connected, no answer in time, the
    connection dropped before an answer); False for every answer, a TLS failure included."""
    if isinstance(exc, TlsError) or _stalled_after_headers(exc):
        return False
    return isinstance(exc, BmcUnreachable | BmcTimeout | ConnectionDropped)


def _stalled_after_headers(exc: HamnhwError) -> bool:
    """A timeout after the BMC sent its status line and headers: it answered, then stalled."""
    return isinstance(exc, BmcTimeout) and exc.headers_came


def transient(exc: HamnhwError) -> bool:
    """An answer that may change by itself (a 5xx, a malformed answer of a BMC restarting its
    web server): read again within the poll policy.  Anything else answered is final."""
    return isinstance(exc, ServerSideError | MalformedResponse) or _stalled_after_headers(exc)


def remedy(name: str, exc: HamnhwError) -> str:
    """What the operator fixes for ``name``'s BMC answering ``exc``."""
    if isinstance(exc, AuthenticationError):
        return (f"check [{name}] username and password_file (the login was tried once: "
                "refused logins can lock the account)")
    if isinstance(exc, AccessDenied):
        return f"give [{name}] username's account the right to read and set the power"
    if isinstance(exc, TlsError):
        return (f"check [{name}] pin_fingerprint (or ca_file) against the certificate the BMC "
                "shows in its web UI: a changed certificate is not accepted blindly")
    if isinstance(exc, ConfigError):
        return f"fix [{name}] in the config"
    return f"check {name}'s BMC health (its web UI; a BMC reset may help)"


def answered(name: str, exc: HamnhwError, what: str, command: str = "resume") -> str:
    """The stop reason for ``name``'s BMC answering ``exc`` where ``what`` needed its power;
    ``command`` (``resume``, ``abort``) goes on once it is fixed."""
    return (f"{name}'s BMC answers, with an error ({exc}): {what}; a BMC that answers is not "
            "taken as pulled power cords (an acknowledgement does not override it): "
            f"{remedy(name, exc)}, then `hamnhw failover {command}`")
