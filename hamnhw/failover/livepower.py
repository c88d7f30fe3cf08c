"""Each pair node's power read now, both side by side: what ``failover status`` shows
(:func:`live_power`), and the coordinator's reports after a stop, at a run's end and after an
abort (:func:`run_power`).

A silent BMC (pulled cords: no connection within its whole connect timeout) costs that
timeout; read one after the other, the other node waited for it, and two silent BMCs cost it
twice.  So each node is read in a thread of its own (:func:`side_by_side`), ``status`` under
one overall deadline (:data:`STATUS_DEADLINE_S`).  A node whose BMC did not give its power
has no power state (None), never one read earlier nor ``unreachable``: what its BMC
answered instead and how long hamnhw waited (:func:`answer_of`); ``status`` shows beside it
the power the run last read, with when.

What a BMC answered is told apart as the coordinator tells it
(:mod:`hamnhw.failover.bmcanswer`): silence (no connection made, no route), or a wait cut
short that tells nothing, is ``no answer``; anything else is an answer of a BMC that is up (a
refused connection, credentials refused, access denied, a certificate not accepted, a server
error...), never "unreachable", with what to fix.

::

    now = live_power(config, run.facts)
    now.power["primary"]            # None: not given now
    now.answers["primary"]          # {"answer": "no answer", "waited_s": 1.0, "error", "fix"}
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from hamnhw import interrupts, parallel
from hamnhw.config import Config
from hamnhw.credentials import ResolvedCredentials
from hamnhw.deadline import Deadline
from hamnhw.errors import (
    AccessDenied,
    AuthenticationError,
    ConfigError,
    HamnhwError,
    HttpError,
    MalformedResponse,
    ServerSideError,
    TlsError,
)
from hamnhw.failover.bmcanswer import answers, did, remedy, tcp_answer, transient
from hamnhw.failover.report import NO_ANSWER, PowerNow
from hamnhw.log import get_logger
from hamnhw.models import PowerState
from hamnhw.pair import PAIR_NODES, connect_node, node_credentials
from hamnhw.transport.ipmi_errors import InsufficientPrivilege, RoleRefused

if TYPE_CHECKING:
    from hamnhw.failover.engine import RunContext
    from hamnhw.node import Node

STATUS_DEADLINE_S = 20.0
"""The whole of ``failover status``'s power reads, both nodes side by side (each also within
its node's ``timeout``): a silent BMC costs its connect timeout (5 s by default), a BMC that
accepts a connection and never answers is given up by then."""

SETTLE_S = 2.0
"""How long :func:`run_power` waits, after an interrupt (raised at once by
:func:`hamnhw.parallel.beside`), for the other node's read still under way in its helper
before it keeps the connections opened; a read still under way then closes the connection it
opened itself once it ends."""

LOG = get_logger("hamnhw.failover")

_KINDS: tuple[tuple[type[HamnhwError], str], ...] = (
    (InsufficientPrivilege, "privilege level refused"),
    (RoleRefused, "privilege level refused"),
    (AuthenticationError, "credentials refused"),
    (AccessDenied, "access denied"),
    (TlsError, "certificate not accepted"),
    (ServerSideError, "server error"),
    (MalformedResponse, "malformed answer"),
    (ConfigError, "not asked: config error"),
)

_STATES = frozenset(state.value for state in PowerState) - {PowerState.UNKNOWN.value}
"""What a power read gives (a run journaled before this version may hold ``unreachable``
as a node's last power: that is none)."""


def answer_kind(exc: HamnhwError) -> str:
    """What a BMC answered with ``exc`` in a few words: :data:`NO_ANSWER` when it did not
    answer (:func:`~hamnhw.failover.bmcanswer.answers`: silent, or undecided), else the kind
    of its answer (``refuses connections``, ``credentials refused``, ``privilege level
    refused`` (IPMI), ``access denied``,
    ``certificate not accepted``, ``server error``, ``malformed answer``, ``answered, then
    stalled``, ``HTTP 404``...)."""
    if not answers(exc):
        return NO_ANSWER
    words = tcp_answer(exc)
    if words is not None:
        return words
    for kind, words in _KINDS:
        if isinstance(exc, kind):
            return words
    if transient(exc):
        return "answered, then stalled"
    if isinstance(exc, HttpError):
        return f"HTTP {exc.status}"
    return "error answer"


def answer_of(name: str, exc: HamnhwError, config: Config | None = None,
              waited_s: float | None = None) -> dict[str, Any]:
    """``{"answer", "waited_s", "error", "fix"}``: what ``name``'s BMC answered instead of
    its power (:func:`answer_kind`), how long hamnhw waited for it, the error itself, and
    what to fix (:func:`~hamnhw.failover.bmcanswer.remedy`)."""
    return {"answer": answer_kind(exc), "waited_s": waited_s, "error": str(exc),
            "fix": remedy(name, exc, config)}


@dataclasses.dataclass(frozen=True)
class Reading:
    """One node's power read: its state, else the error, and the seconds it took."""

    state: str | None
    error: HamnhwError | None
    waited_s: float


def side_by_side(read: Callable[[str], str]) -> dict[str, Reading]:
    """``read(name)`` of both pair nodes at once (:func:`hamnhw.parallel.beside`: one in
    this thread, one in a helper), each timed; returns once both ended.  ``read`` may touch
    no journal (its SQLite connection is this thread's)."""
    readings: dict[str, Reading] = {}

    def one(name: str) -> None:
        started = time.monotonic()
        try:
            state, error = read(name), None
        except HamnhwError as exc:
            state, error = None, exc
        readings[name] = Reading(state, error, round(time.monotonic() - started, 1))

    first, second = PAIR_NODES
    parallel.beside(lambda: one(first), lambda: one(second))
    return {name: readings[name] for name in PAIR_NODES}


def power_now(readings: Mapping[str, Reading], config: Config | None) -> PowerNow:
    """The power of each node read (None where not given) and what the others answered."""
    return PowerNow(
        power={name: r.state for name, r in readings.items()},
        answers={name: answer_of(name, r.error, config, r.waited_s)
                 for name, r in readings.items() if r.error is not None})


def live_power(config: Config, facts: Mapping[str, Any],
               prompt: Callable[[str], str] | None = None) -> PowerNow:
    """``failover status``: each node's power read now, side by side under
    :data:`STATUS_DEADLINE_S` (passwords asked before it starts); for a node whose BMC did
    not give it, the power the run last read and when (None: never read)."""
    given: dict[str, ResolvedCredentials | ConfigError] = {}
    for name in PAIR_NODES:
        try:
            given[name] = node_credentials(config, name, prompt)
        except ConfigError as exc:
            given[name] = exc
    deadline = Deadline(STATUS_DEADLINE_S)

    def read(name: str) -> str:
        creds = given[name]
        if isinstance(creds, ConfigError):
            raise creds
        within = deadline.narrowed(config.node(name).timeout or STATUS_DEADLINE_S)
        with connect_node(config, name, credentials=creds, deadline=within) as node, \
                node.operation(deadline=within):
            return node.power.state().value

    now = power_now(side_by_side(read), config)
    last, when = last_power(facts)
    unread = [name for name, state in now.power.items() if state is None]
    now.last = {name: last[name] for name in unread if name in last}
    now.as_of = {name: when.get(name) if name in now.last else None for name in PAIR_NODES}
    return now


def run_power(ctx: RunContext) -> PowerNow:
    """The coordinator's read of each node's power (after a stop, at a run's end, after an
    abort), side by side on the run's connections: a node not connected yet is connected in
    its read's thread, and kept (its session journaled) once both reads ended, whatever ended
    them (an interrupt, an unexpected error: :class:`_Opened`).  A BMC that answered is
    :meth:`~hamnhw.failover.engine.RunContext.heard`; the power read is kept in the run's
    facts with when (``last_power``, ``last_power_at``), for ``status`` when a BMC does not
    answer it."""
    before = {name for name in PAIR_NODES if ctx.connected(name) is not None}
    opened = _Opened(ctx)
    try:
        readings = side_by_side(opened.read)
    finally:
        with interrupts.deferred():  # a second signal waits for the sessions to be kept
            kept = opened.settle()
    for name, reading in readings.items():
        _heard(ctx, name, reading, connecting=name not in (before | kept.keys()))
    now = power_now(readings, ctx.config)
    _remember(ctx, now)
    return now


class _Opened:
    """The connections :func:`run_power`'s reads opened, kept (journaled, logged out by
    ``ctx.logout``) by :meth:`settle` in the coordinator's thread whatever ended the reads
    (an interrupt, an unexpected error included); a read still under way by then closes the
    connection it opened itself when it ends, so none is closed under a read nor left open
    unjournaled."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._nodes: dict[str, Node] = {}
        self._reading: set[str] = set()
        self._settled = False
        self._changed = threading.Condition()

    def read(self, name: str) -> str:
        """``name``'s power, on the run's connection, else on one opened now."""
        with self._changed:
            self._reading.add(name)
        try:
            node = self.ctx.connected(name)
            if node is None:
                node = self.ctx.open_node(name)
                with self._changed:
                    self._nodes[name] = node
            return node.power.state().value
        finally:
            self._ended(name)

    def _ended(self, name: str) -> None:
        with self._changed:
            self._reading.discard(name)
            self._changed.notify_all()
            orphan = self._nodes.pop(name, None) if self._settled else None
        if orphan is not None:
            try:
                orphan.close()
            except HamnhwError as exc:
                LOG.warning("%s: logout failed: %s", name, exc)

    def settle(self) -> dict[str, Node]:
        """Keep the connections opened whose reads ended (waiting up to :data:`SETTLE_S`
        for a read still under way); returns them."""
        with self._changed:
            self._changed.wait_for(lambda: not self._reading, timeout=SETTLE_S)
            self._settled = True
            done = {name: node for name, node in self._nodes.items()
                    if name not in self._reading}
            for name in done:
                del self._nodes[name]
        for name, node in done.items():
            self.ctx.keep(name, node)
        return done


def _heard(ctx: RunContext, name: str, reading: Reading, connecting: bool) -> None:
    exc = reading.error
    if exc is None:
        ctx.heard(name, f"reads {reading.state}")
        return
    refusal = isinstance(exc, AuthenticationError | TlsError)
    if connecting and refusal and ctx.refused_node(exc) is None:
        ctx.refused(name, exc)  # as connecting in the run's thread would have
    if answers(exc) and not isinstance(exc, ConfigError):
        ctx.heard(name, did(exc))


def last_power(facts: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, float]]:
    """The power each node last read in a run (``last_power``) and when; a run journaled
    before this version kept one time for both, and ``unreachable`` as a power."""
    last = {name: state for name, state in (facts.get("last_power") or {}).items()
            if state in _STATES}
    at = facts.get("last_power_at")
    when = dict(at) if isinstance(at, dict) else {name: at for name in last if at}
    return last, when


def _remember(ctx: RunContext, now: PowerNow) -> None:
    read = {name: state for name, state in now.power.items() if state is not None}
    last, when = last_power(ctx.facts)
    at = ctx.journal.now()
    ctx.remember(last_power={**last, **read},
                 last_power_at={**when, **{name: at for name in read}})
