"""Exit codes of the ``hamnhw`` command, decided here and nowhere else.

====  ======================  ===================================================
code  name                    when
====  ======================  ===================================================
0     ``OK``                  success
1     ``FAILED``              the operation failed: the BMC answered but the
                              result did not come (``OperationFailed``,
                              ``PowerStateTimeout``, ``WaitTimeout``,
                              ``JobFailed``), a timeout after the BMC had
                              answered (``BmcTimeout``), an HTTP error
                              (``HttpError``), an unusable answer
                              (``MalformedResponse``), a capability the driver
                              lacks (``UnsupportedOperation``), a write
                              refused before sending (``RefusedOperation``),
                              no driver
                              matches (``DriverNotFound``), a request refused
                              after a session expired although re-login worked
                              (``SessionExpired``), a connection that broke
                              after the request was sent, so the BMC may have
                              acted on it (``ConnectionDropped``), any other
                              error
2     ``USAGE``               usage or configuration error: bad options, bad or
                              unreadable config file, unsafe password file
                              (``ConfigError``), or a ``DriverNotFound`` the user
                              can fix (several systems and none picked, unknown
                              driver name or vendor URL scheme)
3     ``UNREACHABLE``         the BMC never answered (``BmcUnreachable``) or the
                              TLS handshake / certificate check failed
                              (``TlsError``)
4     ``AUTH``                the BMC refused the credentials
                              (``AuthenticationError``)
5     ``UNHEALTHY``           a ``--check`` found something unhealthy (also
                              ``pair check``, ``lint-os``), or ``dhcp render``
                              left an address unreserved for a node
10    ``WAITING_FOR_OPERATOR`` a failover step waits for an operator
130   ``INTERRUPTED``         SIGINT (Ctrl-C) stopped a one-shot command
                              (``Interrupted``): the session was logged out;
                              ``request_sent`` says whether the BMC may act
143   ``TERMINATED``          SIGTERM stopped it (``timeout(1)``, systemd,
                              Ansible), otherwise the same as 130
====  ======================  ===================================================

A command over several nodes (``NODE...``, a range, a group, ``--nodes-file``) exits 2
with nothing sent when a name in it is no node or group of the config
(:func:`hamnhw.fleet.targets.select`); otherwise 0 only when every node succeeded, else
with the first present, in this order, of the nodes' codes: 130/143 (interrupted), 3, 4, 1,
5, 2 (:func:`aggregate`).

Servers (``hamnhw sim``) stop cleanly on either signal and exit 0.

Every later command uses :func:`exit_code_for` to turn an exception into a
code, so the table above holds for all of them.
"""

from __future__ import annotations

import enum
import signal
from collections.abc import Iterable

import click

from hamnhw.errors import (
    AuthenticationError,
    BmcUnreachable,
    ConfigError,
    ConnectionDropped,
    DriverNotFound,
    Interrupted,
    SessionExpired,
)


class ExitCode(enum.IntEnum):
    """The documented exit codes."""

    OK = 0
    FAILED = 1
    USAGE = 2
    UNREACHABLE = 3
    AUTH = 4
    UNHEALTHY = 5
    WAITING_FOR_OPERATOR = 10
    INTERRUPTED = 128 + signal.SIGINT
    TERMINATED = 128 + signal.SIGTERM


def exit_code_for(exc: BaseException) -> ExitCode:
    """Map an exception to the exit code of the table above.

    Order matters only where classes nest: ``TlsError`` is a
    ``BmcUnreachable`` and maps to the same code.
    """
    if isinstance(exc, Interrupted):
        return ExitCode.TERMINATED if exc.signum == signal.SIGTERM else ExitCode.INTERRUPTED
    if isinstance(exc, (ConfigError, click.UsageError)):
        return ExitCode.USAGE
    if isinstance(exc, DriverNotFound):
        return ExitCode.USAGE if exc.usage else ExitCode.FAILED
    if isinstance(exc, ConnectionDropped):
        return ExitCode.FAILED
    if isinstance(exc, BmcUnreachable):
        return ExitCode.UNREACHABLE
    if isinstance(exc, AuthenticationError) and not isinstance(exc, SessionExpired):
        return ExitCode.AUTH
    return ExitCode.FAILED


AGGREGATE_ORDER: tuple[ExitCode, ...] = (
    ExitCode.INTERRUPTED, ExitCode.TERMINATED, ExitCode.UNREACHABLE, ExitCode.AUTH,
    ExitCode.FAILED, ExitCode.UNHEALTHY, ExitCode.USAGE,
)
"""Which node's code a fan-out exits with: the first present (see the table above)."""


def aggregate(codes: Iterable[int]) -> int:
    """The exit code of a command over several nodes, from each node's code.

    0 when every node succeeded (or none ran); else the first of
    :data:`AGGREGATE_ORDER` present; a code not listed there (10) comes last.
    """
    present = {int(code) for code in codes} - {0}
    for code in AGGREGATE_ORDER:
        if code in present:
            return int(code)
    return min(present, default=0)
