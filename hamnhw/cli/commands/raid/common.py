"""What the RAID write commands share: ``--dry-run``, the JSON of a plan and of an outcome,
their text, and a job whose every read is bounded by ``--timeout``.

The JSON of every write command (documented in README)::

    {"node", "operation", "dry_run", "changed", "pending", "summary", "volume_id", "drives",
     "apply_time", "requests": [{"method", "path", "body"}], "notes": [...],
     "job": {"id", "kind", "state", "percent", "messages"} | null, "volume": {...} | null}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.jobs import Job, JobStatus
from hamnhw.models import Volume
from hamnhw.node import Node
from hamnhw.raid import RaidOutcome, RaidPlan
from hamnhw.views import volumes_json

DRY_RUN = click.option("--dry-run", is_flag=True,
                       help="Read and validate, print what would be sent, send nothing.")

UNBOUNDED_WAIT_S = 30 * 86400.0
"""The command deadline of a wait given no bound (``rebuild --wait`` without
``--wait-timeout``): 30 days; every read is still bounded by ``--timeout``."""


def plan_json(plan: RaidPlan) -> dict[str, Any]:
    """The plan part of the contract."""
    return {
        "operation": plan.operation, "summary": plan.summary, "changed": plan.changed,
        "pending": plan.pending, "volume_id": plan.volume_id, "drives": list(plan.drive_ids),
        "apply_time": plan.apply_time.value if plan.apply_time else None,
        "requests": [{"method": r.method, "path": r.path, "body": r.body}
                     for r in plan.requests],
        "notes": list(plan.notes),
    }


def job_json(job: Job | None, status: JobStatus | None) -> dict[str, Any] | None:
    """``{"id", "kind", "state", "percent", "messages"}`` of a job, or None."""
    if job is None:
        return None
    return {"id": job.id, "kind": job.kind,
            "state": status.state.value if status else None,
            "percent": status.percent if status else None,
            "messages": list(status.messages) if status else []}


def volume_json(volume: Volume | None) -> dict[str, Any] | None:
    """One volume as ``raid show`` lists it."""
    listed = volumes_json([volume]) if volume is not None else None
    return listed[0] if listed else None


def plan_payload(plan: RaidPlan) -> dict[str, Any]:
    """A ``--dry-run``: what would be done, nothing sent."""
    return {**plan_json(plan), "dry_run": True, "job": None, "volume": None}


def outcome_payload(outcome: RaidOutcome) -> dict[str, Any]:
    """What a write did."""
    payload = plan_json(outcome.plan)
    payload.update(dry_run=False, changed=outcome.changed, pending=outcome.pending,
                   job=job_json(outcome.job, outcome.status),
                   volume=volume_json(outcome.volume),
                   notes=[*outcome.plan.notes, *outcome.notes])
    if outcome.volume is not None:
        payload["volume_id"] = outcome.volume.id
    return payload


def render_change(payload: Mapping[str, Any]) -> str:
    """Text of a plan or an outcome."""
    lines = [f"{payload['node']}: {payload['summary']}"]
    if payload["dry_run"]:
        lines.append("dry run: nothing sent" + ("" if payload["changed"] else
                                                 " (nothing to send)"))
        lines += [f"  would send: {r['method']} {r['path']} {r['body'] or ''}".rstrip()
                  for r in payload["requests"]]
    else:
        lines.append("changed" if payload["changed"] else "unchanged")
    lines += job_lines(payload)
    if payload.get("volume"):
        volume = payload["volume"]
        lines.append(f"volume {volume['id']}: {volume['raid_type']}, health "
                     f"{volume['health']}, drives {','.join(volume['drives'] or []) or '-'}")
    lines += [f"note: {note}" for note in payload["notes"]]
    lines += protection_lines(payload)
    return "\n".join(lines)


def dry_run_exit(payload: Mapping[str, Any]) -> int:
    """The code a dry run exits with: the real run's, had it been refused by the pair
    protection (2 for a missing confirmation), else 0."""
    refused = (payload.get("protection") or {}).get("refused") if payload.get("dry_run") \
        else None
    return int(refused["exit_code"]) if refused else 0


def protection_lines(payload: Mapping[str, Any]) -> list[str]:
    """The text of the ``protection`` part: why the write is protected, and in a dry run
    whether the real run would be refused."""
    protection = payload.get("protection")
    if not protection or not protection.get("protected"):
        return []
    why = "; ".join(protection["reasons"])
    lines = [f"protected: {why}"]
    refused = protection.get("refused")
    if refused:
        message = refused["message"].removeprefix(f"{why}: ")  # the reasons are said above
        lines.append(f"the real run would be refused (exit {refused['exit_code']}): {message}")
    elif payload.get("dry_run"):
        lines.append("the confirmations given are what the real run needs")
    return lines


def job_lines(payload: Mapping[str, Any]) -> list[str]:
    """The job line of a write's text, and whether it waits for the next reset."""
    lines = []
    job = payload.get("job")
    if job:
        percent = f" {job['percent']}%" if job["percent"] is not None else ""
        lines.append(f"job {job['kind']} {job['id']}: {job['state']}{percent}")
    if payload["pending"]:
        lines.append("pending: applies at the next reset")
    return lines


def split_ids(value: str) -> tuple[str, ...]:
    """``A,B`` -> ``("A", "B")`` (blanks dropped)."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


class BoundedRounds(Job):
    """A job whose every read runs under its own deadline of ``seconds`` (``--timeout``),
    for waits longer than one command timeout (a rebuild)."""

    def __init__(self, job: Job, node: Node, seconds: float) -> None:
        super().__init__(job.id, job.kind, job.description, job.host)
        self.inner, self.node, self.seconds = job, node, seconds

    def read_status(self) -> JobStatus:
        """One read of the inner job, bounded."""
        with self.node.operation(self.seconds):
            return self.inner.status()
