"""The machinery every step uses: journaled actions, BMC connections, stops and acknowledgements.

:meth:`RunContext.act` is the crash-safety rule in one place: the intent is committed before
the request, the outcome after; an intent found without an outcome (a crash) is settled by
re-reading the BMC (the action's ``recover``) before anything is sent again, and an action
marked ``resend="confirm"`` (a power-on) is never sent again without the operator's typed
confirmation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hamnhw import pair
from hamnhw.config import Config
from hamnhw.errors import HamnhwError
from hamnhw.failover import killpoints
from hamnhw.failover.journal import Journal, RunRecord
from hamnhw.failover.operator import AckRequest, Operator
from hamnhw.failover.states import State, check_transition
from hamnhw.log import get_logger
from hamnhw.node import Node
from hamnhw.pair.snapshot import PairSnapshot
from hamnhw.poll import PollPolicy

LOG = get_logger("hamnhw.failover")


class Stop(Exception):
    """The run stops here (exit 1 with ``stop_reason``; 10 when ``waiting``).

    :param needs: the acknowledgement that lets ``resume`` go on, if one does.
    :param waiting: True when the run waits for the operator (disk move, typed serials).
    """

    def __init__(self, reason: str, *, needs: AckRequest | None = None,
                 waiting: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.needs = needs
        self.waiting = waiting


class Interrupted(BaseException):
    """SIGTERM arrived: journal "interrupted" and leave the run resumable."""


@dataclasses.dataclass(frozen=True)
class Options:
    """What the command line said."""

    accept_degraded: bool = False
    disks_moved: bool = False


class RunContext:
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
        self.journal.set_state(self.run.id, new.value, stop_reason)
        self.event("state", f"{self.state.value} -> {new.value}")
        self.refresh()
        killpoints.reached(f"state:{new.value}")

    def remember(self, **facts: Any) -> None:
        """Merge facts into the run."""
        self.journal.update_facts(self.run.id, facts)
        self.refresh()

    def event(self, kind: str, message: str, data: Any = None) -> None:
        """Journal an event and narrate it when it is news for the operator."""
        self.journal.event(self.run.id, kind, message, data)
        if kind in ("step", "warning", "check", "ack", "resume"):
            self.operator.say(f"[{kind}] {message}")

    def warn(self, message: str) -> None:
        """A warning kept in the report."""
        LOG.warning("%s", message)
        self.event("warning", message)

    def check(self, name: str, passed: bool | None, detail: str) -> bool:
        """Record one check's result (None: unverified) in the run's facts and events."""
        checks = [c for c in self.facts.get("checks", []) if c["name"] != name]
        checks.append({"name": name, "passed": passed, "detail": detail})
        self.remember(checks=checks)
        verdict = {True: "pass", False: "FAIL", None: "unverified"}[passed]
        self.event("check", f"{name}: {verdict} ({detail})")
        return bool(passed)

    # -- acknowledgements --------------------------------------------------------------------

    def acknowledged(self, request: AckRequest) -> bool:
        """True when the phrase was typed in this run (journaled with who and when), now or
        before."""
        for event in self.journal.events(self.run.id):
            if event.kind == "ack" and isinstance(event.data, dict) and (
                    event.data.get("phrase") == request.phrase):
                return True
        if not self.operator.acknowledge(request):
            return False
        self.event("ack", f"{request.phrase!r} typed by {self.operator.identity()}",
                   {"phrase": request.phrase, "kind": request.kind,
                    "who": self.operator.identity(), "reason": request.reason})
        return True

    def require(self, request: AckRequest, waiting: bool = False) -> None:
        """Go on only with the acknowledgement; else :class:`Stop` naming it."""
        if not self.acknowledged(request):
            raise Stop(request.reason, needs=request, waiting=waiting)

    # -- BMC connections ---------------------------------------------------------------------

    def node(self, name: str) -> Node:
        """A connection to ``name`` (opened once per invocation; the session is journaled)."""
        if name not in self._nodes:
            node = pair.connect_node(self.config, name, poll=self.poll, prompt=self._prompt)
            path = session_path(node)
            session_id = (None if path is None else
                          self.journal.session_opened(self.run.id, name, path))
            self._nodes[name] = (node, session_id)
        return self._nodes[name][0]

    def logout(self, name: str | None = None) -> None:
        """Log out of ``name`` (of both with None) and journal the sessions closed."""
        for key in [name] if name else list(self._nodes):
            entry = self._nodes.pop(key, None) if key else None
            if entry is None:
                continue
            node, session_id = entry
            try:
                node.close()
            except HamnhwError as exc:
                LOG.warning("%s: logout failed: %s", key, exc)
            if session_id is not None:
                self.journal.session_closed(session_id)

    # -- journaled actions -------------------------------------------------------------------

    def act(self, step: str, action: str, node: str | None, intent: dict[str, Any],
            do: Callable[[], dict[str, Any]],
            recover: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
            resend: str = "allowed", facts: Callable[[dict[str, Any]], dict[str, Any]] | None
            = None) -> dict[str, Any]:
        """Do ``step.action`` once per run, crash-safely.

        :param do: sends the request and returns the outcome (call :meth:`sent` right after
            a POST was accepted).
        :param recover: given the intent of an interrupted earlier attempt, re-reads the BMC
            and returns its outcome when the request took effect, None when it did not.
        :param resend: ``allowed``, or ``confirm`` (never again without a typed
            confirmation: a target power-on).
        :param facts: run facts to commit with the outcome, from the outcome.
        """
        record = self.journal.open_step(self.run.id, step, action)
        if record is not None and record.outcome is not None and not _failed(record.outcome):
            return record.outcome
        if record is not None and record.outcome is None:
            self.event("resume", f"{step}.{action}: intent without outcome; re-reading "
                                 f"{node or 'the BMCs'}")
            result = recover(record.intent) if recover else None
            if result is not None:
                result = {**result, "recovered": True}
                self.journal.outcome(record.id, result, facts(result) if facts else None)
                self.refresh()
                return result
            if resend == "confirm":
                self.require(AckRequest(
                    "resend_power_on", f"resend {action} to {node}",
                    f"{step}.{action} was sent to {node} by an interrupted run and shows no "
                    f"effect; it is never re-sent without confirmation: check {node}, then "
                    "confirm"))
            self.journal.outcome(record.id, {"not_applied": True})
        step_id = self.journal.intent(self.run.id, step, action, node, intent)
        self._current = f"{step}.{action}"
        killpoints.reached(f"{step}.{action}:intent")
        try:
            result = do()
        except HamnhwError as exc:
            if resend != "confirm":  # a power-on's fate stays open: the next run re-reads
                self.journal.outcome(step_id, {"error": str(exc)})
            raise
        except Stop as stop:
            self.journal.outcome(step_id, {"error": stop.reason})
            raise
        self.journal.outcome(step_id, result, facts(result) if facts else None)
        self.refresh()
        killpoints.reached(f"{step}.{action}:outcome")
        return result

    def sent(self) -> None:
        """Called by an action right after its request was accepted (a kill point)."""
        killpoints.reached(f"{self._current}:sent")

    _current = ""


def _failed(outcome: dict[str, Any]) -> bool:
    """An outcome that does not count as done: the action failed or never took effect."""
    return "error" in outcome or bool(outcome.get("not_applied"))


def session_path(node: Node) -> str | None:
    """The Redfish session the connection holds, when it holds one.

    The transport keeps it private; read it without failing when absent (basic auth,
    another transport).
    """
    client = getattr(node.driver, "client", None)
    path = getattr(client, "session_path", None) or getattr(client, "_session_path", None)
    return path if isinstance(path, str) else None
