"""``hamnhw failover start [--yes] [--dry-run] [--accept-degraded]``."""

from __future__ import annotations

import sys

import click

from hamnhw.cli.commands.failover.common import (
    accept_degraded_option,
    acknowledge_option,
    disk_serial_option,
    make_operator,
    prompt,
    run_coordinator,
)
from hamnhw.cli.commands.pair.common import config_option, load_pair_config


@click.command("start")
@config_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation of the plan.")
@click.option("--dry-run", is_flag=True, help="Run the preflight checks, print the plan, stop.")
@accept_degraded_option
@acknowledge_option
@disk_serial_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None, yes: bool, dry_run: bool,
            accept_degraded: bool, acknowledgements: tuple[str, ...],
            disk_serials: tuple[str, ...]) -> None:
    """Fail over from the active node to the other one.

    Exit 0 when the new MN is verified, 10 when the operator must move the disks (then
    `hamnhw failover resume --disks-moved`), 1 on a safety stop (see stop_reason)."""
    from hamnhw.failover.coordinator import Coordinator

    if not (yes or dry_run or sys.stdin.isatty()):
        raise click.UsageError("no terminal to confirm the plan on: pass --yes (or --dry-run)")
    operator = make_operator(ctx, acknowledgements=acknowledgements,
                             disk_serials=disk_serials)

    def action():
        config = load_pair_config(config_path)
        return Coordinator(config, operator=operator, prompt=prompt()).start(
            dry_run=dry_run, accept_degraded=accept_degraded, yes=yes)

    run_coordinator(ctx, action)
