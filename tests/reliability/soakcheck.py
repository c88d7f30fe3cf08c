"""The soak's invariants, judged after each leg from the simulators' request logs, their power
logs and the journal (all on one virtual clock, see :mod:`soakworld`).

* **V1 target power-on unconfirmed**: every power-on the target's BMC accepted (2xx) came
  after the old node was confirmed off *by the invocation that sent it*: its last two reads
  of the old node's system, in that invocation, found it Off (per the old node's power log),
  or the operator's "power cords pulled" acknowledgement is journaled and the old node
  stayed off since (an acknowledgement does not cover a node that came back on).  A node
  that turned itself on between the coordinator's two confirming reads and the POST is
  counted as a race, not a violation.
* **V2 old node powered on after the move**: no power-on accepted by the old node after the
  run journaled ``disks_moved_at``.
* **V3 duplicate / unjournaled POST**: every POST a BMC accepted (logins aside) falls inside
  one journaled intent of that node (after its intent, not after its outcome), and no intent
  has two accepted POSTs.  A 409 or a 401 answer is not accepted: retries and re-sends
  after them are not duplicates.
* **V6 old node powered off outside the fence**: an off (ForceOff, GracefulShutdown) the
  old node accepted belongs to a fence or re-fence intent, or follows a power-on of it by
  hamnhw in the same leg (an abort's own power-on undone): nothing else may switch the
  running MN off.
* **V4 session left open**: no BMC session is open when the leg ends.
* **V5 done with the wrong drives**: a run that ends done has the MN drives in the target
  (all of them, or a subset with ``--accept-degraded``) and no other drive.
* **J journal inconsistent**: state changes follow the state table; a stopped run says why;
  a done run records its target as the active node and leaves no intent without outcome.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from soakplan import SYSTEM
from soakworld import POWER_ON_RESETS, World

from hamnhw.failover.journal import EventRecord, Journal, RunRecord, StepRecord
from hamnhw.failover.states import TRANSITIONS, State
from hamnhw.sim.server import RequestRecord


@dataclasses.dataclass
class LegView:
    """What the checks need of one leg."""

    source: str
    target: str
    start: float
    end: float
    invocations: list[tuple[float, float]]
    """Virtual ``(start, end)`` of each coordinator invocation of the leg."""
    runs: list[RunRecord]
    steps: list[StepRecord]
    events: list[EventRecord]
    mn_serials: tuple[str, ...]


@dataclasses.dataclass
class Findings:
    """Violations (must stay empty) and races (counted, not violations)."""

    violations: list[str] = dataclasses.field(default_factory=list)
    races: int = 0

    def add(self, code: str, message: str) -> None:
        self.violations.append(f"{code}: {message}")


def accepted(record: RequestRecord) -> bool:
    return record.status is not None and 200 <= record.status < 300


def _in(records: Iterable[RequestRecord], start: float, end: float) -> list[RequestRecord]:
    return [r for r in records if start <= r.time <= end]


def _reset_type(record: RequestRecord) -> str | None:
    body = record.body if isinstance(record.body, dict) else {}
    value = body.get("ResetType")
    return value if isinstance(value, str) else None


def _is_reset(record: RequestRecord) -> bool:
    return record.method == "POST" and record.path.endswith("ComputerSystem.Reset")


def _power_ons(records: Iterable[RequestRecord]) -> list[RequestRecord]:
    return [r for r in records if _is_reset(r) and accepted(r)
            and _reset_type(r) in POWER_ON_RESETS]


def check_leg(world: World, leg: LegView) -> Findings:
    """Every invariant of one leg."""
    world.settle()
    found = Findings()
    _target_power_ons(world, leg, found)
    _old_node_after_move(world, leg, found)
    _posts_per_intent(world, leg, found)
    _old_node_off_outside_the_fence(world, leg, found)
    _sessions(world, found)
    _done_with_the_right_drives(world, leg, found)
    _journal(leg, found)
    return found


def _invocation_of(leg: LegView, when: float) -> tuple[float, float]:
    for start, end in leg.invocations:
        if start <= when <= end:
            return start, end
    return when, when


def _target_power_ons(world: World, leg: LegView, found: Findings) -> None:
    old = world.power[leg.source]
    old_reads = [r for r in world[leg.source].requests
                 if r.method == "GET" and r.path.rstrip("/") == SYSTEM and r.status == 200]
    acks = [e.at for e in leg.events if e.kind == "ack" and isinstance(e.data, dict)
            and e.data.get("kind") == "cords_pulled"]
    for post in _power_ons(_in(world[leg.target].requests, leg.start, leg.end)):
        begin, _ = _invocation_of(leg, post.time)
        reads = [r.time for r in old_reads if begin <= r.time < post.time][-2:]
        by_reads = len(reads) == 2 and old.off_throughout(reads[0], reads[1])
        by_ack = any(at < post.time and old.off_throughout(at, post.time) for at in acks)
        state_now = old.at(post.time)
        what = f"{leg.target} accepted {_reset_type(post)} at t={post.time:.6f}"
        if by_reads and state_now != "Off":
            found.races += 1
        elif not (by_reads or by_ack):
            found.add("V1", f"{what} while {leg.source} was {state_now} and not confirmed off "
                            f"in that invocation (its last reads there: "
                            f"{[f'{t:.3f}:{old.at(t)}' for t in reads] or 'none'}; "
                            f"cords acknowledged at {[round(a, 3) for a in acks] or 'never'})")


def _old_node_after_move(world: World, leg: LegView, found: Findings) -> None:
    moved = [r.facts["disks_moved_at"] for r in leg.runs
             if isinstance(r.facts.get("disks_moved_at"), int | float)]
    if not moved:
        return
    since = min(moved)
    for post in _power_ons(_in(world[leg.source].requests, since, leg.end)):
        found.add("V2", f"{leg.source} accepted {_reset_type(post)} at t={post.time:.6f}, "
                        f"after the disks were journaled moved at t={since:.6f}")


def _posts_per_intent(world: World, leg: LegView, found: Findings) -> None:
    for name in (leg.source, leg.target):
        steps = sorted((s for s in leg.steps if s.node == name), key=lambda s: s.intent_at)
        counts: dict[int, int] = {}
        for post in _in(world[name].requests, leg.start, leg.end):
            if post.method != "POST" or "SessionService" in post.path or not accepted(post):
                continue
            owner = next((s for s in reversed(steps) if s.intent_at < post.time), None)
            label = f"{name}: POST {post.path.rsplit('/', 1)[-1]} {_reset_type(post) or ''}"
            if owner is None or (owner.outcome_at is not None and owner.outcome_at < post.time):
                found.add("V3", f"{label} at t={post.time:.6f} accepted outside any journaled "
                                f"intent (last intent: {_step_name(owner)})")
                continue
            counts[owner.id] = counts.get(owner.id, 0) + 1
            if counts[owner.id] == 2:
                found.add("V3", f"{label}: a second accepted POST for intent {_step_name(owner)}")


OFF_RESETS = frozenset({"ForceOff", "GracefulShutdown"})


def _old_node_off_outside_the_fence(world: World, leg: LegView, found: Findings) -> None:
    posts = _in(world[leg.source].requests, leg.start, leg.end)
    steps = sorted((s for s in leg.steps if s.node == leg.source), key=lambda s: s.intent_at)
    for post in posts:
        if not (_is_reset(post) and accepted(post) and _reset_type(post) in OFF_RESETS):
            continue
        owner = next((s for s in reversed(steps) if s.intent_at < post.time), None)
        if owner is not None and (owner.step.startswith("fence")
                                  or owner.step.endswith("refence")):
            continue
        if any(p.time < post.time for p in _power_ons(posts)):
            continue
        found.add("V6", f"{leg.source} accepted {_reset_type(post)} at t={post.time:.6f} "
                        f"under intent {_step_name(owner)}: not a fence, and hamnhw had not "
                        "powered it on")


def _step_name(step: StepRecord | None) -> str:
    if step is None:
        return "none"
    return f"#{step.id} {step.step}.{step.action} (outcome {step.outcome})"


def _sessions(world: World, found: Findings) -> None:
    for server in world.cluster:
        if server.state.sessions:
            found.add("V4", f"{server.name}: {len(server.state.sessions)} session(s) left open")


def _done_with_the_right_drives(world: World, leg: LegView, found: Findings) -> None:
    done = [r for r in leg.runs if r.state == State.DONE.value]
    if not done:
        return
    held = {d.serial for d in world[leg.target].drives}
    expected = set(leg.mn_serials)
    degraded = bool(done[-1].options.get("accept_degraded")) or bool(done[-1].facts.get(
        "degraded"))
    problems = []
    if held - expected:
        problems.append(f"other drives {sorted(held - expected)}")
    if not (held & expected) or (not degraded and expected - held):
        problems.append(f"MN drives missing {sorted(expected - held)}")
    if problems:
        found.add("V5", f"run {done[-1].id} done but {leg.target} holds "
                        f"{sorted(held)}: {'; '.join(problems)}")


def _journal(leg: LegView, found: Findings) -> None:
    for run in leg.runs:
        for event in (e for e in leg.events if e.run_id == run.id and e.kind == "state"):
            old, _, new = event.message.partition(" -> ")
            try:
                allowed = State(new) in TRANSITIONS[State(old)]
            except ValueError:
                allowed = False
            if not allowed:
                found.add("J", f"run {run.id}: transition {event.message!r} not in the table")
        if run.state == State.DONE.value:
            open_steps = [s for s in leg.steps if s.run_id == run.id and s.outcome is None
                          and not s.superseded]
            if open_steps:
                found.add("J", f"run {run.id} done with intents without outcome: "
                               f"{[_step_name(s) for s in open_steps]}")


def check_stop(journal: Journal, run_id: int | None, outcome: str,
               report: dict[str, Any]) -> list[str]:
    """Journal consistency right after an invocation that was not killed."""
    problems: list[str] = []
    if run_id is None:
        return problems
    run = journal.run(run_id)
    if outcome.startswith(("stopped", "waiting")):
        if not run.finished and not run.stop_reason:
            problems.append(f"J: run {run_id} {outcome} in {run.state} without a stop_reason")
        if not report.get("stop_reason"):
            problems.append(f"J: run {run_id} {outcome} but the report gives no reason")
    if outcome == "done":
        active = journal.active_node()
        if run.state != State.DONE.value or active is None or active.name != run.target:
            problems.append(f"J: run {run_id} reported done: state {run.state}, active node "
                            f"{active.name if active else None} (target {run.target})")
    open_steps = [s for s in journal.steps(run_id) if s.outcome is None and not s.superseded]
    if len(open_steps) > 1:
        problems.append(f"J: run {run_id}: {len(open_steps)} intents without outcome: "
                        f"{[_step_name(s) for s in open_steps]}")
    return problems
