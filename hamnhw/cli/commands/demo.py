"""``hamnhw demo``: the whole failover drill on a simulated primary/standby pair."""

from __future__ import annotations

import click

from hamnhw.cli.commands.failover.common import coordinating
from hamnhw.cli.options import failures_reported, output_of
from hamnhw.cli.output import dumps


@click.command("demo")
@click.option("--tls/--no-tls", default=True, show_default=True,
              help="Serve HTTPS with a self-signed certificate and pin its fingerprint "
                   "(--no-tls: plain HTTP, warned about like any plain-HTTP BMC).")
@click.option("--power-delay", type=click.FloatRange(min=0), default=0.3, show_default=True,
              metavar="S", help="Seconds the simulated hosts spend powering on or off.")
@click.pass_context
def command(ctx: click.Context, tls: bool, power_delay: float) -> None:
    """Run the main job on a simulated primary/standby pair.

    The whole drill: pair snapshot, failover to the standby with a simulated operator moving
    the drives, then failback, every step printed; the standby ends off, the simulator is
    stopped and says so.  Exit 0 only if every verification passed.  Bounded by the
    drill's own budgets (no --timeout)."""
    from hamnhw.demo import run_demo

    out = output_of(ctx)
    with failures_reported(ctx, "demo"), coordinating(ctx):
        report = run_demo(None if out.json else click.echo, power_delay=power_delay, tls=tls)
    if out.json:
        click.echo(dumps(report))
    if not report["passed"]:
        ctx.exit(1)
