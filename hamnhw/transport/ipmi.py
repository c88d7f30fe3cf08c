"""``IpmiTransport``: IPMI 2.0 over LAN (RMCP+, "lanplus") through pyghmi's ``Command``.

A thin wrapper: pyghmi logs in and frames the packets; hamnhw adds what a fleet tool needs
around it:

* **typed errors** naming the BMC for every pyghmi failure (:mod:`hamnhw.transport.ipmi_errors`):
  a wrong password is an :class:`~hamnhw.errors.AuthenticationError` at once (no retry loop:
  BMCs lock accounts), a dead BMC a :class:`~hamnhw.errors.BmcUnreachable`, pyghmi's
  ``struct.error`` on a cipher-suite mismatch a
  :class:`~hamnhw.transport.ipmi_errors.CipherSuiteMismatch`, replies carrying
  ``error``/``code`` an :class:`~hamnhw.transport.ipmi_errors.IpmiCommandError`;
* **bounded retries with backoff** for "node busy" (completion code 0xC0: the command was not
  processed) and "insufficient resources" at login, and nothing else;
* **the deadline**: pyghmi's login gives up by itself after about 4.5 s and each command
  retransmits on its own timers; hamnhw runs every pyghmi call in a worker thread and stops
  waiting when the operation deadline passes, so a ``--timeout`` shorter than pyghmi's own
  waits is honoured.  A longer ``--timeout`` cannot make pyghmi wait longer per attempt;
* **pacing** (:mod:`hamnhw.transport.ipmi_pacing`): at least 1 s by default between two
  top-level commands to one BMC (shared by every transport of the process that talks to
  that ``host:port``; the packets of the session setup are not paced), configurable per
  transport and through ``$HAMNHW_IPMI_PACING_S``;
* **no secrets in logs**: the password and Kg are registered for redaction, pyghmi's own
  loggers are pinned at WARNING behind the redacting filter, and messages are redacted.

pyghmi keeps ONE process-wide I/O thread that reads the UDP sockets of every session; a
caller thread waits for its own reply and may handle packets of other sessions on the way.
Commands to different BMCs from different threads therefore run concurrently; commands to
one transport are serialised by its lock.  pyghmi shares one session between
``Command`` objects with the same host, port, user and password, so keep one open
:class:`~hamnhw.node.Node` per BMC and process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from hamnhw import noanswer
from hamnhw.address import BmcAddress
from hamnhw.connection import Credentials, Secret, Timeouts
from hamnhw.deadline import Deadline
from hamnhw.errors import BmcTimeout, BmcUnreachable, ConfigError, ConnectionDropped
from hamnhw.log import RedactingFilter, forget_secret, get_logger, register_secret
from hamnhw.transport.client import BmcClient, DeadlineScope
from hamnhw.transport.ipmi_device import DeviceId, parse_device_id
from hamnhw.transport.ipmi_errors import (
    COMPLETION_NODE_BUSY,
    InsufficientPrivilege,
    IpmiBusy,
    IpmiCommandError,
    RoleRefused,
    SessionBroken,
    command_error,
    login_error,
    reply_error,
)
from hamnhw.transport.ipmi_pacing import Pacer, pacing_from_env
from hamnhw.transport.retry import RetryPolicy

LOG = get_logger("hamnhw.transport.ipmi")
T = TypeVar("T")

PRIVILEGES = {"user": 2, "operator": 3, "administrator": 4}
"""IPMI privilege levels by name; None lets pyghmi ask for administrator, then operator."""
BUSY_RETRY = RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=4.0)
"""Retries of a login refused for lack of resources and of a "node busy" reply."""
LOGOUT_GRACE_S = 2.0
"""At most this long is spent logging out."""
PYGHMI_LOGGER = "pyghmi"
"""pyghmi's loggers (this one and its children), pinned at WARNING and redacted."""

CommandFactory = Callable[..., Any]
"""Builds a logged-in ``pyghmi.ipmi.command.Command`` from its keyword arguments."""


