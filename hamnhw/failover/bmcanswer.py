"""Whether a BMC whose read failed answered: only silence may stand for pulled power cords.

Pulled cords leave silence and nothing else (:mod:`hamnhw.noanswer`): a TCP connect that
times out (no SYN-ACK) after its whole connect timeout, no route to the BMC (no ARP answer,
a router's ICMP host unreachable), no IPMI reply within pyghmi's retransmissions.  The
operator's typed "power cords pulled" stands for that.  A wait that hamnhw's own limit cut
short (a connect given what was left of the deadline, or under 1 s; an IPMI reply awaited
until the deadline) tells nothing either way.

Everything else answered, and a BMC that answers is up, and so may be its node:

* at the TCP level: a refused connection (something at the BMC's address answered: a BMC
  whose web server is down, or a firewall rejecting), a new connection accepted and then
  left without an HTTP answer (a hung web server), or closed before its answer;
* over HTTP: credentials rejected (401/403), a certificate that does not match its pin (a
  TLS verification failure is an answer), a 5xx, a malformed answer, headers then a stall.

That is a stop naming the BMC, what it did and what to check, never an acknowledgement; a
refused login is not tried again (an account lockout), the others are read again within the
wait's poll policy.  A kept-alive connection, opened before, that got no answer (or was
reset) is :func:`undecided`: the cords may have been pulled since, or the BMC closed an idle
connection; the transport then lets go of its kept connections and the next read, on a new
connection, decides.  So is a wait cut short by hamnhw's own limit: the next read, given
its whole time, decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hamnhw import noanswer
from hamnhw.credentials import ENV_PASSWORD
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
from hamnhw.transport.ipmi_errors import CipherSuiteMismatch, InsufficientPrivilege, RoleRefused

if TYPE_CHECKING:
    from hamnhw.config import Config


def _unanswered(exc: HamnhwError) -> str | None:
    """The :mod:`hamnhw.noanswer` reason of a request left without an answer ("" when the
    reason is not known); None when ``exc`` is an answer (an HTTP error, a TLS or RMCP+
    handshake refused, a body stalled after its headers)."""
    if isinstance(exc, TlsError | CipherSuiteMismatch):
        return None
    if isinstance(exc, BmcTimeout) and exc.headers_came:
        return None
    if isinstance(exc, BmcUnreachable | BmcTimeout | ConnectionDropped):
        return exc.reason or ""
    return None


def silent(exc: HamnhwError) -> bool:
    """True when ``exc`` is the silence pulled cords leave: no TCP connection (connect timed
    out after its whole timeout), no route to the BMC, no IPMI reply."""
    return _unanswered(exc) in noanswer.SILENCE


def undecided(exc: HamnhwError) -> bool:
    """True when nothing answered, but not in a way that tells silence from an answer: a
    kept-alive connection that got no answer or was reset, a connect or an IPMI reply
    awaited less than its whole time (hamnhw's own deadline cut it short), or a reason not
    known (a wait of hamnhw's own ran out).  Read again: a read on a new connection, given
    its whole time, decides."""
    reason = _unanswered(exc)
    return reason is not None and (reason in noanswer.UNDECIDED or reason == "")


def unanswered_fresh(exc: HamnhwError) -> bool:
    """True when a new connection was accepted and then left without an answer
    (:data:`hamnhw.noanswer.NO_ANSWER_FRESH`): an answer, unless only silence follows it (the
    cords pulled while that request waited).  A read on a new connection decides."""
    return _unanswered(exc) == noanswer.NO_ANSWER_FRESH


def transient(exc: HamnhwError) -> bool:
    """An answer that may change by itself, read again within the poll policy: a 5xx, a
    malformed or stalled answer (a BMC restarting its web server), a refused connection, a
    new connection accepted or closed without an answer, a busy BMC, a name that did not
    resolve.  Anything else answered is final."""
    if isinstance(exc, ServerSideError | MalformedResponse):
        return True
    if isinstance(exc, BmcTimeout) and exc.headers_came:
        return True
    return _unanswered(exc) in noanswer.ANSWERED | {noanswer.UNRESOLVED}


def answers(exc: HamnhwError) -> bool:
    """True when ``exc`` says the BMC (or something at its address) answered: neither
    :func:`silent` nor :func:`undecided`."""
    return not (silent(exc) or undecided(exc))


_DID = {
    noanswer.REFUSED: "refuses connections: something at {addr} answers (a BMC whose web "
                      "server is down, or a firewall rejecting)",
    noanswer.NO_ANSWER_FRESH: "accepts connections at {addr} but sends no answer (its "
                              "network stack is alive: a hung web server)",
    noanswer.DROPPED_FRESH: "closes connections at {addr} before answering",
    noanswer.ANSWER_CUT: "answers at {addr}, then stalls or breaks off",
    noanswer.BUSY: "answers that it is busy",
    noanswer.UNRESOLVED: "address {addr} does not resolve",
    noanswer.NO_ANSWER_REUSED: "left a request on a connection opened earlier unanswered",
    noanswer.DROPPED_REUSED: "closed a connection opened earlier before answering",
    noanswer.CONNECT_TIMEOUT: "does not answer at {addr}: no connection in time",
    noanswer.CONNECT_CUT: "made no connection at {addr} in the little time hamnhw's own "
                          "limit left it (that tells nothing: a BMC slow to accept looks "
                          "the same)",
    noanswer.REPLY_CUT: "did not reply at {addr} before hamnhw's own deadline ended the wait "
                        "(that tells nothing)",
    noanswer.HOST_UNREACHABLE: "does not answer: no route to {addr}",
    noanswer.NO_REPLY: "does not reply at {addr}",
    "": "did not answer in time",
}
"""What a BMC that gave no HTTP answer did, by reason."""


def did(exc: HamnhwError) -> str:
    """What the BMC did, for a message: ``refuses connections: something at ...``, ``does
    not answer at ...``; ``answers, with an error`` for an HTTP or TLS answer."""
    reason = _unanswered(exc)
    if reason is None:
        return "answers, with an error"
    return _DID.get(reason, "did not answer").format(addr=exc.host or "its address")


_IN_WORDS = {
    noanswer.REFUSED: "refuses connections",
    noanswer.NO_ANSWER_FRESH: "accepts connections, sends no answer",
    noanswer.DROPPED_FRESH: "closes connections unanswered",
    noanswer.ANSWER_CUT: "answered, then stalled",
    noanswer.BUSY: "busy",
    noanswer.UNRESOLVED: "address does not resolve",
}


def tcp_answer(exc: HamnhwError) -> str | None:
    """A few words for an answer at the TCP level (``refuses connections``...), None for
    silence, an undecided failure or an HTTP (or TLS) answer."""
    return _IN_WORDS.get(_unanswered(exc) or "")


def no_http_answer(exc: HamnhwError) -> bool:
    """True when no HTTP (or TLS) answer came: silence, undecided, or an answer at the TCP
    level only (a refused connection...).  What reports call "no answer"; only
    :func:`silent` stands for pulled power cords."""
    return _unanswered(exc) is not None


_NOT_SENT = frozenset({noanswer.REFUSED, noanswer.CONNECT_TIMEOUT, noanswer.CONNECT_CUT,
                       noanswer.HOST_UNREACHABLE, noanswer.UNRESOLVED, noanswer.BUSY})
"""Reasons that say a request never reached the BMC, or reached it and was not processed:
no connection, no route, no name, "busy".  Not an IPMI ``no_reply``: it is also what a
command whose reply was lost gets, after it went out (diff review)."""


def maybe_applied(exc: HamnhwError) -> bool:
    """True when a write (a PATCH, an IPMI set command) that failed with ``exc`` may have been
    applied all the same: it timed out or lost its connection after it went out, or got a
    5xx or a garbled answer (``docs/retries.md``: never re-sent, the state is read instead).
    False when the BMC answered no (4xx, credentials, TLS) or was never reached."""
    if isinstance(exc, ConnectionDropped | ServerSideError | MalformedResponse):
        return True
    if isinstance(exc, TlsError | CipherSuiteMismatch):
        return False
    if isinstance(exc, BmcTimeout | BmcUnreachable):
        return exc.reason not in _NOT_SENT
    return False


def password_source(config: Config | None, name: str) -> str:
    """Where hamnhw reads ``name``'s BMC password, for a remedy: ``password_env VAR``,
    ``password_file PATH``, ``$HAMNHW_PASSWORD``...; ``password_file or password_env`` when
    the config does not tell."""
    node = config.nodes.get(name) if config is not None else None
    if node is None:
        return "password_file or password_env"
    if node.password_env:
        return f"password_env {node.password_env}"
    if node.password_file:
        return f"password_file {node.password_file}"
    return (f"${ENV_PASSWORD} or the terminal's prompt: [{name}] sets no password_file or "
            "password_env")


def remedy(name: str, exc: HamnhwError, config: Config | None = None) -> str:
    """What the operator fixes for ``name``'s BMC answering ``exc``.

    :param config: the run's config, to name where the password comes from
        (:func:`password_source`) when the credentials were refused."""
    if isinstance(exc, InsufficientPrivilege):
        return _privilege_remedy(name, exc)
    if isinstance(exc, RoleRefused):
        return _role_remedy(name, exc)
    if isinstance(exc, AuthenticationError):
        return (f"check [{name}] username and the password hamnhw reads for it "
                f"({password_source(config, name)}; after a password change on the BMC, put "
                "the new one there): refused credentials are not sent again, and refused "
                "logins can lock the account")
    if isinstance(exc, AccessDenied):
        return f"give [{name}] username's account the right to read and set the power"
    if isinstance(exc, TlsError):
        return (f"check [{name}] pin_fingerprint (or ca_file) against the certificate the BMC "
                "shows in its web UI: a changed certificate is not accepted blindly")
    if isinstance(exc, ConfigError):
        return f"fix [{name}] in the config"
    return _connection_remedy(name, exc)


_LEVELS = ("user", "operator", "administrator")
"""IPMI privilege levels, lowest first."""


def _privilege_remedy(name: str, exc: InsufficientPrivilege) -> str:
    """The account was accepted but lacks a privilege level: name it and the level, never
    the password."""
    who = f"the account {exc.username!r}" if exc.username else f"[{name}] username's account"
    needed = exc.needed or "operator"
    fix = f"give {who} the IPMI privilege level {needed} on {name}'s BMC"
    if exc.requested in _LEVELS and _LEVELS.index(exc.requested) < _LEVELS.index(needed):
        fix += f" and set [{name}.ipmi] privilege to {needed} (it asks for {exc.requested})"
    return (f"{fix} ({exc.what} needs {needed}; power, boot and restore-policy changes need "
            "operator): the BMC accepted the credentials")


def _role_remedy(name: str, exc: RoleRefused) -> str:
    """The session's privilege level was refused at login: lower it to what hamnhw needs,
    or raise the account's limit; never the password (not checked yet)."""
    who = f"the account {exc.username!r}" if exc.username else f"[{name}] username's account"
    needs = "power, boot and restore-policy changes need operator"
    asked = exc.requested or "administrator"
    limit = f"privilege level on {name}'s BMC (its LAN channel's privilege limit"
    if asked == "administrator":
        default = "" if exc.requested else ", pyghmi's default"
        fix = (f"set [{name}.ipmi] privilege to operator (it asks for administrator{default}; "
               f"{needs}), or give {who} the administrator {limit})")
    else:  # the level asked, or operator where it asks less (hamnhw needs operator)
        level = "operator" if asked not in _LEVELS[1:] else asked
        fix = f"give {who} the {level} {limit}; {needs})"
    return f"{fix}: the BMC refused the privilege level asked, not the password"


def _connection_remedy(name: str, exc: HamnhwError) -> str:
    addr = exc.host or f"[{name}] bmc"
    reason = _unanswered(exc)
    if reason == noanswer.REFUSED:
        return (f"check {name}'s BMC at {addr}: its web server (its web UI; a BMC reset "
                f"restarts it), the port in [{name}] bmc, and any firewall between this "
                "host and it")
    if reason == noanswer.UNRESOLVED:
        return (f"put the BMC's IP address in [{name}] bmc, or fix name resolution on this "
                "host")
    if reason in (noanswer.NO_ANSWER_FRESH, noanswer.DROPPED_FRESH):
        return (f"check {name}'s BMC at {addr}: its web server does not answer (its web UI; "
                "a BMC reset may help)")
    return cut_fix(name, exc) or f"check {name}'s BMC health (its web UI; a BMC reset may help)"


def cut_fix(name: str, exc: HamnhwError) -> str | None:
    """What gives ``name``'s reads the time that tells silence, when ``exc`` is a wait cut
    short by hamnhw's own limit (None otherwise)."""
    reason = _unanswered(exc)
    if reason == noanswer.CONNECT_CUT:
        return (f"give [{name}] a connect_timeout of {noanswer.SILENT_CONNECT_S:g} s or more "
                "and a timeout longer than it")
    if reason == noanswer.REPLY_CUT:
        return f"give [{name}] a timeout longer than pyghmi's own wait (about 5 s)"
    return None


def answered(name: str, exc: HamnhwError, what: str, command: str = "resume",
             config: Config | None = None) -> str:
    """The stop reason for ``name``'s BMC answering ``exc`` where ``what`` needed its power;
    ``command`` (``resume``, ``abort``) goes on once it is fixed; ``config`` names the
    password source (:func:`remedy`)."""
    return (f"{name}'s BMC {did(exc)} ({exc}): {what}; only a silent BMC (no connection "
            "made, no route to it) stands for pulled power cords, and an acknowledgement "
            f"does not override that: {remedy(name, exc, config)}, then `hamnhw failover "
            f"{command}`")
