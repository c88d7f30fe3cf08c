"""What ``hamnhw failover status`` says of the newest run: where it is, whether a coordinator
is working on it now, and what goes on with it.

Whether a coordinator is alive is read from the journal's lock (:func:`~hamnhw.failover.lock.
held`: the kernel drops it when its holder dies, even by SIGKILL), tested before and after the
journal is read: an unfinished run that no process holds and that recorded no stop (its
coordinator was killed, or its host went down) is ``not-running``, with the command that goes
on with it.  A run that stopped or waits carries what its last stop asked for (``needs``, as
the report of that ``start``/``resume`` gave it), from the journal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hamnhw.config import Config
from hamnhw.failover.journal import Journal, RunRecord
from hamnhw.failover.journal_records import resume_command
from hamnhw.failover.livepower import live_power
from hamnhw.failover.lock import held, holder_pid
from hamnhw.failover.report import RunReport, build_report
from hamnhw.failover.states import State
from hamnhw.pair import open_journal

NOT_RUNNING = "not-running"
"""The outcome of an unfinished run no coordinator works on and that recorded no stop."""

_STOPS = frozenset({"stop", "interrupted", "error", "resume"})
"""The events after which a run stopped (``stop``: with what it needs as data), or went on
(``resume``)."""


def run_status(config: Config, prompt: Callable[[str], str] | None = None) -> RunReport | None:
    """The newest run from the journal, with whether its coordinator is alive and each node's
    power read now, both side by side, where its BMC gives it (else what the BMC answered,
    how long hamnhw waited, and the power last read with its time:
    :func:`~hamnhw.failover.livepower.live_power`); None: no run yet."""
    with open_journal(config) as journal:
        lock = journal.lock().path
        before = held(lock)
        run = journal.latest_run()
        if run is None:
            return None
        after = held(lock)
        alive = True if before or after else None if None in (before, after) else False
        report = _report(journal, run, alive)
        if not run.finished:
            report.coordinator_alive, report.coordinator_pid = alive, holder_pid(lock)
    report.show_power(live_power(config, run.facts, prompt))
    return report


def _report(journal: Journal, run: RunRecord, alive: bool | None) -> RunReport:
    if run.finished:
        return build_report(journal, run, run.state)
    if alive is not False:  # a coordinator works on it (or that cannot be told)
        return build_report(journal, run, "running")
    last = _last_stop(journal, run)
    if run.state == State.AWAITING_DISKS:
        needs = _needs(last) or {"kind": "disks_moved", "phrase": "",
                                 "resume": f"{resume_command(run.kind)} --disks-moved"}
        return build_report(journal, run, "waiting", needs=needs)
    if run.stop_reason and (last is None or last.kind != "resume"):
        return build_report(journal, run, "stopped", needs=_needs(last))
    return build_report(journal, run, NOT_RUNNING,
                        needs={"kind": "resume", "phrase": "", "resume": go_on_command(run)})


def _last_stop(journal: Journal, run: RunRecord) -> Any:
    stops = [e for e in journal.events(run.id) if e.kind in _STOPS]
    return stops[-1] if stops else None


def _needs(event: Any) -> dict[str, Any] | None:
    """What the run's last stop asked for (journaled with it), or None."""
    if event is None or event.kind != "stop" or not isinstance(event.data, dict):
        return None
    return event.data


def go_on_command(run: RunRecord) -> str:
    """The command that goes on with an unfinished run whose coordinator is gone."""
    if run.state == State.ABORTING:
        return "hamnhw failover abort"
    if run.kind == "setup-raid":
        return "hamnhw pair setup-raid --resume"
    return resume_command(run.kind)
