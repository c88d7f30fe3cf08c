"""The operator overriding the power guard: ``hamnhw power on NODE --yes`` during an
unfinished run (:mod:`hamnhw.pair.runguard`), journaled into that run.

The event (kind ``override``) says which command, which pair nodes, who and when (nothing
else of the command line: no secret can reach the journal), before the power request is
sent; ``failover log`` and ``failover status`` show it, and a stop that later finds such a
node on names the command instead of "powered itself back on" (:func:`powered_on_by`).  The
event is written without the coordinator's lock: a running coordinator does not block the
guard, and an insert does not disturb it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from hamnhw.failover.journal import EventRecord, Journal, RunRecord

KIND = "override"
"""The events' kind."""


def journal_override(journal: Journal, run: RunRecord, nodes: Sequence[str], action: str,
                     who: str) -> None:
    """Record that ``hamnhw power ACTION NODES --yes`` overrides the guard of ``run``.

    :param nodes: the pair nodes it addresses (``primary``, ``standby``).
    :param who: ``user@host (command line)``.
    """
    command = f"hamnhw power {action} {' '.join(nodes)} --yes"
    journal.event(run.id, KIND, f"power guard overridden: `{command}` by {who} (run {run.id} "
                                f"unfinished, state {run.state}); sent without the run's "
                                "checks before a power-on",
                  {"command": command, "nodes": list(nodes), "action": action, "who": who})


def overrides(events: Sequence[EventRecord]) -> list[EventRecord]:
    """The override events among ``events``."""
    return [e for e in events if e.kind == KIND and isinstance(e.data, dict)]


def powered_on_by(journal: Journal, run: RunRecord, node: str,
                  until: float | None = None) -> str | None:
    """``powered on by `hamnhw power on primary --yes` at 2026-01-05 10:30:07 (root@host
    (command line))`` when an override of ``node`` was journaled after hamnhw's last action
    on it (before ``until``), else None."""
    until = journal.now() if until is None else until
    since = max((r.outcome_at for r in journal.steps(run.id) if r.node == node
                 and r.outcome_at is not None and r.outcome_at < until),
                default=run.started_at)
    found = [e for e in overrides(journal.events(run.id))
             if node in e.data.get("nodes", ()) and since <= e.at <= until]
    if not found:
        return None
    return describe(found[-1].data, found[-1].at)


def describe(data: dict[str, Any], at: float) -> str:
    """``powered on by `COMMAND` at WHEN (WHO)``."""
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
    verb = "power cycled" if data.get("action") == "cycle" else "powered on"
    return f"{verb} by `{data.get('command')}` at {when} ({data.get('who')})"
