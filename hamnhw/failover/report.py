"""What a run did, read back from the journal: the report of ``start``/``resume``, ``status``
and the drill."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from hamnhw.failover.journal import Journal, RunRecord, StepRecord
from hamnhw.failover.overrides import overrides
from hamnhw.failover.verdicts import FAIL, label, verdict

NO_ANSWER = "no answer"
"""What a BMC that does not answer (:func:`~hamnhw.failover.bmcanswer.silent`) answered, in
:attr:`RunReport.power_answers`."""

OUTCOMES = ("done", "waiting", "stopped", "interrupted", "aborted", "refused", "dry-run",
            "running", "not-running")
"""How an invocation ended: ``done`` (the new MN is verified), ``waiting`` (for the operator,
exit 10), ``stopped`` (a safety stop, exit 1), ``interrupted`` (SIGTERM; resumable),
``aborted``, ``refused`` (nothing was changed), ``dry-run``; as ``failover status`` sees a
run: ``running`` (a coordinator holds the journal), ``not-running`` (unfinished, its
coordinator gone without recording a stop: :mod:`hamnhw.failover.runstatus`)."""


@dataclasses.dataclass
class PowerNow:
    """Each node's power as one invocation read it (:mod:`hamnhw.failover.livepower`)."""

    power: dict[str, str | None]
    """Per node, the state read; None where its BMC did not give it."""
    answers: dict[str, dict[str, Any]]
    """Per node not read, what its BMC answered instead (``RunReport.power_answers``)."""
    last: dict[str, str] = dataclasses.field(default_factory=dict)
    """Per node not read, the power the run last read (``status`` only)."""
    as_of: dict[str, float | None] = dataclasses.field(default_factory=dict)
    """Per node, when :attr:`last` was read (None: read now, or never)."""


