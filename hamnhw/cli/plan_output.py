"""The output of a ``--dry-run`` (a :class:`~hamnhw.plan.WritePlan`) and of a write run from a
plan (a :class:`~hamnhw.plan.WriteOutcome`), shared by ``power``, ``boot`` and
``restore-policy``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hamnhw.models import to_jsonable
from hamnhw.plan import WriteOutcome, WritePlan


def plan_payload(plan: WritePlan) -> dict[str, Any]:
    """The JSON of a ``--dry-run``: ``dry_run`` true and the plan (operation, changed,
    summary, current, wanted, requests, notes)."""
    payload: dict[str, Any] = {"dry_run": True}
    payload.update(to_jsonable(plan))
    return payload


def render_plan(payload: Mapping[str, Any]) -> str:
    """The plan's summary, then each request it would send."""
    lines = [f"{payload['node']}: {payload['summary']} (dry run: nothing sent)"]
    for request in payload["requests"] or ():
        lines.append(f"  {request['method']} {request['path']} {request['body'] or ''}".rstrip())
    lines.extend(f"  note: {note}" for note in payload["notes"])
    return "\n".join(lines)


def outcome_payload(outcome: WriteOutcome, key: str) -> dict[str, Any]:
    """The JSON of a write: ``changed``, the state under ``key`` (as read back after the
    write, else as read before it) and the ``plan`` it ran."""
    state = outcome.readback if outcome.sent else outcome.plan.current
    return {key: state, "changed": outcome.changed, "plan": to_jsonable(outcome.plan)}


def render_outcome(key: str) -> Any:
    """A renderer of :func:`outcome_payload` output: ``node: STATE (changed|unchanged)``."""
    def render(payload: Mapping[str, Any]) -> str:
        change = "changed" if payload["changed"] else "unchanged"
        return f"{payload['node']}: {payload[key]} ({change})"

    return render
