"""One soak seed: a failover leg, then (when it ended done) a failback leg, against a simulated
pair on virtual time with the faults :mod:`soakplan` drew, an honest scripted operator, and
SIGKILLs of the coordinator.

An invocation (``start``, ``resume`` or ``abort``) runs in this process, except when it is
to be killed: it then runs in a forked child that sends itself SIGKILL at the N-th kill point
it reaches (:mod:`hamnhw.failover.killpoints`: an intent committed, a POST accepted before
its effect, an outcome committed, a state committed), so the journal and the BMC sessions are
left exactly as a crash leaves them.  The simulators stay in this process and share the
virtual clock with the child.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import os
import random
import signal
import tempfile
from pathlib import Path
from typing import Any

from soakcheck import LegView, check_leg, check_stop
from soakplan import LegPlan, expected_stops, plan_leg
from soakworld import FAILOVER, World, build_world, virtual_time

from hamnhw.config import load_config
from hamnhw.errors import HamnhwError
from hamnhw.failover import Coordinator, killpoints
from hamnhw.failover.operator import ScriptedOperator
from hamnhw.pair import open_journal
from hamnhw.pair.snapshot import take_snapshot
from hamnhw.sim import DriveSpec
from hamnhw.sim.faults import Fault

MAX_INVOCATIONS = 16
"""Invocations of one leg before the operator gives up and aborts (a violation)."""
MAX_RESTARTS = 3
"""``start`` again after a refusal naming a BMC that answers with errors (nothing was
touched; the refusal says to start again once the BMC is healthy)."""


def _bmc_answered_refusal(inv: Invocation) -> bool:
    """A refusal with nothing touched that says to start again: a BMC answering with
    errors, or a preflight refused on an error (such a run ends ``refused``)."""
    reason = inv.stop_reason or ""
    if inv.outcome != "refused":
        return False
    answered = "answers, with an error" in reason and "`hamnhw failover start`" in reason
    in_preflight = (reason.startswith(("refused in the preflight: ",
                                       "interrupted in the preflight"))
                    and "` again" in reason)
    return answered or in_preflight
STRANGER = "STRANGER"
"""Serial prefix of drives that are not the MN's."""


