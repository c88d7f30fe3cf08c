"""The machinery every step uses: journaled actions, BMC connections, stops and answers.

:meth:`RunContext.act` is the crash-safety rule in one place: the intent is committed before
the request, the outcome after; an intent found without an outcome (a crash) is settled by
re-reading the BMC (the action's ``recover``) before anything is sent again, and an action
marked ``resend="confirm"`` (a power-on) is never sent again without the operator's typed
confirmation.  An action's ``gate`` (the checks before a power-on) runs right before its
intent, on every attempt, first or resumed.

An operator's answer (:meth:`RunContext.require`) is journaled with the situation it
answers and never counts for another one; a phrase given on the command line answers only
the situation the previous stop named (kept as the run's ``pending_ask``), or at a resume the
old node's silence (:class:`~hamnhw.failover.phrases.GivenAnswers`).  An acknowledged
silence of an old node's BMC stands for its later silences until that BMC answers
(:meth:`RunContext.heard`, :mod:`~hamnhw.failover.standing`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hamnhw import interrupts, pair
from hamnhw.config import Config
from hamnhw.errors import HamnhwError
from hamnhw.failover import killpoints, standing, verdicts
from hamnhw.failover.connections import Connections
from hamnhw.failover.journal import Journal, RunRecord
from hamnhw.failover.operator import AckRequest, MissingDrives, Operator, SerialsRequest
from hamnhw.failover.phrases import GivenAnswers, given_phrases
from hamnhw.failover.states import State, check_transition
from hamnhw.ipmi_pair import ExpectedSerials, expected_serials
from hamnhw.log import get_logger
from hamnhw.node import Node
from hamnhw.pair.snapshot import PairSnapshot
from hamnhw.poll import PollPolicy

LOG = get_logger("hamnhw.failover")

Request = AckRequest | SerialsRequest | MissingDrives
"""What a stop may ask of the operator."""


class Stop(Exception):
    """The run stops here (exit 1 with ``stop_reason``; 10 when ``waiting``).

    :param needs: what the operator must answer for ``resume`` to go on, if anything.
    :param waiting: True when the run waits for the operator (disk move, typed serials).
    """

    def __init__(self, reason: str, *, needs: Request | None = None,
                 waiting: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.needs = needs
        self.waiting = waiting


@dataclasses.dataclass(frozen=True)
class Options:
    """What the command line said."""

    accept_degraded: bool = False
    disks_moved: bool = False
    resumed: bool = False
    """A ``resume``: the old node's cords phrase given may answer its silence."""
    command: str = "resume"
    """The command, for the warnings on the answers it was given (``resume``, ``abort``)."""