@dataclasses.dataclass
class RunReport:
    """One run as the journal holds it, plus how this invocation ended."""

    run_id: int | None
    kind: str
    source: str | None
    target: str | None
    state: str | None
    outcome: str
    stop_reason: str | None = None
    needs: dict[str, Any] | None = None
    """What lets ``resume`` go on: ``{"kind", "phrase", "resume"}`` (``resume``: the command,
    or for ``partial_mirror`` the choices, with ``missing`` the serials not arrived)."""
    steps: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    checks: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    overrides: list[str] = dataclasses.field(default_factory=list)
    """The operator's ``hamnhw power on|cycle --yes`` over this unfinished run, with when
    (:mod:`hamnhw.failover.overrides`)."""
    work_order: dict[str, Any] | None = None
    power: dict[str, str | None] = dataclasses.field(default_factory=dict)
    """Each node's power state as this invocation read it (``status`` reads it now); None:
    its BMC did not give it (:attr:`power_answers` says what it answered instead)."""
    power_last: dict[str, str] = dataclasses.field(default_factory=dict)
    """``status``, per node whose BMC did not give its power now: the power the run last
    read (at :attr:`power_as_of`)."""
    power_as_of: dict[str, float | None] = dataclasses.field(default_factory=dict)
    """Per node, when :attr:`power_last` was read; None or absent: read now (or never)."""
    power_answers: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    """Per node whose BMC did not give its power: what it answered instead, ``{"answer",
    "waited_s", "error", "fix"}`` (``answer``: ``no answer``, ``credentials refused``,
    ``access denied``, ``certificate not accepted``, ``server error``...:
    :func:`~hamnhw.failover.livepower.answer_kind`; ``waited_s``: how long hamnhw waited
    for it)."""
    active_node: str | None = None
    coordinator_alive: bool | None = None
    """``status`` of an unfinished run: whether a process holds the journal's lock now (a
    coordinator working on it); None: not told (a finished run, another command's report,
    a lock file that cannot be read)."""
    coordinator_pid: int | None = None
    """``status`` of an unfinished run: the pid the last coordinator wrote in the lock."""
    plan: str | None = None
    elapsed_s: float | None = None
    error: dict[str, Any] | None = None
    """The error that stopped the run, when one did: ``{"type", "message"}``."""
    exception: BaseException | None = dataclasses.field(default=None, repr=False)
    """That error itself (not in the JSON), for the exit code."""

    @property
    def direction(self) -> str | None:
        """``primary -> standby``."""
        return f"{self.source} -> {self.target}" if self.source and self.target else None

    @property
    def passed(self) -> bool:
        """Done, and no check failed (a ``WARN`` or a ``resolved`` check does not fail it:
        :mod:`hamnhw.failover.verdicts`)."""
        return self.outcome == "done" and all(verdict(c) != FAIL for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name != "exception"}
        data["direction"] = self.direction
        data["passed"] = self.passed
        return data

    def text(self) -> str:
        """The human summary."""
        head = f"failover run {self.run_id}: {self.direction or '?'}: {self.outcome}"
        lines = [head + (f" (state {self.state})" if self.state else "")]
        lines += self._coordinator_lines()
        if self.stop_reason:
            lines.append(f"stop reason: {self.stop_reason}")
        if self.needs:
            lines.append(f"to go on: {self.needs['resume']}")
        for step in self.steps:
            took = "" if step["elapsed_s"] is None else f"{step['elapsed_s']:.1f} s"
            lines.append(f"  step {step['step']:<16} {took:>9}  {step['summary']}")
        lines += [label(check) for check in self.checks]
        lines += [f"  WARNING: {w}" for w in self.warnings]
        lines += [f"  OVERRIDE: {o}" for o in self.overrides]
        if self.power:
            lines.append("  power: " + ", ".join(self._power_words(n) for n in self.power))
        lines += [f"  {n}'s BMC now: {a['answer']} ({a['error']}): {a['fix']}"
                  for n, a in self.power_answers.items() if a["answer"] != NO_ANSWER]
        if self.active_node:
            lines.append(f"  active node: {self.active_node}")
        return "\n".join(lines)

    def show_power(self, now: PowerNow) -> None:
        """Show the power read by this invocation (:class:`PowerNow`)."""
        self.power, self.power_answers = dict(now.power), dict(now.answers)
        self.power_last, self.power_as_of = dict(now.last), dict(now.as_of)

    def _power_words(self, name: str) -> str:
        """``standby on``; ``primary no answer after 1.0 s (last read off at WHEN)``;
        ``primary not read: its BMC answers: credentials refused``."""
        state = self.power[name]
        if state is not None:
            return f"{name} {state}"
        answer = self.power_answers.get(name) or {"answer": "", "waited_s": None}
        waited = answer.get("waited_s")
        if answer["answer"] == NO_ANSWER:
            words = f"{name} no answer" + ("" if waited is None else f" after {waited:.1f} s")
        else:
            words = f"{name} not read: its BMC answers: {answer['answer'] or 'unknown'}"
        last, at = self.power_last.get(name), self.power_as_of.get(name)
        if last is None:
            return words
        return words + f" (last read {last}" + ("" if at is None else f" at {_when(at)}") + ")"

    def _coordinator_lines(self) -> list[str]:
        """Whether a coordinator works on the run (``status``)."""
        pid = f" (pid {self.coordinator_pid})" if self.coordinator_pid else ""
        if self.coordinator_alive is False and self.outcome == "not-running":
            return [f"not running: the coordinator{pid} is gone (killed, or its host went "
                    "down) before it recorded a stop: nothing goes on until you run the "
                    "command below"]
        if self.coordinator_alive:
            return [f"coordinator{pid} running now"]
        return []


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def needs_json(request: Any, command: str) -> dict[str, Any]:
    """What a stop asks of the operator, and the command that answers it."""
    if request.kind == "partial_mirror":
        drives = ", ".join(f"{d.serial} ({d.from_bay or 'bay unknown'})"
                           for d in request.missing)
        return {"kind": "partial_mirror", "phrase": "", "situation": request.situation,
                "missing": [d.serial for d in request.missing],
                "resume": f"move {drives} from {request.source} into {request.target}, then "
                          f"`{command}`; or go on with one half of the mirror: `{command} "
                          "--accept-degraded` (what stays behind is then a stale mirror half: "
                          "wipe it before reuse)"}
    if request.kind == "serials":
        return {"kind": "serials", "phrase": "", "count": request.count,
                "situation": request.situation,
                "resume": f"{command} " + " ".join(["--disk-serial SERIAL"] * request.count)
                          + " (each as printed on a moved disk's label; or type them on a "
                            "terminal)"}
    return {"kind": request.kind, "phrase": request.phrase, "situation": request.situation,
            "resume": f"{command} --acknowledge '{request.phrase}' (or type it on a "
                      "terminal)"}


