"""The failover coordinator: runs the steps of :mod:`hamnhw.failover.states` crash-safely.

::

    coordinator = Coordinator(config, operator=TtyOperator())
    report = coordinator.start()                    # or .resume(disks_moved=True)
    report.outcome    # done | waiting (exit 10) | stopped | interrupted | refused | dry-run

One coordinator at a time holds the journal's lock; a run that is not finished blocks a new
``start`` (``resume`` or ``abort`` it).  Which node is active is journal state; with nothing
recorded, it is worked out from live state (else ``[pair] active``, the pair snapshot or the
operator's word: :mod:`hamnhw.failover.active`) and confirmed by the operator typing
``<name> is the active MN``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hamnhw import interrupts
from hamnhw.config import Config
from hamnhw.errors import ConfigError, HamnhwError, Interrupted, OperationFailed
from hamnhw.failover import abort as abort_step
from hamnhw.failover import boot, diskmove, fence, preflight, verify
from hamnhw.failover.engine import Options, RunContext, Stop
from hamnhw.failover.journal import Journal, RunRecord
from hamnhw.failover.journal_records import DRILL_KINDS, in_run_words, resume_command
from hamnhw.failover.livepower import run_power
from hamnhw.failover.operator import Operator
from hamnhw.failover.phrases import forget_disks_moved, given_phrases, ignored_at_start
from hamnhw.failover.refusal import refuse_untouched
from hamnhw.failover.report import RunReport, build_report, log_entries, needs_json
from hamnhw.failover.sessions import delete_stale_sessions
from hamnhw.failover.states import TERMINAL, State
from hamnhw.pair import check_pair_config, open_journal, other_node
from hamnhw.pair.snapshot import PairSnapshot
from hamnhw.poll import PollPolicy


def _fence(ctx: RunContext) -> None:
    fence.fence(ctx)
    ctx.transition(State.OPERATOR)


_HANDLERS: dict[State, Callable[[RunContext], None]] = {
    State.FENCE: _fence,
    State.OPERATOR: diskmove.prepare,
    State.AWAITING_DISKS: diskmove.await_disks,
    State.VERIFY: verify.verify,
    State.BOOT: boot.boot,
    State.CHECK: boot.check,
    State.FINISH: boot.finish,
}


class RunUnfinished(OperationFailed):
    """``start`` while the journal holds an unfinished run."""


class NothingToResume(OperationFailed):
    """``resume`` or ``abort`` with no unfinished run of its kind in the journal (a failover,
    a drill, a ``pair setup-raid``): exit 1, the failed operation's code."""


