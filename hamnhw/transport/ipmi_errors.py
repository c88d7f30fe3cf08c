"""pyghmi's failures as :mod:`hamnhw.errors` types, each naming the BMC.

pyghmi raises ``IpmiException`` with free text (or with ``None``), ``struct.error`` from
inside its handshake, and answers many commands with a dict carrying ``error``/``code``
instead of raising.  :func:`login_error` and :func:`command_error` turn all of them into
typed errors; the IPMI-specific classes below subclass the core ones, so the CLI's exit
codes follow without a table of their own:

=============================  ====================  =====================================
what pyghmi says               hamnhw error          exit
=============================  ====================  =====================================
``IpmiException(None)``,       BmcUnreachable        3  never answered (pyghmi gives up
"timeout"                                               after its own ~4.5 s): no_reply
"Unable to transmit"           BmcUnreachable        3  the name did not resolve (pyghmi's
                                                        getaddrinfo failed): unresolved
``struct.error`` at login      CipherSuiteMismatch   3  (a BmcUnreachable, like TlsError)
"Incorrect password",          AuthenticationError   4  never retried: BMCs lock accounts
"Unauthorized name", wrong Kg
"Unauthorized role",           RoleRefused           4  the account's privilege limit is
"Invalid role"                                          below the level asked (named)
completion 0xD4                InsufficientPrivilege 4  the login was accepted: the account
                                                        lacks the privilege level (named)
"Insufficient resources",      IpmiBusy              1  after a bounded retry with backoff
completion 0xC0 (node busy)                             (a BmcTimeout)
other completion codes         IpmiCommandError      1  the BMC refused the command
anything else                  IpmiError             1  typed, never a traceback
=============================  ====================  =====================================

Texts are run through :func:`hamnhw.log.redact` before they reach a message, so that a
password registered for redaction can never leave through a pyghmi message.
"""

from __future__ import annotations

import struct

from hamnhw import noanswer
from hamnhw.errors import (
    AuthenticationError,
    BmcTimeout,
    BmcUnreachable,
    HamnhwError,
)
from hamnhw.log import redact

PYGHMI_TESTED = "1.6.19"
"""The pyghmi version the translations here were tested with (pinned in pyproject.toml):
the texts matched below are pyghmi's own, and its handshake has no cipher-suite option."""

COMPLETION_NODE_BUSY = 0xC0
COMPLETION_INVALID_COMMAND = 0xC1
COMPLETION_INSUFFICIENT_PRIVILEGE = 0xD4
COMPLETION_NOT_IN_PRESENT_STATE = 0xD5
COMPLETION_TIMEOUT = 0xFFFF
"""pyghmi's own code for "no reply" (not an IPMI completion code)."""

REQUIRED_PRIVILEGE: dict[tuple[int, int], str] = {
    (0x06, 0x01): "user",           # Get Device ID
    (0x06, 0x42): "user",           # Get Channel Info
    (0x00, 0x01): "user",           # Get Chassis Status
    (0x00, 0x02): "operator",       # Chassis Control
    (0x00, 0x04): "operator",       # Chassis Identify
    (0x00, 0x06): "operator",       # Set Power Restore Policy
    (0x00, 0x08): "operator",       # Set System Boot Options
    (0x00, 0x09): "operator",       # Get System Boot Options
    (0x0C, 0x01): "administrator",  # Set LAN Configuration Parameters
    (0x0C, 0x02): "operator",       # Get LAN Configuration Parameters
}
"""The privilege level IPMI 2.0 (appendix G) asks for each request hamnhw sends, by
``(netfn, command)``: what a refusal for lack of privilege names (a BMC may ask more)."""

_AUTH_TEXTS = ("incorrect password", "unauthorized name", "wrong kg", "unauthorized guid")
_ROLE_TEXTS = ("unauthorized role", "invalid role")
"""RMCP+ statuses 0x0A ("Unauthorized role or privilege level requested") and 0x09
("Invalid role"): the session's privilege level, not the password, was refused."""
_BUSY_TEXTS = ("insufficient resources",)
_UNREACHABLE_TEXTS = ("timeout", "session no longer connected", "session failed to initialize")
_UNRESOLVED_TEXT = "unable to transmit"
"""pyghmi's text when ``getaddrinfo`` failed for the BMC's name: nothing was sent."""


