"""``hamnhw failover status``: the newest run from the journal (no BMC contacted)."""

from __future__ import annotations

import click

from hamnhw.cli.commands.failover.common import make_operator
from hamnhw.cli.commands.pair.common import config_option, load_pair_config
from hamnhw.cli.options import fail, output_of


@click.command("status")
@config_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None) -> None:
    """Show the newest run: state, steps, checks, stop reason.

    Human and --json: run id, direction, state, steps with times and outcomes, the active
    node, stop_reason.  Exit 0 whatever the run's state (the command itself worked)."""
    from hamnhw.failover.coordinator import Coordinator

    try:
        report = Coordinator(load_pair_config(config_path), operator=make_operator(ctx)).status()
    except Exception as exc:
        fail(ctx, "pair", exc)
        return
    out = output_of(ctx)
    if report is None:
        out.result({"node": "pair", "run_id": None}, lambda _p: "no failover run recorded yet")
    else:
        out.result({"node": "pair", **report.to_json()}, lambda _p: report.text())