class Coordinator:
    """Failover of the configured pair (``[primary]``/``[standby]``).

    :param operator: the operator's callbacks (:class:`~hamnhw.failover.operator.Operator`).
    :param poll: how waits poll (default: ``[failover] poll_interval``).
    :param prompt: asks for a BMC password when no source gives one (a terminal).
    """

    def __init__(self, config: Config, operator: Operator, *, poll: PollPolicy | None = None,
                 prompt: Callable[[str], str] | None = None) -> None:
        check_pair_config(config)
        self.config = config
        self.operator = operator
        self.poll = poll or PollPolicy(interval=config.failover.poll_interval,
                                       timeout=config.failover.boot_timeout)
        self.prompt = prompt

    # -- commands ----------------------------------------------------------------------------

    def start(self, *, dry_run: bool = False, accept_degraded: bool = False, yes: bool = False,
              kind: str = "failover", drill_id: int | None = None) -> RunReport:
        """Start a failover from the active node to the other one.

        :raises RunUnfinished: the journal holds an unfinished run.
        :raises ConfigError: no pair snapshot yet.
        """
        with open_journal(self.config) as journal, journal.lock():
            unfinished = journal.unfinished_run()
            if unfinished is not None:
                raise RunUnfinished(f"failover run {unfinished.id} is unfinished "
                                    f"({unfinished.state}): "
                                    f"`{resume_command(unfinished.kind)}` or "
                                    "`hamnhw failover abort` it first")
            snapshot = self._snapshot(journal)
            recorded = journal.active_node()
            source, named, record = ((recorded.name, None, None) if recorded else
                                     self._live_active(journal, snapshot))
            run_id = journal.create_run("dry-run" if dry_run else kind, source,
                                        other_node(source),
                                        {"accept_degraded": accept_degraded}, drill_id)
            ctx = self._context(journal, journal.run(run_id), snapshot,
                                Options(accept_degraded=accept_degraded))
            if named is not None:  # the plan says what named it; journaled once preflight passed
                ctx.remember(active_from=named, active_record=record)
            for warning in ignored_at_start(given_phrases(self.operator), recorded, source):
                ctx.warn(warning)
            return self._drive(ctx, dry_run=dry_run, yes=yes)

    def resume(self, *, disks_moved: bool = False, accept_degraded: bool = False,
               drill: bool = False) -> RunReport:
        """Resume the unfinished run where it stopped (intents without outcome re-read).

        :param drill: resumed by :class:`~hamnhw.failover.drill.Drill` (else a drill's leg
            gets a warning: this finishes the leg only, ``hamnhw drill resume`` the drill).
        """
        with open_journal(self.config) as journal, journal.lock():
            run = self._unfinished(journal)
            if run.state == State.ABORTING:
                raise RunUnfinished(f"failover run {run.id} is being aborted: run `hamnhw "
                                    "failover abort` again to finish the abort")
            waiting = run.state == State.AWAITING_DISKS
            ctx = self._context(journal, run, self._snapshot(journal),
                                Options(accept_degraded=accept_degraded or
                                        bool(run.options.get("accept_degraded")),
                                        disks_moved=disks_moved and waiting, resumed=True))
            journal.event(run.id, "resume", f"resumed by {self.operator.identity()} "
                                            f"(state {run.state})")
            if disks_moved and not waiting:
                ctx.warn(f"--disks-moved ignored: the run was in state {run.state}, not "
                         f"waiting for the disks ({_NOT_WAITING.get(run.state, _VERIFIED)})")
                forget_disks_moved(self.operator)
            for warning in ctx.given.ignored():
                ctx.warn(warning)
            if run.kind in DRILL_KINDS and not drill:
                ctx.warn(f"run {run.id} is a drill's {run.kind.removeprefix('drill-')} leg: "
                         "`hamnhw failover resume` goes on with this leg only (no failback, "
                         "no drill report); `hamnhw drill resume` goes on with the drill")
            delete_stale_sessions(ctx)
            return self._drive(ctx)

    def abort(self, *, power_on_old_node: bool = False) -> RunReport:
        """Abort the unfinished run, or finish an interrupted abort (see
        :mod:`hamnhw.failover.abort`)."""
        with open_journal(self.config) as journal, journal.lock():
            run = self._unfinished(journal)
            ctx = self._context(journal, run, self._snapshot(journal),
                                Options(command="abort"))
            for warning in ctx.given.ignored():
                ctx.warn(warning)
            try:
                delete_stale_sessions(ctx)
                result = abort_step.abort(ctx, power_on_old_node)
            except Stop as stop:
                _unused_answers(ctx)
                return self._stopped(ctx, stop, command="abort")
            except HamnhwError as exc:
                _unused_answers(ctx)
                return self._failed(ctx, exc)
            except Interrupted as exc:
                return self._interrupted(ctx, exc)
            finally:
                ctx.logout()
            _unused_answers(ctx)
            if result.refused:
                return build_report(journal, ctx.run, "stopped", stop_reason=result.refused,
                                    power=result.power)
            return build_report(journal, ctx.run, "aborted", power=result.power)

    def status(self) -> RunReport | None:
        """The newest run from the journal, with whether a coordinator works on it now and
        each node's power read now where its BMC gives it (:func:`~hamnhw.failover.
        runstatus.run_status`)."""
        from hamnhw.failover.runstatus import run_status

        return run_status(self.config, self.prompt)

    def log(self) -> list[dict[str, Any]]:
        """Every event of every run and every journaled action, oldest first
        (:func:`~hamnhw.failover.report.log_entries`)."""
        with open_journal(self.config) as journal:
            return log_entries(journal)

    # -- the run -----------------------------------------------------------------------------

    def _drive(self, ctx: RunContext, *, dry_run: bool = False, yes: bool = True) -> RunReport:
        try:
            try:
                if ctx.state is State.PREFLIGHT:
                    self._preflight(ctx, dry_run, yes)
                    if not dry_run:
                        _record_active(ctx)
                while ctx.state not in TERMINAL:
                    state, since = ctx.state, ctx.journal.now()
                    _HANDLERS[state](ctx)
                    ctx.resolve_earlier(state, since)
                    ctx.journal.set_stop_reason(ctx.run.id, None)
                    ctx.refresh()
            except Stop as stop:
                _unused_answers(ctx)
                return self._stopped(ctx, stop)
            except Interrupted as exc:
                return self._interrupted(ctx, exc)
            except HamnhwError as exc:
                _unused_answers(ctx)
                return self._failed(ctx, exc)
            _unused_answers(ctx)
            outcome = {State.DONE: "done", State.REFUSED: "refused"}.get(ctx.state, "aborted")
            if dry_run:
                outcome = "dry-run"
            return build_report(ctx.journal, ctx.run, outcome, power=run_power(ctx))
        finally:
            ctx.logout()

    @staticmethod
    def _interrupted(ctx: RunContext, exc: Interrupted) -> RunReport:
        with interrupts.deferred():
            ctx.journal.event(ctx.run.id, "interrupted",
                              f"interrupted (signal {exc.signum}) in state {ctx.state.value}")
            if ctx.state not in TERMINAL:  # refused in the preflight: nothing to resume
                ctx.journal.set_stop_reason(ctx.run.id, "interrupted: resumable")
        ctx.refresh()
        return build_report(ctx.journal, ctx.run, "interrupted", error=exc)

    @staticmethod
    def _failed(ctx: RunContext, exc: HamnhwError) -> RunReport:
        reason = f"{type(exc).__name__}: {exc}"
        ctx.journal.event(ctx.run.id, "error", reason)
        if ctx.state not in TERMINAL:  # refused in the preflight: its reason is recorded
            ctx.journal.set_stop_reason(ctx.run.id, reason)
        ctx.refresh()
        outcome = "refused" if ctx.state is State.REFUSED else "stopped"
        return build_report(ctx.journal, ctx.run, outcome, power=run_power(ctx), error=exc)

    def _preflight(self, ctx: RunContext, dry_run: bool, yes: bool) -> None:
        """The preflight; whatever stops it with nothing done closes the run as refused
        (:mod:`hamnhw.failover.refusal`)."""
        ctx.event("step", f"preflight: {ctx.source} -> {ctx.target}")
        try:
            self._survey(ctx, dry_run, yes)
        except (Stop, HamnhwError, Interrupted) as exc:
            refuse_untouched(ctx, exc)
            raise

    @staticmethod
    def _survey(ctx: RunContext, dry_run: bool, yes: bool) -> None:
        plan = preflight.survey(ctx)
        for warning in plan.warnings:
            ctx.warn(warning)
        text = _plan_text(plan.text(), ctx)
        ctx.remember(mn_drives=plan.mn_drives, plan=text)
        ctx.operator.say(text)
        if dry_run:
            ctx.transition(State.ABORTED, "dry run: nothing was changed")
            return
        if not yes and not ctx.operator.confirm_start(text):
            ctx.transition(State.REFUSED, "not confirmed by the operator: nothing was changed")
            return
        preflight.protect_target(ctx)
        ctx.transition(State.FENCE)

    def _stopped(self, ctx: RunContext, stop: Stop, command: str = "resume") -> RunReport:
        needs = None
        kind = ctx.run.kind  # a drill's leg goes on with `hamnhw drill resume`
        again = resume_command(kind) if command == "resume" else f"hamnhw failover {command}"
        if stop.needs is not None:
            moved = " --disks-moved" if ctx.state is State.AWAITING_DISKS else ""
            needs = needs_json(stop.needs, f"{again}{moved}")
        elif stop.waiting:
            needs = {"kind": "disks_moved", "phrase": "",
                     "resume": f"{resume_command(kind)} --disks-moved"}
        reason = in_run_words(stop.reason, kind)
        if ctx.state not in TERMINAL:
            ctx.journal.set_stop_reason(ctx.run.id, reason)
            ctx.refresh()
        ctx.journal.event(ctx.run.id, "stop", reason, needs)
        outcome = "waiting" if stop.waiting else (
            "refused" if ctx.state is State.REFUSED else "stopped")
        return build_report(ctx.journal, ctx.run, outcome, stop_reason=reason, needs=needs,
                            power=run_power(ctx))

    # -- helpers -----------------------------------------------------------------------------

    def _context(self, journal: Journal, run: RunRecord, snapshot: PairSnapshot,
                 options: Options) -> RunContext:
        return RunContext(self.config, journal, run, self.operator, options, snapshot,
                          self.poll, self.prompt)

    @staticmethod
    def _unfinished(journal: Journal) -> RunRecord:
        run = journal.unfinished_run()
        if run is None:
            raise NothingToResume("no unfinished failover run in the journal")
        if run.kind == "setup-raid":  # hamnhw.pair.setupraid: not a failover's states
            raise RunUnfinished(f"run {run.id} is a RAID1 setup: `hamnhw pair setup-raid "
                                "--resume` or `--abort` it")
        return run

    @staticmethod
    def _snapshot(journal: Journal) -> PairSnapshot:
        snapshot = PairSnapshot.from_journal(journal)
        if snapshot is None:
            raise ConfigError("no pair snapshot in the journal: run `hamnhw pair snapshot` "
                              "while the MN runs")
        return snapshot

    def _live_active(self, journal: Journal,
                     snapshot: PairSnapshot) -> tuple[str, str, str]:
        """The active node from live state (else ``[pair] active``, the snapshot or the
        operator's word), confirmed by the operator (not journaled yet), what named it and
        what the journal records once the preflight passed."""
        from hamnhw.failover.active import determine_active

        choice = determine_active(self.config, journal, snapshot, self.operator, self.poll,
                                  self.prompt)
        return choice.name, choice.how, choice.record