def quiet_pyghmi_loggers() -> None:
    """Pin pyghmi's loggers at WARNING and put the redacting filter on each of them (a
    logger's filter does not see its children's records, so every existing one gets it)."""
    logging.getLogger(PYGHMI_LOGGER).setLevel(logging.WARNING)
    names = [PYGHMI_LOGGER, *(name for name in logging.Logger.manager.loggerDict
                              if name.startswith(PYGHMI_LOGGER + "."))]
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def _pyghmi_command(**kwargs: Any) -> Any:
    """pyghmi's ``Command(**kwargs)``, after forgetting a stale session of the same BMC and
    account.

    pyghmi 1.6.19 registers a session being set up under ``(bmc, user, password, port, kg)``
    with text values but removes it under the encoded ones, so the entry outlives the
    session: the next ``Command`` of the process for that BMC and account would be handed
    the logged-out (or failed) session and fail at once.
    """
    from pyghmi.ipmi import command
    from pyghmi.ipmi.private import session

    quiet_pyghmi_loggers()  # the import above created them
    key = tuple(kwargs.get(k) for k in ("bmc", "userid", "password", "port", "kg"))
    stale = session.Session.initting_sessions.get(key)
    if stale is not None and getattr(stale, "broken", False):
        session.Session.initting_sessions.pop(key, None)
    return command.Command(**kwargs)


@dataclasses.dataclass
class _Worker:
    """One pyghmi call running in its own thread."""

    thread: threading.Thread
    finished: threading.Event
    outcome: list[Any]


def _start(fn: Callable[[], Any], name: str) -> _Worker:
    finished = threading.Event()
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(("value", fn()))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(("error", exc))
        finally:
            finished.set()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return _Worker(thread, finished, outcome)


class RawRequests:
    """The IPMI requests of one top-level command (:meth:`IpmiTransport.batch`); used in
    the worker thread that runs it."""

    def __init__(self, command: Any, host: str) -> None:
        self.command = command
        """pyghmi's ``Command``, for its higher-level calls (``get_inventory``)."""
        self.host = host

    def send(self, what: str, netfn: int, command: int, data: Iterable[int] = ()) -> bytes:
        """One request; the response data, or the typed error its reply carries."""
        reply = self.command.raw_command(netfn=netfn, command=command, data=tuple(data))
        error = reply_error(reply, what, self.host, (netfn, command))
        if error is not None:
            raise error
        return bytes(reply.get("data") or b"")