def build_report(journal: Journal, run: RunRecord, outcome: str, *,
                 stop_reason: str | None = None, needs: dict[str, Any] | None = None,
                 power: PowerNow | None = None,
                 error: BaseException | None = None) -> RunReport:
    """The report of ``run`` from the journal; ``power``: as this invocation read it, else
    the power the run last read."""
    active = journal.active_node()
    events = journal.events(run.id)
    end = run.finished_at or time.time()
    report = RunReport(
        run.id, run.kind, run.source, run.target, run.state, outcome,
        stop_reason=stop_reason if stop_reason is not None else run.stop_reason, needs=needs,
        steps=step_timings(journal, run), checks=list(run.facts.get("checks", [])),
        warnings=[e.message for e in events if e.kind == "warning"],
        overrides=[f"{_when(e.at)}: {e.message}" for e in overrides(events)],
        work_order=run.facts.get("work_order"),
        power=dict(run.facts.get("last_power") or {}),
        active_node=_active(run, active.name if active else None),
        plan=run.facts.get("plan"), elapsed_s=round(end - run.started_at, 3),
        error=None if error is None else {"type": type(error).__name__, "message": str(error)},
        exception=error)
    if power is not None:
        report.show_power(power)
    return report


def _active(run: RunRecord, now: str | None) -> str | None:
    """The active node after a finished run (as that run left it), else the journal's."""
    if run.finished and "active_node_after" in run.facts:
        return run.facts["active_node_after"]
    return now


def step_timings(journal: Journal, run: RunRecord) -> list[dict[str, Any]]:
    """Per step in the order run: when the run entered it, left it, and its actions."""
    marks = [(run.started_at, "preflight")] + [
        (e.at, e.message.split(" -> ")[-1]) for e in journal.events(run.id) if e.kind == "state"]
    spans: dict[str, list[float | None]] = {}
    for index, (at, state) in enumerate(marks):
        if state in TERMINAL_NAMES:
            continue
        left = marks[index + 1][0] if index + 1 < len(marks) else None
        span = spans.setdefault(state, [at, left, 0.0])
        span[1] = left
        span[2] = (span[2] or 0.0) + ((left or time.time()) - at)
    actions: dict[str, list[Any]] = {}
    for record in journal.steps(run.id):
        actions.setdefault(record.step.split("-")[0], []).append(record)
    rows = []
    for state, (started, finished, elapsed) in spans.items():
        records = actions.get(_STEP_OF.get(state, state), [])
        rows.append({
            "step": state, "started_at": started, "finished_at": finished,
            "elapsed_s": None if elapsed is None else round(elapsed, 3),
            "summary": _summary(records),
            "actions": [{"action": r.action, "node": r.node, "intent": r.intent,
                         "outcome": r.outcome, "superseded": r.superseded} for r in records]})
    return rows


def _summary(records: list[StepRecord]) -> str:
    """A step's actions, those of an earlier attempt (superseded: the step ran or will run
    again) after them: every request sent shows."""
    def named(record: StepRecord) -> str:
        return record.action + ("" if record.outcome is not None else " (no outcome)")

    live = [named(r) for r in records if not r.superseded]
    earlier = [named(r) for r in records if r.superseded]
    parts = [", ".join(live)] if live else []
    parts += [f"earlier attempt: {', '.join(earlier)}"] if earlier else []
    return "; ".join(parts) or "-"


def log_entries(journal: Journal) -> list[dict[str, Any]]:
    """Every event of every run and every journaled action (kind ``action``, at its intent's
    time: what was sent to which node and what came of it, superseded ones included), oldest
    first: what ``failover log`` prints."""
    rows = [{"run_id": e.run_id, "at": e.at, "kind": e.kind, "message": e.message,
             "data": e.data} for e in journal.events()]
    rows += [_action_entry(r) for run in journal.runs() for r in journal.steps(run.id)]
    return sorted(rows, key=lambda row: row["at"])


def _action_entry(record: StepRecord) -> dict[str, Any]:
    earlier = " (an earlier attempt, superseded)" if record.superseded else ""
    return {"run_id": record.run_id, "at": record.intent_at, "kind": "action",
            "message": f"{record.step}.{record.action} to {record.node or 'both nodes'}: "
                       f"{_result(record.outcome)}{earlier}",
            "data": {"step": record.step, "action": record.action, "node": record.node,
                     "intent": record.intent, "outcome": record.outcome,
                     "outcome_at": record.outcome_at, "superseded": record.superseded}}


def _result(outcome: dict[str, Any] | None) -> str:
    """What came of an action, in a few words."""
    if outcome is None:
        return "no outcome recorded (interrupted; a resume re-reads the BMC)"
    if "error" in outcome:
        return f"failed: {outcome['error']}"
    if outcome.get("not_applied"):
        return "not applied"
    facts = ", ".join(f"{k} {v}" for k, v in sorted(outcome.items())
                      if isinstance(v, (str, int, float, bool)))
    return f"done ({facts})" if facts else "done"


TERMINAL_NAMES = frozenset({"done", "aborted", "refused"})
_STEP_OF = {"awaiting_disks": "disks"}
