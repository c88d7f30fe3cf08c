"""``hamnhw drill [--yes]`` and ``hamnhw drill resume [--disks-moved]``: the procedure's
initial failover test (fail over, then back), ending in a pass/fail report of every check."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from hamnhw.cli.commands.failover.common import (
    accept_degraded_option,
    acknowledge_option,
    coordinating,
    disk_serial_option,
    make_operator,
    prompt,
)
from hamnhw.cli.commands.failover.hints import copy_pasteable
from hamnhw.cli.commands.pair.common import config_option, load_pair_config
from hamnhw.cli.exit_codes import ExitCode, exit_code_for
from hamnhw.cli.options import failures_reported, output_of

EXIT_BY_OUTCOME = {"passed": ExitCode.OK, "waiting": ExitCode.WAITING_FOR_OPERATOR}


@click.group("drill", invoke_without_command=True)
@config_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation of the plan.")
@accept_degraded_option
@acknowledge_option
@disk_serial_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None, yes: bool, accept_degraded: bool,
            acknowledgements: tuple[str, ...],
            disk_serials: tuple[str, ...]) -> None:
    """The initial failover test: fail over, then back, with a pass/fail report.

    Exit 0 when every check of both legs passed, 10 at each operator step (then `hamnhw
    drill resume --disks-moved`), 1 when the drill failed or stopped."""
    if ctx.invoked_subcommand is not None:
        return
    from hamnhw.failover.drill import Drill

    if not (yes or sys.stdin.isatty()):
        raise click.UsageError("no terminal to confirm the plan on: pass --yes")
    operator = make_operator(ctx, acknowledgements=acknowledgements,
                             disk_serials=disk_serials)
    _run(ctx, lambda: Drill(load_pair_config(config_path), operator, prompt=prompt()).start(
        yes=yes, accept_degraded=accept_degraded))


@command.command("resume")
@config_option
@click.option("--disks-moved", is_flag=True, help="The disks are moved as the work order said.")
@accept_degraded_option
@acknowledge_option
@disk_serial_option
@click.pass_context
def resume(ctx: click.Context, config_path: str | None, disks_moved: bool,
           accept_degraded: bool, acknowledgements: tuple[str, ...],
            disk_serials: tuple[str, ...]) -> None:
    """Resume the drill's current leg (or start the failback)."""
    from hamnhw.failover.drill import Drill

    operator = make_operator(ctx, disks_moved=disks_moved, acknowledgements=acknowledgements,
                             disk_serials=disk_serials)
    _run(ctx, lambda: Drill(load_pair_config(config_path), operator, prompt=prompt()).resume(
        disks_moved=disks_moved, accept_degraded=accept_degraded))


def _run(ctx: click.Context, action: Callable[[], object]) -> None:
    from hamnhw.failover.drill import DrillReport

    with failures_reported(ctx, "pair"), coordinating(ctx):
        report = action()
    assert isinstance(report, DrillReport)
    for leg in report.legs:  # each command suggested names this invocation's --config
        copy_pasteable(ctx, leg)
    output_of(ctx).result({"node": "pair", **report.to_json()}, lambda _p: report.text())
    code = EXIT_BY_OUTCOME.get(report.outcome, ExitCode.FAILED)
    last = report.legs[-1] if report.legs else None
    if code == ExitCode.FAILED and last is not None and last.exception is not None:
        code = exit_code_for(last.exception)
    if code:
        ctx.exit(int(code))