class RunContext(Connections):
    """One coordinator invocation working on one run."""

    def __init__(self, config: Config, journal: Journal, run: RunRecord, operator: Operator,
                 options: Options, snapshot: PairSnapshot, poll: PollPolicy,
                 prompt: Callable[[str], str] | None = None) -> None:
        self.config = config
        self.settings = config.failover
        self.journal = journal
        self.run = run
        self.operator = operator
        self.options = options
        self.snapshot = snapshot
        self.poll = poll
        self._prompt = prompt
        self._nodes: dict[str, tuple[Node, int | None]] = {}
        self._refused: dict[str, HamnhwError] = {}
        self.given = GivenAnswers(given_phrases(operator), run.facts.get("pending_ask"),
                                  run.source if options.resumed else None, options.command)
        """The answers on the command line: for the situation the previous stop asked about
        (or at a resume the old node's silence), once."""
        self._current = ""

    # -- run record --------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """The old active node (fenced)."""
        return self.run.source

    @property
    def target(self) -> str:
        """The node taking over."""
        return self.run.target

    @property
    def state(self) -> State:
        return State(self.run.state)

    @property
    def facts(self) -> dict[str, Any]:
        return self.run.facts

    def refresh(self) -> None:
        """Re-read the run row."""
        self.run = self.journal.run(self.run.id)

    def transition(self, new: State, stop_reason: str | None = None) -> None:
        """Commit ``state -> new`` (checked against the table)."""
        check_transition(self.state, new)
        with interrupts.deferred():
            self.journal.set_state(self.run.id, new.value, stop_reason)
            self.event("state", f"{self.state.value} -> {new.value}")
        self.refresh()
        killpoints.reached(f"state:{new.value}")

    def entries(self, state: State) -> int:
        """How many times the run entered ``state`` (a new entry is a new situation)."""
        return sum(1 for e in self.journal.events(self.run.id)
                   if e.kind == "state" and e.message.endswith(f"-> {state.value}"))

    def remember(self, **facts: Any) -> None:
        """Merge facts into the run."""
        self.journal.update_facts(self.run.id, facts)
        self.refresh()

    def event(self, kind: str, message: str, data: Any = None) -> None:
        """Journal an event and narrate it when it is news for the operator; a warning is
        logged instead, once (on stderr, ``--json`` included), not narrated as well."""
        self.journal.event(self.run.id, kind, message, data)
        if kind == "warning":
            LOG.warning("%s", message)
        elif kind in ("step", "check", "ack", "resume"):
            self.operator.say(f"[{kind}] {message}")

    def warn(self, message: str) -> None:
        """A warning kept in the report (and said once on stderr)."""
        self.event("warning", message)

    def check(self, name: str, passed: bool | None, detail: str, *,
              warning: bool = False) -> bool:
        """Record one check's result (None: unverified; False with ``warning``: a finding
        the run goes on with, ``WARN``; a pass after a failure: ``resolved``) in the run's
        facts and events (:mod:`hamnhw.failover.verdicts`)."""
        checks = self.facts.get("checks", [])
        earlier = next((c for c in checks if c["name"] == name), None)
        entry = verdicts.recorded(name, passed, detail, self.journal.now(), warning=warning,
                                  earlier=earlier)
        self.remember(checks=[c for c in checks if c["name"] != name] + [entry])
        self.event("check", f"{name}: {entry['verdict']} ({detail})")
        return bool(passed)

    def resolve_earlier(self, state: State, since: float) -> None:
        """The step of ``state`` went through: its checks that failed at an attempt before
        ``since`` and were not found again are resolved."""
        site = "disks" if state is State.AWAITING_DISKS else state.value
        checks = verdicts.resolve_earlier(self.facts.get("checks", []), site, since)
        if checks is not None:
            self.remember(checks=checks)

    # -- the operator's answers --------------------------------------------------------------

    def answer(self, situation: str) -> Any:
        """The answer journaled for ``situation`` in this run (True for a typed phrase, the
        typed serials for a :class:`SerialsRequest`), or None when it was not answered."""
        for event in self.journal.events(self.run.id):
            if event.kind == "ack" and isinstance(event.data, dict) and (
                    event.data.get("situation") == situation):
                return event.data.get("typed", True)
        return None

    def require(self, request: AckRequest, waiting: bool = False) -> None:
        """Go on only when the operator answered this very situation with the phrase;
        else :class:`Stop` naming it."""
        if self.answer(request.situation) is not None:
            return
        if self.given.takes(request.situation, request.phrase in self.given.phrases,
                            request.phrase, request.silence_of is not None):
            self._answered(request, True, f"{request.phrase!r} typed")
            return
        if standing.use(self, request):
            return
        if self.operator.interactive and self.operator.acknowledge(request):
            self._answered(request, True, f"{request.phrase!r} typed")
            return
        self.given.not_taken(request.phrase, request.situation)
        self._ask(request, waiting)

    def heard(self, name: str, what: str) -> None:
        """``name``'s BMC answered (``what``: ``reads Off``, what it did): no
        acknowledgement of its silence stands any more, nor does a cords phrase given on the
        command line answer its silence."""
        standing.cancel(self, name, what)
        self.given.answered(name, what)

    def typed_serials(self, request: SerialsRequest) -> tuple[str, ...]:
        """The serials the operator typed for this situation (asked now, or given on the
        command line for it); else :class:`Stop` waiting for them (exit 10)."""
        known = self.answer(request.situation)
        if isinstance(known, list):
            return tuple(known)
        given = tuple(getattr(self.operator, "disk_serials", ()) or ())
        typed: tuple[str, ...] | None = given if self.given.takes(request.situation,
                                                                  bool(given)) else None
        if typed is None and self.operator.interactive:
            typed = self.operator.read_serials(request)
        if not typed:
            self._ask(request, True)
        assert typed is not None
        self._answered(request, list(typed), f"serials {', '.join(typed)} typed")
        return typed

    def _answered(self, request: Request, typed: Any, what: str) -> None:
        who = self.operator.identity()
        with interrupts.deferred():
            self.event("ack", f"{what} by {who} ({request.situation})",
                       {"situation": request.situation, "kind": request.kind, "typed": typed,
                        "phrase": getattr(request, "phrase", None), "who": who,
                        "reason": request.reason})
            if (self.facts.get("pending_ask") or {}).get("situation") == request.situation:
                self.remember(pending_ask=None)
            if isinstance(request, AckRequest) and request.silence_of:
                standing.establish(self, request.silence_of, request.situation)

    def _ask(self, request: Request, waiting: bool) -> None:
        self.remember(pending_ask={"situation": request.situation, "kind": request.kind,
                                   "phrase": getattr(request, "phrase", None)})
        raise Stop(request.reason, needs=request, waiting=waiting)

    def expected_serials(self) -> ExpectedSerials:
        """The MN's RAID1 member serials: the snapshot's, else ``drive_serials`` of the
        config's pair tables.  :raises ConfigError: neither names one."""
        configured = [s for name in pair.PAIR_NODES if name in self.config.nodes
                      for s in self.config.node(name).drive_serials]
        return expected_serials(self.snapshot, configured)

    # -- journaled actions -------------------------------------------------------------------

    def act(self, step: str, action: str, node: str | None, intent: dict[str, Any],
            do: Callable[[], dict[str, Any]],
            recover: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
            resend: str = "allowed", facts: Callable[[dict[str, Any]], dict[str, Any]] | None
            = None, gate: Callable[[], None] | None = None,
            doubt: Callable[[HamnhwError], bool] | None = None) -> dict[str, Any]:
        """Do ``step.action`` once per run, crash-safely.

        :param do: sends the request and returns the outcome (call :meth:`sent` right after
            a POST was accepted).
        :param recover: given the intent of an interrupted earlier attempt, re-reads the BMC
            and returns its outcome when the request took effect, None when it did not.
        :param resend: ``allowed``, or ``confirm`` (never again without a typed
            confirmation: a power-on).
        :param facts: run facts to commit with the outcome, from the outcome.
        :param gate: checks run right before the intent of every attempt that sends (a
            power-on's); it raises :class:`Stop` to send nothing.
        :param doubt: True for an error of ``do`` that leaves the request's effect unknown
            (it may have been applied: :func:`~hamnhw.failover.bmcanswer.maybe_applied`):
            its outcome then stays open, as a crash leaves it, and the next attempt re-reads
            the BMC (``recover``) before anything is sent again.  A power-on's
            (``resend="confirm"``) always stays open.
        """
        record = self.journal.open_step(self.run.id, step, action)
        if record is not None and record.outcome is not None and not _failed(record.outcome):
            return record.outcome
        if record is not None and record.outcome is None:
            result = self._settle(record, node, recover, resend)
            if result is not None:
                self.journal.outcome(record.id, result, facts(result) if facts else None)
                self.refresh()
                return result
        if gate is not None:
            gate()
        return self._send(step, action, node, intent, do, facts,
                          lambda exc: resend == "confirm" or bool(doubt and doubt(exc)))

    def _settle(self, record: Any, node: str | None,
                recover: Callable[[dict[str, Any]], dict[str, Any] | None] | None,
                resend: str) -> dict[str, Any] | None:
        """An intent without outcome: its outcome when it took effect, else None (marked
        not applied, after the typed confirmation a power-on needs)."""
        self.event("resume", f"{record.step}.{record.action}: intent without outcome; "
                             f"re-reading {node or 'the BMCs'}")
        result = recover(record.intent) if recover else None
        if result is not None:
            return {**result, "recovered": True}
        if resend == "confirm":
            self.require(AckRequest(
                "resend_power_on", f"resend {record.action} to {node}",
                f"{record.step}.{record.action} was sent to {node} by an interrupted run and "
                f"shows no effect; it is never re-sent without confirmation: check {node}, "
                "then confirm", situation=f"resend:{record.id}"))
        self.journal.outcome(record.id, {"not_applied": True})
        return None

    def _send(self, step: str, action: str, node: str | None, intent: dict[str, Any],
              do: Callable[[], dict[str, Any]],
              facts: Callable[[dict[str, Any]], dict[str, Any]] | None,
              open_on: Callable[[HamnhwError], bool]) -> dict[str, Any]:
        with interrupts.deferred():
            step_id = self.journal.intent(self.run.id, step, action, node, intent)
        outer, self._current = self._current, f"{step}.{action}"
        try:
            killpoints.reached(f"{step}.{action}:intent")
            try:
                result = do()
            except HamnhwError as exc:
                if not open_on(exc):  # else its fate stays open: the next attempt re-reads
                    self.journal.outcome(step_id, {"error": str(exc)})
                raise
            except Stop as stop:
                self.journal.outcome(step_id, {"error": stop.reason})
                raise
            with interrupts.deferred():
                self.journal.outcome(step_id, result, facts(result) if facts else None)
            self.refresh()
            killpoints.reached(f"{step}.{action}:outcome")
        finally:
            self._current = outer
        return result

    def attempts(self, step: str, action: str) -> int:
        """How many times ``step.action`` was journaled in this run (superseded included)."""
        return sum(1 for r in self.journal.steps(self.run.id)
                   if r.step == step and r.action == action)

    def sent(self) -> None:
        """Called by an action right after its request was accepted (a kill point)."""
        killpoints.reached(f"{self._current}:sent")


def _failed(outcome: dict[str, Any]) -> bool:
    """An outcome that does not count as done: the action failed or never took effect."""
    return "error" in outcome or bool(outcome.get("not_applied"))

