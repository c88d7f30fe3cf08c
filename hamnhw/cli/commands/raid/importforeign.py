"""``hamnhw raid import-foreign NODE [--wait] [--dry-run]``: import the RAID configuration
that moved drives carry (a moved array), never clear it.

JSON::

    {"node", "operation": "import-foreign", "dry_run", "foreign": [ids] | null,
     "changed", "pending", "job": {...} | null, "notes": [...]}

``foreign`` is null when the driver cannot tell (generic Redfish; HPE Smart Array, which
imports moved arrays by itself at POST); a driver without an import action exits with the
unsupported-operation code naming the manual step.  ``--dry-run`` reads the driver's plan
(:meth:`~hamnhw.interfaces.RaidInterface.plan_import_foreign`), so it meets what the real
run would meet before sending (no import action, no foreign drive: the same error and exit
code) and adds ``"requests"``: what the real run would send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

from hamnhw.cli import options
from hamnhw.cli.budget import CommandBudget
from hamnhw.cli.commands.raid.common import DRY_RUN, job_json, job_lines, plan_json
from hamnhw.cli.options import TargetOptions, node_options, run_waiting_on_node
from hamnhw.jobs import JobState
from hamnhw.node import Node
from hamnhw.notes import notes_of


def render(payload: Mapping[str, Any]) -> str:
    """Text of the import."""
    foreign = payload["foreign"]
    shown = "unknown" if foreign is None else ", ".join(foreign) or "none"
    lines = [f"{payload['node']}: foreign drives: {shown}"]
    if payload["dry_run"]:
        lines.append("dry run: nothing sent")
        lines += [f"  would send: {r['method']} {r['path']} {r['body'] or ''}".rstrip()
                  for r in payload["requests"]]
    lines += job_lines(payload)
    lines += [f"note: {note}" for note in payload["notes"]]
    return "\n".join(lines)


@click.command("import-foreign")
@click.option("--wait", is_flag=True, help="Follow the import job to its end.")
@DRY_RUN
@node_options
@click.pass_context
def command(ctx: click.Context, target: TargetOptions, wait: bool, dry_run: bool) -> None:
    """Import the foreign RAID configuration of moved drives (never cleared)."""

    def prepare(budget: CommandBudget) -> Callable[[Node], dict[str, Any]]:
        def action(node: Node) -> dict[str, Any]:
            found = node.raid.foreign()
            foreign = None if found is None else [d.id for d in found]
            payload: dict[str, Any] = {"operation": "import-foreign", "dry_run": dry_run,
                                       "foreign": foreign, "changed": False, "pending": False,
                                       "job": None, "notes": list(notes_of(node.raid))}
            if dry_run:
                plan = plan_json(node.raid.plan_import_foreign())
                return {**payload, "changed": plan["changed"], "requests": plan["requests"],
                        "notes": [*payload["notes"], *plan["notes"]]}
            job = node.raid.import_foreign()
            policy = options.poll_policy()
            status = (job.wait(policy, policy.deadline(budget.wait_seconds()))
                      if wait and job.kind != "on-reset" else job.status())
            payload.update(changed=job.kind != "completed" or bool(foreign),
                           pending=status.state is JobState.PENDING,
                           job=job_json(job, status),
                           notes=[*payload["notes"], *status.messages])
            return payload

        return action

    run_waiting_on_node(ctx, target, prepare, render)
