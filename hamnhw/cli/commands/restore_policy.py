"""``hamnhw restore-policy NODE... [POLICY] [--dry-run] [--yes]``: what the host does when AC
power returns.

Several nodes (a range, a group, ``--nodes-file``) are worked on at once
(:mod:`hamnhw.cli.fleet`); the last argument is the POLICY when it is one of the policies
and nodes remain.  Setting over several nodes a policy other than the config's
``[failover] active_restore_policy`` when they include the pair's active MN needs ``--yes``
(``always-off`` would leave the MN off after a power loss): not with ``--dry-run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.fleet import (
    FleetOptions,
    nodes_options,
    refuse_active_mn,
    run_on_nodes,
    split_value,
)
from hamnhw.cli.plan_output import outcome_payload, plan_payload, render_outcome, render_plan
from hamnhw.fleet.targets import Selection
from hamnhw.models import PowerRestorePolicy
from hamnhw.node import Node
from hamnhw.plan import apply_restore_policy, plan_restore_policy

POLICIES = {policy.name.lower().replace("_", "-"): policy for policy in PowerRestorePolicy}
"""``always-on``, ``always-off``, ``last-state``."""


def _render_current(payload: Mapping[str, Any]) -> str:
    return f"{payload['node']}: {payload['restore_policy']}"


def _read(node: Node) -> dict[str, Any]:
    return {"restore_policy": node.power.get_restore_policy().value}


@click.command("restore-policy")
@click.option("--dry-run", is_flag=True,
              help="Read the node and print what would be sent (or that it is already so); "
                   "send nothing.")
@click.option("--yes", is_flag=True,
              help="Over several nodes: set a policy other than the active MN's even when "
                   "they include the pair's active MN.")
@nodes_options(metavar="NODE... [POLICY]")
@click.pass_context
def command(ctx: click.Context, fleet: FleetOptions, dry_run: bool, yes: bool) -> None:
    """Show or set what the host does when AC power returns: always-on, always-off, last-state.

    Without POLICY, print it (the Redfish value, e.g. AlwaysOff).  With it, set it and read it
    back; a node already set that way gets no request ("changed": false).  Over
    several NODEs (ranges, groups, --nodes-file) the last argument is the POLICY when it is
    one.
    """
    fleet, policy = split_value(fleet, POLICIES)
    if policy is None:
        if dry_run:
            raise click.UsageError("--dry-run needs a POLICY")
        run_on_nodes(ctx, fleet, lambda _budget: _read, _render_current)
        return
    chosen = POLICIES[policy]

    def guard(selection: Selection) -> None:
        config = fleet.config()
        if config is not None and chosen is not config.failover.active_restore_policy:
            refuse_active_mn(fleet, selection)

    if dry_run:  # refused alike (the real run's code), nothing stopped
        run_on_nodes(ctx, fleet, lambda _budget: lambda node: plan_payload(
            plan_restore_policy(node, chosen)), render_plan,
            guard=None if yes else guard, dry_run=True)
        return

    def apply(node: Node) -> dict[str, Any]:
        return outcome_payload(apply_restore_policy(node, chosen), "restore_policy")

    run_on_nodes(ctx, fleet, lambda _budget: apply, render_outcome("restore_policy"),
                 guard=None if yes else guard)
