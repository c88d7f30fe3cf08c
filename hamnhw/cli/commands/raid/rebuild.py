"""``hamnhw raid rebuild NODE VOLUME --drive ID --confirm-serial SERIAL [--wait]
[--wait-timeout S] [--dry-run]``: rebuild a degraded volume onto a replacement drive."""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable
from typing import Any

import click

from hamnhw.cli import options
from hamnhw.cli.budget import CommandBudget
from hamnhw.cli.commands.raid.common import (
    DRY_RUN,
    UNBOUNDED_WAIT_S,
    BoundedRounds,
    render_change,
)
from hamnhw.cli.commands.raid.protection import CONFIRM_NODE, pair_guard, run_guarded, run_write
from hamnhw.cli.options import Seconds, TargetOptions, node_options
from hamnhw.errors import WaitTimeout
from hamnhw.node import Node
from hamnhw.raid import RaidOutcome, RaidPlan


@click.command("rebuild")
@click.option("--drive", "drive_id", required=True, metavar="ID",
              help="The replacement drive (as `raid show` lists it).")
@click.option("--confirm-serial", required=True, metavar="SERIAL",
              help="The replacement drive's serial, typed: refused unless it matches.")
@click.option("--wait", is_flag=True,
              help="Follow the rebuild to its end, with progress (rebuilds take hours).")
@click.option("--wait-timeout", type=Seconds(), metavar="S",
              help="Give up waiting after S seconds (default: no bound; --timeout bounds "
                   "each round of reads).")
@CONFIRM_NODE
@DRY_RUN
@node_options
@click.argument("volume", metavar="VOLUME")
@click.pass_context
def command(ctx: click.Context, target: TargetOptions, volume: str, drive_id: str,
            confirm_serial: str, wait: bool, wait_timeout: float | None,
            confirm_node: str | None, dry_run: bool) -> None:
    """Rebuild a degraded volume onto a replacement drive (generic Redfish: the drive becomes
    the volume's dedicated spare, which the controller rebuilds onto)."""

    if wait_timeout is not None and not wait:
        raise click.UsageError("--wait-timeout goes with --wait")
    beyond = (wait_timeout or UNBOUNDED_WAIT_S) if wait else 0.0

    def prepare(budget: CommandBudget) -> Callable[[Node], dict[str, Any]]:
        timeout = budget.seconds - beyond  # --timeout: each round of reads

        guard = pair_guard(target)

        def run(node: Node) -> RaidOutcome:
            with node.operation(timeout):
                outcome = node.raid.rebuild(volume, drive_id, confirm_serial)
            if wait and outcome.job is not None:
                click.echo(started_line(target.node, outcome, wait_timeout), err=True)
                policy = options.poll_policy()
                deadline = policy.deadline(wait_timeout) if wait_timeout else None
                try:
                    status = BoundedRounds(outcome.job, node, timeout).wait(policy, deadline)
                except WaitTimeout as exc:
                    raise WaitTimeout(host=exc.host, what=exc.what, last_state=exc.last_state,
                                      elapsed_s=exc.elapsed_s, hint=goes_on(target)) from exc
                outcome = dataclasses.replace(outcome, status=status)
            return outcome

        def plan(node: Node) -> RaidPlan:
            with node.operation(timeout):
                return node.raid.plan_rebuild(volume, drive_id, confirm_serial)

        def action(node: Node) -> dict[str, Any]:
            return run_write(node, lambda: plan(node), lambda: run(node), guard,
                             (confirm_serial,), confirm_node, dry_run=dry_run)

        return action

    run_guarded(ctx, target, prepare, render_change, beyond_s=beyond)


def started_line(node: str, outcome: RaidOutcome, wait_timeout: float | None) -> str:
    """What ``--wait`` prints on stderr before it waits (with or without a terminal, never on
    stdout): the plan, whether it was sent, the rebuild's first read and the wait's bound."""
    sent = "sent" if outcome.changed else "nothing sent"
    state = outcome.status.describe() if outcome.status is not None else "not read"
    bound = f"up to {wait_timeout:g}s" if wait_timeout else "no bound: --wait-timeout S sets one"
    return (f"{node}: {outcome.plan.summary}: {sent}; rebuild {state}; waiting for its end "
            f"({bound})")


def goes_on(target: TargetOptions) -> str:
    """What a ``--wait-timeout`` leaves behind, and how to follow it (the ``--config`` given
    is added where the error is printed: :meth:`hamnhw.cli.output.Output.error`)."""
    return ("the rebuild goes on in the controller; watch it with `hamnhw raid show --check "
            f"{shlex.quote(target.node)}`")