class IpmiError(HamnhwError):
    """pyghmi failed in a way hamnhw has no more specific type for.

    :param detail: what pyghmi said (redacted).
    """


class IpmiCommandError(IpmiError):
    """The BMC answered an IPMI command with a non-zero completion code.

    :param what: what the command was for (``chassis control``).
    :param code: the completion code.
    :param text: pyghmi's name for it.
    """

    def __init__(self, what: str, code: int, text: str | None, *, host: str | None) -> None:
        self.what = what
        self.code = code
        self.text = text
        name = f" ({redact(text)})" if text else ""
        super().__init__(f"{what}: the BMC answered completion code 0x{code:02X}{name}",
                         host=host)


class InsufficientPrivilege(AuthenticationError):
    """The BMC accepted the login, then refused a command for lack of privilege (completion
    code 0xD4): the account, or the session's privilege level, is below what the command
    needs.  The credentials are not in question; never retried (exit 4, as a refused
    login: the account must be changed first).

    :param what: what the command was for (``chassis control power on``).
    :param detail: what the BMC (or pyghmi) said.
    :param needed: the privilege level the command needs (:data:`REQUIRED_PRIVILEGE`), when
        known.
    :param username: the account, when known (:meth:`for_account`).
    :param requested: the privilege level the session asked for (``[NODE.ipmi]
        privilege``), None for pyghmi's default (administrator, else operator).
    """

    def __init__(self, what: str, *, host: str | None, detail: str = "",
                 needed: str | None = None, username: str | None = None,
                 requested: str | None = None) -> None:
        self.what = what
        self.detail = detail
        self.needed = needed
        self.username = username
        self.requested = requested
        who = f"user {username!r}" if username else "the account"
        need = f"; it needs the {needed} privilege level" if needed else ""
        asked = f" (the session asked for {requested})" if requested else ""
        super().__init__(f"{what}: {who} lacks the privilege for it ({detail}){need}{asked}",
                         host=host)

    def for_account(self, username: str | None,
                    requested: str | None) -> InsufficientPrivilege:
        """The same refusal naming the account and the privilege level the session asked."""
        return InsufficientPrivilege(self.what, host=self.host, detail=self.detail,
                                     needed=self.needed, username=username,
                                     requested=requested)


class RoleRefused(AuthenticationError):
    """The BMC refused the IPMI session at the privilege level (role) it asked for (RMCP+
    "Unauthorized role or privilege level requested", "Invalid role"): the account's
    privilege limit on the channel is below it.  The password is not in question (the BMC
    checks it after the role); never retried (exit 4, as a refused login).

    :param detail: what the BMC (pyghmi) said.
    :param username: the account, when known (:meth:`for_account`).
    :param requested: the privilege level the session asked for (``[NODE.ipmi]
        privilege``), None for pyghmi's default (administrator).
    """

    def __init__(self, detail: str, *, host: str | None, username: str | None = None,
                 requested: str | None = None) -> None:
        self.detail = detail
        self.username = username
        self.requested = requested
        who = f"user {username!r}" if username else "the account"
        asked = requested or "administrator (pyghmi's default)"
        super().__init__(f"IPMI login refused for the privilege level it asked for: the BMC "
                         f"does not grant {who} the {asked} level on this channel ({detail})",
                         host=host)

    def for_account(self, username: str | None, requested: str | None) -> RoleRefused:
        """The same refusal naming the account and the privilege level the session asked."""
        return RoleRefused(self.detail, host=self.host, username=username,
                           requested=requested)


class IpmiBusy(BmcTimeout):
    """The BMC kept answering "node busy" or "insufficient resources for a session"
    through every retry (an answer: reason ``busy``)."""

    def __init__(self, message: str, *, host: str | None = None) -> None:
        super().__init__(message, host=host, reason=noanswer.BUSY)


class CipherSuiteMismatch(BmcUnreachable):
    """The RMCP+ handshake broke on a cipher-suite mismatch (pyghmi ``struct.error``)."""


class SessionBroken(Exception):
    """pyghmi handed back a session that had already failed (its error text, or None)."""


def _text(exc: BaseException) -> str:
    return redact(str(exc)) if str(exc) not in ("", "None") else ""


def is_busy(exc: BaseException) -> bool:
    """True for a login refused for lack of BMC resources (worth a bounded retry)."""
    return any(t in str(exc).lower() for t in _BUSY_TEXTS)


