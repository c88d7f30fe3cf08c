"""The procedure's initial failover test: fail over to the other node, then fail back.

"make sure the disks work on the two management nodes ... DO NOT skip this step": a drill
is two journaled runs (kinds ``drill-failover`` and ``drill-failback``, the second pointing
at the first as its ``drill_id``), each with its operator step, and a pass/fail report of
every check of both.

::

    report = Drill(config, operator=TtyOperator()).start(yes=True)
    report = Drill(config, operator=ScriptedOperator(disks_moved=True)).resume()
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hamnhw.config import Config
from hamnhw.errors import OperationFailed
from hamnhw.failover.coordinator import Coordinator, forget_disks_moved
from hamnhw.failover.journal import RunRecord
from hamnhw.failover.operator import Operator
from hamnhw.failover.report import RunReport, build_report
from hamnhw.pair import open_journal
from hamnhw.poll import PollPolicy

LEGS = ("drill-failover", "drill-failback")
"""Run kinds of a drill's two legs, in order (:data:`~hamnhw.failover.journal_records.
DRILL_KINDS`)."""


@dataclasses.dataclass
class DrillReport:
    """Both legs' reports and the verdict."""

    legs: list[RunReport]
    outcome: str
    """``passed``, ``failed``, or the current leg's outcome while unfinished (``waiting``)."""

    @property
    def passed(self) -> bool:
        """Both legs done and no check failed."""
        return len(self.legs) == 2 and all(leg.passed for leg in self.legs)

    @property
    def checks(self) -> list[dict[str, Any]]:
        """Every check of both legs, named by leg."""
        return [{**check, "leg": leg.kind} for leg in self.legs for check in leg.checks]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {"outcome": self.outcome, "passed": self.passed, "checks": self.checks,
                "legs": [leg.to_json() for leg in self.legs]}

    def text(self) -> str:
        """Both legs, then the verdict."""
        parts = [leg.text() for leg in self.legs]
        failed = [c for c in self.checks if c["passed"] is False]
        verdict = {"passed": "DRILL PASSED: every check passed on both legs",
                   "failed": f"DRILL FAILED: {len(failed)} check(s) failed"}.get(
            self.outcome, f"drill {self.outcome}: leg {len(self.legs)} of 2")
        return "\n\n".join([*parts, verdict])


class Drill:
    """Failover then failback of the configured pair, as one drill."""

    def __init__(self, config: Config, operator: Operator, *, poll: PollPolicy | None = None,
                 prompt: Callable[[str], str] | None = None) -> None:
        self.coordinator = Coordinator(config, operator, poll=poll, prompt=prompt)
        self.config = config
        self.operator = operator

    def start(self, *, yes: bool = False, accept_degraded: bool = False) -> DrillReport:
        """Start the drill's first leg (and the second when the first finishes at once)."""
        first = self.coordinator.start(yes=yes, accept_degraded=accept_degraded, kind=LEGS[0])
        return self._after(first, accept_degraded)

    def resume(self, *, disks_moved: bool = False, accept_degraded: bool = False) -> DrillReport:
        """Resume the current leg (or start the failback once the failover leg is done)."""
        with open_journal(self.config) as journal:
            latest = journal.latest_run()
        if latest is None or latest.kind not in LEGS:
            from hamnhw.failover.coordinator import NothingToResume

            raise NothingToResume("no drill in the journal: start one with `hamnhw drill`")
        if latest.finished:
            if latest.kind == LEGS[0] and latest.state == "done":
                return self._failback(latest.id, accept_degraded)
            raise OperationFailed(f"the drill's last run {latest.id} is {latest.state}: start a "
                                  "new drill with `hamnhw drill`")
        report = self.coordinator.resume(disks_moved=disks_moved, accept_degraded=accept_degraded,
                                         drill=True)
        return self._after(report, accept_degraded)

    def _after(self, report: RunReport, accept_degraded: bool) -> DrillReport:
        if report.kind == LEGS[0] and report.outcome == "done":
            forget_disks_moved(self.operator)  # the failback needs its own move
            return self._failback(report.run_id or 0, accept_degraded)
        return self._report(report)

    def _failback(self, first_id: int, accept_degraded: bool) -> DrillReport:
        second = self.coordinator.start(yes=True, accept_degraded=accept_degraded,
                                        kind=LEGS[1], drill_id=first_id)
        return self._report(second)

    def _report(self, current: RunReport) -> DrillReport:
        legs = [current]
        if current.kind == LEGS[1]:
            with open_journal(self.config) as journal:
                first = _first_leg(journal.runs(), current)
                if first is not None:
                    legs.insert(0, build_report(journal, first, first.state))
        if current.outcome != "done" or len(legs) < 2:
            outcome = "failed" if current.outcome in ("refused", "aborted") else current.outcome
            return DrillReport(legs, outcome)
        passed = all(leg.passed for leg in legs)
        return DrillReport(legs, "passed" if passed else "failed")


def _first_leg(runs: list[RunRecord], second: RunReport) -> RunRecord | None:
    drill_id = next((r.drill_id for r in runs if r.id == second.run_id), None)
    return next((r for r in runs if r.id == drill_id), None)