def _record_active(ctx: RunContext) -> None:
    """Journal the run's old node as the active MN once its preflight passed, when live
    state, the config, the snapshot or the operator named it (review: it was journaled at
    once, so a run refused at preflight, or a dry run, left a node recorded as the MN)."""
    record = ctx.facts.get("active_record")
    if record and ctx.state is not State.REFUSED and ctx.journal.active_node() is None:
        ctx.journal.set_active_node(ctx.source, record)


_NOT_WAITING: dict[str, str] = {
    State.PREFLIGHT: "their work order comes after the fence",
    State.FENCE: "their work order comes after the fence",
    State.OPERATOR: "their work order comes after the fence",
    State.VERIFY: "this resume powers the target on into setup and reads its drives again",
}
"""Why ``--disks-moved`` is not needed in a state that does not wait for the disks."""
_VERIFIED = "the drives were verified already"


def _plan_text(plan: str, ctx: RunContext) -> str:
    """The plan, saying what named the active node when the journal did not record it."""
    how = ctx.run.facts.get("active_from")
    if not how:
        return plan
    head, _, rest = plan.partition("\n")
    return (f"{head}\n  active MN: {ctx.source} ({how}), confirmed by typing "
            f"'{ctx.source} is the active MN'\n{rest}")


def _unused_answers(ctx: RunContext) -> None:
    """Warn of each phrase given on the command line that could have answered something
    here and did not, saying why (:meth:`~hamnhw.failover.phrases.GivenAnswers.unused`)."""
    for warning in ctx.given.unused():
        ctx.warn(warning)

