"""``hamnhw failover status``: the newest run from the journal, whether a coordinator works on
it now, and each node's power."""

from __future__ import annotations

import click

from hamnhw.cli.commands.failover.common import make_operator
from hamnhw.cli.commands.failover.hints import copy_pasteable
from hamnhw.cli.commands.pair.common import config_option, load_pair_config
from hamnhw.cli.exit_codes import ExitCode
from hamnhw.cli.options import fail, output_of


@click.command("status")
@config_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None) -> None:
    """Show the newest run: state, steps, checks, stop reason.

    Human and --json: run id, direction, state, outcome, whether a coordinator works on it
    (coordinator_alive, coordinator_pid), steps with times and outcomes, the active node,
    stop_reason, and what goes on with it (needs, as its last stop asked; "to go on:").
    Each node's power is read now, both side by side (power; null where its BMC did not give
    it: power_answers says what it answered and how long was waited, power_last the power
    the run last read).
    Exit 0 whatever the run's state (the command itself worked), except 10 when an unfinished
    run has no coordinator and recorded no stop (outcome not-running: it was killed, or its
    host went down): nothing goes on until you run the command in needs.resume."""
    from hamnhw.failover.coordinator import Coordinator
    from hamnhw.failover.runstatus import NOT_RUNNING

    try:
        report = Coordinator(load_pair_config(config_path), operator=make_operator(ctx)).status()
    except Exception as exc:
        fail(ctx, "pair", exc)
        return
    out = output_of(ctx)
    if report is None:
        out.result({"node": "pair", "run_id": None}, lambda _p: "no failover run recorded yet")
        return
    copy_pasteable(ctx, report)
    out.result({"node": "pair", **report.to_json()}, lambda _p: report.text())
    if report.outcome == NOT_RUNNING:
        ctx.exit(int(ExitCode.WAITING_FOR_OPERATOR))
