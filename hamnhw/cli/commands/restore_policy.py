"""``hamnhw restore-policy NODE [POLICY] [--dry-run]``: what the host does when AC power
returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.options import TargetOptions, node_options, run_on_node
from hamnhw.cli.plan_output import outcome_payload, plan_payload, render_outcome, render_plan
from hamnhw.models import PowerRestorePolicy
from hamnhw.node import Node
from hamnhw.plan import apply_restore_policy, plan_restore_policy

POLICIES = {policy.name.lower().replace("_", "-"): policy for policy in PowerRestorePolicy}
"""``always-on``, ``always-off``, ``last-state``."""


def _render_current(payload: Mapping[str, Any]) -> str:
    return f"{payload['node']}: {payload['restore_policy']}"


@click.command("restore-policy")
@click.option("--dry-run", is_flag=True,
              help="Read the node and print what would be sent (or that it is already so); "
                   "send nothing.")
@node_options
@click.argument("policy", metavar="[POLICY]", required=False, type=click.Choice(list(POLICIES)))
@click.pass_context
def command(ctx: click.Context, target: TargetOptions, policy: str | None,
            dry_run: bool) -> None:
    """Show or set what the host does when AC power returns: always-on, always-off, last-state.

    Without POLICY, print it (the Redfish value, e.g. AlwaysOff).  With it, set it and read it
    back; a node already set that way gets no request ("changed": false).
    """
    if policy is None:
        if dry_run:
            raise click.UsageError("--dry-run needs a POLICY")
        run_on_node(ctx, target, lambda node: {
            "restore_policy": node.power.get_restore_policy().value}, _render_current)
        return
    chosen = POLICIES[policy]
    if dry_run:
        run_on_node(ctx, target, lambda node: plan_payload(plan_restore_policy(node, chosen)),
                    render_plan)
        return

    def apply(node: Node) -> dict[str, Any]:
        return outcome_payload(apply_restore_policy(node, chosen), "restore_policy")

    run_on_node(ctx, target, apply, render_outcome("restore_policy"))