@dataclasses.dataclass
class LegResult:
    """What one leg did and found."""

    seed: int
    leg: str
    outcomes: list[str]
    final: str
    fired: list[str]
    faults_injected: int
    kills: int
    violations: list[str]
    races: int
    history: list[str] = dataclasses.field(default_factory=list)
    """Each invocation: action, options, outcome, state and reason (kept with violations)."""
    log_excerpt: list[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Invocation:
    action: str
    start: float
    end: float
    outcome: str
    state: str | None = None
    stop_reason: str | None = None
    needs: dict[str, str] | None = None
    run_id: int | None = None
    kill_at: int | None = None
    options: dict[str, Any] = dataclasses.field(default_factory=dict)

    def describe(self) -> str:
        kill = f" kill@{self.kill_at}" if self.kill_at else ""
        return (f"t={self.start:.3f} {self.action} {self.options}{kill} -> {self.outcome} "
                f"[{self.state}] {self.stop_reason or ''}")


class SoakOperator(ScriptedOperator):
    """The command line's operator (never interactive) with the phrases of this invocation."""

    def identity(self) -> str:
        return "soak@loopback (scripted)"


def _category(report: dict[str, Any]) -> str:
    outcome = str(report.get("outcome"))
    needs = report.get("needs") or {}
    if outcome in ("waiting", "stopped") and needs:
        kind = needs.get("kind")
        return "waiting:disks" if kind == "disks_moved" else f"waiting:ack:{kind}"
    return outcome


class Seed:
    """One seed's world and its legs."""

    def __init__(self, seed: int, workdir: Path) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.workdir = workdir
        self.world: World = build_world(workdir, target_post_detail=self.rng.random() < 0.8)
        self.no_post_detail = not self.world["standby"].spec.post_detail
        self.config = load_config(self.world.config_path)
        volume = next(v for v in self.world.cluster.bays.volumes if v.name == "RAID1 primary")
        self.mn_serials: tuple[str, ...] = tuple(volume.members)
        self.mn_specs = {d.serial: d for d in self.world["primary"].drives}

    # -- the seed --------------------------------------------------------------------------

    def run(self) -> list[LegResult]:
        results = []
        with virtual_time(self.world.clock, self.rng):
            take_snapshot(self.config)
            with open_journal(self.config) as journal:
                journal.set_active_node("primary", "soak setup")
            for leg, (source, target) in (("failover", ("primary", "standby")),
                                          ("failback", ("standby", "primary"))):
                result = self._leg(leg, source, target, plan_leg(self.rng))
                results.append(result)
                held = {d.serial for d in self.world[target].drives}
                if result.final != "done" or not set(self.mn_serials) <= held:
                    break  # aborted, or done degraded: no failback from half a mirror
                self._after_done(source)
        return results

    def stop(self) -> None:
        self.world.stop()

    # -- a leg -----------------------------------------------------------------------------

    def _leg(self, leg: str, source: str, target: str, plan: LegPlan) -> LegResult:
        world = self.world
        start = world.clock()
        injected = self._inject(plan, source, target)
        self.drive_mixup_fired = False
        fired: set[str] = set()
        if plan.stale_inventory:
            world[target].state._snapshot = tuple(self.mn_specs.values())
            fired.add("stale_inventory")
        if leg == "failover" and self.no_post_detail:
            fired.add("no_post_detail")
        invocations: list[Invocation] = []
        problems: list[str] = []
        action, options = "start", {"accept_degraded": plan.accept_degraded}
        moved = False
        restarts = 0
        for index in range(MAX_INVOCATIONS):
            kill = None
            if action != "abort" and index < MAX_INVOCATIONS - 4 and (
                    self.rng.random() < plan.kill_rate):
                sent_only = self.rng.random() < 0.4
                kill = (self.rng.randint(1, 3) if sent_only else self.rng.randint(1, 30),
                        sent_only)
            inv = self._invoke(action, options, kill)
            invocations.append(inv)
            if inv.outcome == "killed":
                fired.add("kill")
            else:
                problems += self._check_stop(inv)
            if inv.outcome == "killed" and self._state() in ("done", "aborted", "refused"):
                # killed after its last commit: the run is over
                invocations.append(Invocation("(end)", inv.end, inv.end, str(self._state())))
                break
            if inv.action == "abort" and self._state() == "aborted":
                inv.outcome = "aborted"
            if _bmc_answered_refusal(inv) and restarts < MAX_RESTARTS:
                # refused at preflight, nothing touched, the BMC answering errors: the
                # operator checks the BMC and starts again, as the refusal says
                restarts += 1
                action, options = "start", {"accept_degraded": plan.accept_degraded}
                continue
            if inv.outcome in ("done", "aborted", "refused") or inv.outcome.startswith("error"):
                break
            action, options, moved = self._next(inv, plan, source, target, moved, fired)
            if index >= MAX_INVOCATIONS - 3 and action == "resume":
                action = "abort"
            if action == "give-up":
                problems.append(f"never finished: {[i.outcome for i in invocations]}")
                break
        for fault, cls in injected:
            if fault.hits:
                fired.add(cls)
        world.settle()
        end = world.clock()
        view = self._view(source, target, start, end, invocations)
        findings = check_leg(world, view)
        outcomes = [i.outcome for i in invocations]
        problems += findings.violations + self._unexpected(outcomes, fired)
        for server in world.cluster:
            server.clear_faults()
        return LegResult(self.seed, leg, outcomes, outcomes[-1], sorted(fired),
                         sum(f.hits for f, _ in injected), outcomes.count("killed"), problems,
                         findings.races, [i.describe() for i in invocations] if problems else [],
                         self._excerpt(start, end) if problems else [])

    def _inject(self, plan: LegPlan, source: str, target: str) -> list[tuple[Fault, str]]:
        names = {"source": source, "target": target}
        return [(self.world[names[f.node]].inject(f.kind, f.count, f.path, f.method,
                                                   **f.params), f.cls) for f in plan.faults]

    def _unexpected(self, outcomes: list[str], fired: set[str]) -> list[str]:
        allowed = expected_stops(fired) | {"done", "aborted", "killed"}
        if self.drive_mixup_fired:
            fired.add("drive_mixup")
            allowed |= expected_stops({"drive_mixup"})
        if "self_power_on" in fired:
            allowed |= expected_stops({"self_power_on"})
        bad = [o for o in outcomes if o not in allowed]
        if "kill" in fired or "self_power_on" in fired or "drive_mixup" in fired:
            # a kill (or a re-seat) during the wait for the disks repeats the wait
            bad = [o for o in bad if o != "waiting:disks"]
        final = outcomes[-1] if outcomes else "none"
        result = [f"OUTCOME: {o!r} not expected for faults {sorted(fired)}" for o in bad]
        if final not in ("done", "aborted"):
            result.append(f"OUTCOME: leg ended {final!r} (faults {sorted(fired)})")
        return result

    drive_mixup_fired = False

    # -- one invocation ----------------------------------------------------------------------

    def _invoke(self, action: str, options: dict[str, Any],
                kill: tuple[int, bool] | None) -> Invocation:
        start = self.world.clock()
        if kill is None:
            report = self._call(action, options)
        else:
            report = self._call_forked(action, options, *kill)
        return Invocation(action, start, self.world.clock(), _category(report),
                          report.get("state"), report.get("stop_reason"), report.get("needs"),
                          report.get("run_id"), kill[0] if kill else None,
                          {k: v for k, v in options.items() if k != "accept_degraded" or v})

    def _call(self, action: str, options: dict[str, Any]) -> dict[str, Any]:
        operator = SoakOperator(acknowledgements=options.get("acks", ()))
        poll = self.world.clock.policy(FAILOVER["poll_interval"], FAILOVER["boot_timeout"])
        coordinator = Coordinator(self.config, operator, poll=poll)
        try:
            if action == "start":
                report = coordinator.start(yes=True, accept_degraded=options["accept_degraded"])
            elif action == "resume":
                report = coordinator.resume(disks_moved=options.get("disks_moved", False),
                                            accept_degraded=options["accept_degraded"])
            else:
                report = coordinator.abort(power_on_old_node=options.get("power_on", False))
        except HamnhwError as exc:
            return {"outcome": f"error:{type(exc).__name__}", "stop_reason": str(exc)}
        return {"outcome": report.outcome, "state": report.state, "needs": report.needs,
                "stop_reason": report.stop_reason, "run_id": report.run_id}

    def _call_forked(self, action: str, options: dict[str, Any], kill_at: int,
                     sent_only: bool) -> dict[str, Any]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: count kill points, die at the chosen one
            os.close(read_end)
            _arm_kill(kill_at, sent_only)
            try:
                payload = self._call(action, options)
            except BaseException as exc:  # reported, never raised in a forked child
                payload = {"outcome": f"error:{type(exc).__name__}", "stop_reason": str(exc)}
            os.write(write_end, json.dumps(payload).encode())
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            return {"outcome": "killed"}
        return json.loads(data) if data else {"outcome": f"error:child exit {status}"}

    def _check_stop(self, inv: Invocation) -> list[str]:
        with open_journal(self.config) as journal:
            return check_stop(journal, inv.run_id, inv.outcome,
                              {"stop_reason": inv.stop_reason})

    # -- the operator between invocations ---------------------------------------------------

    def _next(self, inv: Invocation, plan: LegPlan, source: str, target: str, moved: bool,
              fired: set[str]) -> tuple[str, dict[str, Any], bool]:
        world, rng = self.world, self.rng
        options: dict[str, Any] = {"accept_degraded": plan.accept_degraded}
        state = self._state()
        if state is None:
            return "give-up", options, moved
        if inv.action == "abort":  # abort refused (stopped): abort without powering on
            return "abort", options, moved
        past_fence = state in ("operator", "awaiting_disks", "verify", "boot", "check", "finish")
        if inv.outcome != "killed" and past_fence and rng.random() < plan.power_on_event_rate:
            world.settle()
            world[source].set_power("On")
            world[source].clear_faults()  # its BMC answers: the coordinator can see it
            if rng.random() < 0.5:
                world[source].inject("ignore_reset", path="/redfish/v1/Systems/1/Actions")
            fired.add("self_power_on")
        if inv.outcome not in ("killed", "waiting:disks") and rng.random() < plan.abort_rate:
            options["power_on"] = rng.random() < 0.5
            return "abort", options, moved
        needs = inv.needs or {}
        kind = needs.get("kind")
        if kind == "cords_pulled":
            world.settle()
            world[source].set_power("Off")
            world[source].clear_faults()
            options["acks"] = (needs["phrase"],)
        elif kind == "resend_power_on":
            options["acks"] = (needs["phrase"],)
        elif kind == "serial":
            options["acks"] = tuple(d.serial for d in world[target].drives)
        elif inv.outcome == "stopped":
            for server in world.cluster:
                server.clear_faults()
        if state in ("awaiting_disks", "verify"):
            if not moved:
                self._move(plan.drive_move, source, target)
                moved = True
            elif inv.outcome != "killed":
                self._fix_drives(source, target)
            options["disks_moved"] = state == "awaiting_disks"
        return "resume", options, moved

    def _state(self) -> str | None:
        with open_journal(self.config) as journal:
            run = journal.latest_run()
        return None if run is None else run.state

    def _move(self, how: str, source: str, target: str) -> None:
        cluster = self.world.cluster
        stranger = f"{STRANGER}{target.upper()}{self.seed}"  # one per leg
        serials = list(self.mn_serials)
        if how != "right":
            self.drive_mixup_fired = True
        if how in ("right", "foreign", "unreadable"):
            for serial in serials:
                cluster.move_drive(serial, source, target)
        elif how in ("partial", "wrong"):
            cluster.move_drive(serials[0], source, target)
        if how in ("wrong", "foreign"):
            cluster.insert_drive(DriveSpec(stranger), target)
        if how == "unreadable":
            reported = self.rng.choice(["", "To Be Filled By O.E.M.", "0000000000"])
            cluster.insert_drive(DriveSpec(f"{stranger}U", reported_serial=reported), target)

    def _fix_drives(self, source: str, target: str) -> None:
        cluster = self.world.cluster
        for drive in self.world[target].drives:
            if drive.serial not in self.mn_serials:
                cluster.pull_drive(drive.serial, target)
        for serial in self.mn_serials:
            place = cluster.bays.locate(serial)
            if place is not None and place[0] != target:
                cluster.move_drive(serial, place[0], target)

    def _after_done(self, old: str) -> None:
        """Before the failback: the old node stays off (a late flap is switched off)."""
        self.world.settle()
        if self.world[old].power_state != "Off":
            self.world[old].set_power("Off")

    # -- evidence ----------------------------------------------------------------------------

    def _view(self, source: str, target: str, start: float, end: float,
              invocations: list[Invocation]) -> LegView:
        with open_journal(self.config) as journal:
            runs = [r for r in journal.runs() if r.started_at >= start]
            steps = [s for r in runs for s in journal.steps(r.id)]
            events = [e for r in runs for e in journal.events(r.id)]
        return LegView(source, target, start, end, [(i.start, i.end) for i in invocations],
                       runs, steps, events, self.mn_serials)

    def _excerpt(self, start: float, end: float) -> list[str]:
        lines = []
        for server in self.world.cluster:
            for r in server.requests:
                if start <= r.time <= end and r.method != "GET":
                    body = r.body if isinstance(r.body, dict) else None
                    lines.append(f"{r.time:.6f} {server.name} {r.method} {r.path} "
                                 f"{json.dumps(body) if body else ''} -> {r.status}")
        return sorted(lines)[:80]


def _arm_kill(kill_at: int, sent_only: bool) -> None:
    """In the child: SIGKILL at the ``kill_at``-th kill point (or ``:sent`` point)."""
    counter = collections.Counter[str]()
    original = killpoints.reached

    def reached(name: str) -> None:
        original(name)
        if sent_only and not name.endswith(":sent"):
            return
        counter["n"] += 1
        if counter["n"] >= kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    killpoints.reached = reached  # type: ignore[assignment]


def run_seed(seed: int, base: Path | None = None) -> list[LegResult]:
    """Run one seed in a fresh directory (on tmpfs when there is one: the journal syncs)."""
    root = base or (Path("/dev/shm") if Path("/dev/shm").is_dir() else None)
    with tempfile.TemporaryDirectory(prefix=f"soak-{seed}-", dir=root) as workdir:
        run = Seed(seed, Path(workdir))
        try:
            return run.run()
        finally:
            run.stop()