def login_error(exc: BaseException, host: str, port: int) -> HamnhwError:
    """The typed error for a failed RMCP+ login (``Command(...)`` raised ``exc``)."""
    if isinstance(exc, HamnhwError):
        return exc
    if isinstance(exc, struct.error):
        return CipherSuiteMismatch(
            "the IPMI session handshake failed on a cipher-suite mismatch: the BMC answered "
            "pyghmi's SHA-256 proposal (cipher suite 17) with SHA-1 (suite 3) data and pyghmi "
            f"cannot fall back on its own ({type(exc).__name__}: {_text(exc)}). pyghmi has no "
            "cipher option: enable cipher suite 17 on the BMC, or make it refuse suite 17 so "
            f"that pyghmi retries with suite 3 (tested with pyghmi {PYGHMI_TESTED})", host=host)
    text = _text(exc)
    lowered = text.lower()
    if any(t in lowered for t in _ROLE_TEXTS):
        return RoleRefused(text, host=host)
    if any(t in lowered for t in _AUTH_TEXTS):
        return AuthenticationError(f"IPMI login refused: {text}", host=host)
    if is_busy(exc):
        return IpmiBusy(f"the BMC has no free IPMI session: {text}", host=host)
    if _UNRESOLVED_TEXT in lowered:
        return _unresolved("IPMI login", text, host)
    if not text or any(t in lowered for t in _UNREACHABLE_TEXTS):
        return BmcUnreachable(
            f"no IPMI answer on UDP port {port} (pyghmi gives up after about 4.5 s)"
            + (f": {text}" if text else ""), host=host, reason=noanswer.NO_REPLY)
    return IpmiError(f"IPMI login failed: {type(exc).__name__}: {text}", host=host)


def command_error(exc: BaseException, what: str, host: str) -> HamnhwError:
    """The typed error for a pyghmi exception raised by a command after login."""
    if isinstance(exc, HamnhwError):
        return exc
    text = _text(exc)
    lowered = text.lower()
    code = getattr(exc, "ipmicode", 0) or 0
    if code == COMPLETION_INSUFFICIENT_PRIVILEGE or "privilege" in lowered:
        return InsufficientPrivilege(what, host=host, detail=text or "insufficient privilege")
    if code:
        return IpmiCommandError(what, code, text, host=host)
    if _UNRESOLVED_TEXT in lowered:
        return _unresolved(what, text, host)
    if any(t in lowered for t in _UNREACHABLE_TEXTS):
        return BmcUnreachable(f"{what}: the BMC stopped answering ({text})", host=host,
                              reason=noanswer.NO_REPLY)
    return IpmiError(f"{what}: {type(exc).__name__}: {text}" if text
                     else f"{what}: {type(exc).__name__}", host=host)


def _unresolved(what: str, text: str, host: str) -> BmcUnreachable:
    return BmcUnreachable(f"{what}: the BMC's address does not resolve, nothing was sent "
                          f"({text})", host=host, reason=noanswer.UNRESOLVED)


def reply_error(reply: object, what: str, host: str,
                request: tuple[int, int] | None = None) -> HamnhwError | None:
    """The typed error a pyghmi reply dict carries (``{'error', 'code'}``), None for success.

    :param request: the ``(netfn, command)`` answered, for the privilege a refusal needs.
    :returns: None when the reply is a success (completion code 0).
    """
    if not isinstance(reply, dict):
        return IpmiError(f"{what}: pyghmi returned {type(reply).__name__} instead of a reply",
                         host=host)
    code = reply.get("code", 0)
    error = reply.get("error")
    if not error and not code:
        return None
    if not isinstance(code, int):
        return IpmiError(f"{what}: unreadable completion code {code!r}", host=host)
    text = str(error) if error else None
    if code == COMPLETION_TIMEOUT:
        return BmcUnreachable(f"{what}: no IPMI reply ({text or 'timeout'})", host=host,
                              reason=noanswer.NO_REPLY)
    if code == COMPLETION_INSUFFICIENT_PRIVILEGE:
        return InsufficientPrivilege(
            what, host=host, detail=f"completion code 0x{code:02X}",
            needed=REQUIRED_PRIVILEGE.get(request) if request is not None else None)
    if not code:
        return IpmiError(f"{what}: {redact(str(error))}", host=host)
    return IpmiCommandError(what, code, text, host=host)
