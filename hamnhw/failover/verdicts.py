"""What a run's checks say: pass, FAIL, WARN, unverified, resolved.

A check is recorded as ``{"name", "passed", "detail", "verdict", "at"}``
(:meth:`~hamnhw.failover.engine.RunContext.check`).  ``passed`` keeps its meaning (True,
False, None: unverified); ``verdict`` tells apart what ``passed`` cannot:

* ``WARN``: not passed, and the run goes on by design (a degraded MN RAID1 at preflight: the
  runbook's warning); it does not fail the run;
* ``resolved``: it failed at an earlier attempt of its step (the run stopped there), and
  passed, or was not found again, when the step ran again; ``earlier`` keeps what it found
  then.  ``passed`` is True.

Checks journaled by an older hamnhw have no ``verdict``: it follows from ``passed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PASS, FAIL, WARN, UNVERIFIED, RESOLVED = "pass", "FAIL", "WARN", "unverified", "resolved"


def verdict(check: Mapping[str, Any]) -> str:
    """A recorded check's verdict."""
    given = check.get("verdict")
    if isinstance(given, str):
        return given
    return {True: PASS, False: FAIL, None: UNVERIFIED}[check["passed"]]


def recorded(name: str, passed: bool | None, detail: str, at: float, *, warning: bool,
             earlier: Mapping[str, Any] | None) -> dict[str, Any]:
    """The record of a check found now; ``earlier`` is its record so far, if any."""
    found = {True: PASS, None: UNVERIFIED}.get(passed, WARN if warning else FAIL)
    entry: dict[str, Any] = {"name": name, "passed": passed, "detail": detail,
                             "verdict": found, "at": at}
    if passed and earlier is not None and verdict(earlier) in (FAIL, RESOLVED):
        entry.update(verdict=RESOLVED, earlier=earlier.get("earlier") or earlier["detail"])
    return entry


def site_of(name: str) -> str:
    """The step a check belongs to: ``verify`` for ``verify-import: primary off``."""
    return name.split(":", 1)[0].split("-", 1)[0]


def resolve_earlier(checks: Sequence[Mapping[str, Any]], site: str,
                    since: float) -> list[dict[str, Any]] | None:
    """``checks`` with those of step ``site`` that failed before ``since`` (an attempt of
    the step that stopped) resolved, the step having gone through since; None when none
    is.  A check without its time (an older hamnhw's) is left as it is."""
    stale = [c for c in checks if verdict(c) == FAIL and site_of(c["name"]) == site
             and isinstance(c.get("at"), (int, float)) and c["at"] < since]
    if not stale:
        return None
    return [{**c, "passed": True, "verdict": RESOLVED, "earlier": c["detail"],
             "detail": "not found again when the step ran again"} if c in stale else dict(c)
            for c in checks]


def label(check: Mapping[str, Any]) -> str:
    """The report's line of a check: ``[   pass   ] name: detail``."""
    text = f"  [{verdict(check):^10}] {check['name']}: {check['detail']}"
    return text + (f" (failed earlier: {check['earlier']})" if check.get("earlier") else "")
