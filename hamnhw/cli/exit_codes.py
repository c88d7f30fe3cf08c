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
5     ``UNHEALTHY``           a ``--check`` found something unhealthy
10    ``WAITING_FOR_OPERATOR`` a failover step waits for an operator
130   ``INTERRUPTED``         SIGINT (Ctrl-C) stopped a one-shot command
                              (``Interrupted``): the session was logged out;
                              ``request_sent`` says whether the BMC may act
143   ``TERMINATED``          SIGTERM stopped it (``timeout(1)``, systemd,
                              Ansible), otherwise the same as 130
====  ======================  ===================================================

Servers (``hamnhw sim``) stop cleanly on either signal and exit 0.

Every later command uses :func:`exit_code_for` to turn an exception into a
code, so the table above holds for all of them.
"""

from __future__ import annotations

import enum
import signal

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
