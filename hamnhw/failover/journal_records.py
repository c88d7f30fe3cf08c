"""The rows of the failover journal (:mod:`hamnhw.failover.journal`) as Python values.

One frozen dataclass per kind of row (runs, steps, events, the active node), the column
lists the journal selects and the functions that turn a selected row into its record
(JSON columns decoded; a missing outcome stays None).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

FINISHED_STATES = frozenset({"done", "aborted", "refused"})
"""Run states after which a new ``start`` is allowed."""

DRILL_KINDS = frozenset({"drill-failover", "drill-failback"})
"""Run kinds of a drill's two legs (:data:`hamnhw.failover.drill.LEGS`): such a run goes on
with ``hamnhw drill resume``, which also starts the failback and reports both legs."""


def resume_command(kind: str) -> str:
    """The command that resumes a run of ``kind``: ``hamnhw drill resume`` for a drill's leg,
    else ``hamnhw failover resume``."""
    return "hamnhw drill resume" if kind in DRILL_KINDS else "hamnhw failover resume"


def start_command(kind: str) -> str:
    """The command that starts a run of ``kind`` again after a refusal: ``hamnhw drill`` for
    a drill's failover leg, ``hamnhw drill resume`` for its failback leg (it starts the
    failback again), else ``hamnhw failover start``."""
    return {"drill-failover": "hamnhw drill",
            "drill-failback": "hamnhw drill resume"}.get(kind, "hamnhw failover start")


def in_run_words(text: str, kind: str) -> str:
    """A stop's text as the run's own command says it: the steps name ``hamnhw failover
    resume`` (``start``), which for a drill's leg is ``hamnhw drill resume``
    (:func:`start_command`)."""
    text = text.replace("hamnhw failover start", start_command(kind))
    return text.replace("hamnhw failover resume", resume_command(kind))


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """One row of ``runs``."""

    id: int
    kind: str
    """``failover`` or ``drill``."""
    drill_id: int | None
    source: str
    """The node that was active (fenced)."""
    target: str
    """The node that becomes active."""
    state: str
    stop_reason: str | None
    started_at: float
    updated_at: float
    finished_at: float | None
    options: dict[str, Any]
    facts: dict[str, Any]
    """What the run remembered (old restore policies, acknowledgements, verification)."""

    @property
    def finished(self) -> bool:
        """True once done, aborted or refused."""
        return self.state in FINISHED_STATES


@dataclasses.dataclass(frozen=True)
class StepRecord:
    """One action: its intent (before the request) and outcome (after), None if missing."""

    id: int
    run_id: int
    step: str
    action: str
    node: str | None
    intent: dict[str, Any]
    intent_at: float
    outcome: dict[str, Any] | None
    outcome_at: float | None
    superseded: bool


@dataclasses.dataclass(frozen=True)
class EventRecord:
    """One row of ``events``."""

    id: int
    run_id: int | None
    at: float
    kind: str
    message: str
    data: Any


@dataclasses.dataclass(frozen=True)
class ActiveNode:
    """Which node the journal says is the active MN, since when and on whose word."""

    name: str
    set_at: float
    source: str


SELECT_RUNS = ("SELECT id, kind, drill_id, source, target, state, stop_reason, started_at, "
               "updated_at, finished_at, options, facts FROM runs")
"""The columns of ``runs`` in the order :func:`run_record` reads them."""
SELECT_STEPS = ("SELECT id, run_id, step, action, node, intent, intent_at, outcome, "
                "outcome_at, superseded FROM steps")
"""The columns of ``steps`` in the order :func:`step_record` reads them."""


def run_record(row: tuple[Any, ...]) -> RunRecord:
    """The run of a row selected with :data:`SELECT_RUNS`."""
    return RunRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                     row[9], json.loads(row[10]), json.loads(row[11]))


def step_record(row: tuple[Any, ...]) -> StepRecord:
    """The step of a row selected with :data:`SELECT_STEPS`."""
    return StepRecord(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6],
                      None if row[7] is None else json.loads(row[7]), row[8], bool(row[9]))