class IpmiTransport(BmcClient):
    """An authenticated IPMI-over-LAN session to one BMC.

    :param address: a parsed ``ipmi://host[:port]`` URL (port 623 by default).
    :param credentials: user and password.
    :param timeouts: ``operation`` is the default deadline of work outside any block.
    :param kg: the BMC key (Kg), for BMCs that require one.
    :param privilege: ``user``, ``operator`` or ``administrator``; None lets pyghmi ask for
        administrator and fall back to operator.
    :param pacing: minimum seconds between two top-level commands to this BMC; None for
        ``$HAMNHW_IPMI_PACING_S`` or :data:`~hamnhw.transport.ipmi_pacing.DEFAULT_PACING_S`.
    :param boot_mode: ``UEFI`` or ``Legacy``, the node's firmware boot mode as configured;
        the driver keeps it in a boot override when the BMC's boot flags do not tell it.
    :param command_factory: builds pyghmi's ``Command`` (tests pass a scripted fake).
    :param retry: backoff of the busy retries; its clock and sleep drive the deadlines and
        the pacing too.
    """

    protocol = "ipmi"

    def __init__(self, address: BmcAddress, credentials: Credentials,
                 timeouts: Timeouts | None = None, *, kg: Secret | None = None,
                 privilege: str | None = None, pacing: float | None = None,
                 boot_mode: str | None = None, command_factory: CommandFactory | None = None,
                 retry: RetryPolicy = BUSY_RETRY) -> None:
        if address.protocol != "ipmi":
            raise ConfigError(f"not an ipmi:// address: {address.url!r}")
        if privilege is not None and privilege not in PRIVILEGES:
            raise ConfigError(f"IPMI privilege must be one of {', '.join(PRIVILEGES)}, "
                              f"got {privilege!r}", host=address.netloc)
        self.address = address
        self.host = address.netloc
        self.port = address.port or 623
        self.pacing = pacing_from_env() if pacing is None else pacing
        if self.pacing < 0:
            raise ConfigError(f"IPMI pacing must be >= 0 s, got {pacing!r}", host=self.host)
        if boot_mode not in (None, "UEFI", "Legacy"):
            raise ConfigError(f"boot mode must be UEFI or Legacy, got {boot_mode!r}",
                              host=self.host)
        self.boot_mode = boot_mode
        """The node's boot mode as configured (``UEFI``, ``Legacy``), or None."""
        self._credentials = credentials
        self._kg = kg
        self._privilege = privilege
        self._timeouts = timeouts or Timeouts()
        self._factory = command_factory or _pyghmi_command
        self._retry = retry
        self._scope = DeadlineScope(self._timeouts.operation, retry.clock)
        self._pacer = Pacer.for_bmc(self.host)
        self._lock = threading.RLock()
        self._command: Any = None
        self._outstanding: _Worker | None = None
        self.device_id: DeviceId | None = None
        """What Get Device ID said at :meth:`open`."""
        self._secrets = [s.reveal() for s in (credentials.password, kg) if s is not None]
        for value in self._secrets:
            register_secret(value)
        quiet_pyghmi_loggers()

    def __repr__(self) -> str:
        return f"IpmiTransport({self.host!r}, user={self._credentials.username!r})"

    # -- deadlines ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def operation(self, seconds: float | None = None) -> Iterator[None]:
        """One overall deadline (default ``Timeouts.operation``); nested blocks only shorten it."""
        with self._scope.operation(seconds):
            yield

    @contextlib.contextmanager
    def within(self, deadline: Deadline) -> Iterator[None]:
        """Adopt ``deadline`` for the block (an enclosing one that expires first still wins)."""
        with self._scope.within(deadline):
            yield

    def deadline_scope(self) -> contextlib.AbstractContextManager[Deadline]:
        """The deadline in force for the block, else one default deadline for the whole."""
        return self._scope.scope()

    # -- session -----------------------------------------------------------------------------
    def open(self) -> None:
        """Log in (RMCP+).  A login refused for lack of BMC resources is retried with
        backoff a bounded number of times; nothing else is retried.

        :raises AuthenticationError: wrong user, password, Kg or privilege.
        :raises BmcUnreachable: no answer (pyghmi gives up after about 4.5 s, hamnhw earlier
            when the deadline is shorter), or a cipher-suite mismatch.
        :raises MalformedResponse: Get Device ID, read right after login, is unusable.
        """
        kwargs: dict[str, Any] = {
            "bmc": self.address.host, "userid": self._credentials.username,
            "password": self._credentials.password.reveal(), "port": self.port}
        if self._kg is not None:
            kwargs["kg"] = self._kg.reveal()
        if self._privilege is not None:
            kwargs["privlevel"] = PRIVILEGES[self._privilege]
        with self._lock, self._scope.scope() as deadline:
            for attempt in range(1, self._retry.max_attempts + 1):
                try:
                    self._command = self._bounded(lambda: self._login(kwargs), deadline,
                                                  "IPMI login", login=True)
                    break
                except IpmiBusy as exc:
                    self._back_off(exc, attempt, deadline)
                except RoleRefused as exc:  # name the account and the level asked
                    raise exc.for_account(self._credentials.username,
                                          self._privilege) from None
            LOG.info("%s: IPMI session open (user %s)", self.host, self._credentials.username)
            self.device_id = parse_device_id(self.raw("Get Device ID", 0x06, 0x01), self.host)

    def _login(self, kwargs: dict[str, Any]) -> Any:
        """``Command(...)``; pyghmi can hand back a session that another ``Command`` of the
        process was still setting up and that failed meanwhile: that is a failed login."""
        command = self._factory(**kwargs)
        session = getattr(command, "ipmi_session", None)
        if getattr(session, "broken", False):
            raise SessionBroken(getattr(session, "errormsg", None))
        return command

    def _back_off(self, exc: IpmiBusy | IpmiCommandError, attempt: int,
                  deadline: Deadline) -> None:
        """Sleep before the next busy retry, or raise ``exc`` as :class:`IpmiBusy`."""
        delay = self._retry.delay(attempt)
        if attempt >= self._retry.max_attempts or not deadline.allows(delay):
            raise exc if isinstance(exc, IpmiBusy) else IpmiBusy(
                f"{exc.what}: the BMC stayed busy through {attempt} attempts", host=self.host)
        LOG.info("%s: %s; retry %d in %.1f s", self.host, exc.message, attempt, delay)
        self._retry.sleep(delay)

    def close(self) -> None:
        """Log the session out (bounded by :data:`LOGOUT_GRACE_S`; failures are logged, not
        raised) and forget the secrets registered for redaction.  Safe to call twice."""
        command, self._command = self._command, None
        try:
            if command is not None and self._idle():
                grace = self._scope.logout_deadline(LOGOUT_GRACE_S)
                try:
                    self._bounded(lambda: command.ipmi_session.logout(), grace, "IPMI logout")
                except Exception as exc:
                    LOG.info("%s: IPMI logout failed: %s", self.host, exc)
        finally:
            for value in self._secrets:
                forget_secret(value)
            self._secrets = []

    # -- commands ----------------------------------------------------------------------------
    def batch(self, what: str, fn: Callable[[RawRequests], T]) -> T:
        """Run ``fn`` as ONE paced top-level command, within the deadline, translating every
        failure; ``fn`` may send several requests (``requests.send``) or use pyghmi's
        ``Command`` (``requests.command``).

        :param what: what it is for, in messages (``BMC LAN configuration``).
        """
        with self._lock, self._scope.scope() as deadline:
            requests = RawRequests(self._require_open(), self.host)
            with self._pacer.turn(self.pacing, deadline, self._retry, self.host):
                try:
                    return self._bounded(lambda: fn(requests), deadline, what)
                except InsufficientPrivilege as exc:  # name the account and level asked
                    raise exc.for_account(self._credentials.username,
                                          self._privilege) from None

    def raw(self, what: str, netfn: int, command: int, data: Iterable[int] = (), *,
            unsafe: bool = False) -> bytes:
        """Send one IPMI request and return the response data (completion code 0).

        A "node busy" reply (0xC0: not processed) is retried with backoff, a bounded number
        of times; pyghmi itself retransmits a request whose reply was lost, like ipmitool.

        :param unsafe: the command changes state (chassis control, set options): a lost
            reply becomes :class:`~hamnhw.errors.ConnectionDropped` ("may have run"), and
            hamnhw never re-sends it itself.
        :raises IpmiCommandError: another non-zero completion code.
        """
        payload = tuple(data)
        with self._scope.scope() as deadline:
            for attempt in range(1, self._retry.max_attempts + 1):
                try:
                    return self.batch(what, lambda r: r.send(what, netfn, command, payload))
                except BmcUnreachable as exc:
                    if unsafe:
                        raise self._lost(exc, what) from exc
                    raise
                except IpmiCommandError as exc:
                    if exc.code != COMPLETION_NODE_BUSY:
                        raise
                    self._back_off(exc, attempt, deadline)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _lost(self, exc: BmcUnreachable, what: str) -> ConnectionDropped:
        return ConnectionDropped(f"{what}: no reply after the request was sent; the BMC may "
                                 f"have acted on it and it is not re-sent ({exc.message})",
                                 host=self.host, reason=exc.reason)

    # -- worker threads ---------------------------------------------------------------------
    def _require_open(self) -> Any:
        if self._command is None:
            raise BmcUnreachable("the IPMI session is not open", host=self.host)
        if not self._idle():
            raise BmcTimeout("an earlier IPMI command that ran out of time is still waiting "
                             "for its reply; try again later", host=self.host)
        return self._command

    def _idle(self) -> bool:
        worker = self._outstanding
        return worker is None or worker.finished.is_set()

    def _bounded(self, fn: Callable[[], T], deadline: Deadline, what: str, *,
                 login: bool = False) -> T:
        """Run ``fn`` in a worker thread; stop waiting when ``deadline`` passes."""
        left = deadline.left()
        if left <= 0:
            raise BmcTimeout(f"{what}: the operation deadline passed before it was sent",
                             host=self.host, elapsed_s=deadline.elapsed())
        worker = _start(fn, f"hamnhw-ipmi-{self.host}")
        if not worker.finished.wait(left):
            self._outstanding = worker
            if login:
                raise BmcUnreachable(f"{what}: no IPMI session within the {deadline.stated:g} s "
                                     "deadline, which ended the wait before pyghmi gave up "
                                     "(after about 4.5 s)", host=self.host,
                                     reason=noanswer.REPLY_CUT)
            raise BmcTimeout(f"{what}: no IPMI reply within the deadline, which ended the wait "
                             "before pyghmi gave up", host=self.host,
                             elapsed_s=deadline.elapsed(), reason=noanswer.REPLY_CUT)
        kind, value = worker.outcome[0]
        if kind == "value":
            return value
        if login:
            raise login_error(value, self.host, self.port) from None
        raise command_error(value, what, self.host) from None
