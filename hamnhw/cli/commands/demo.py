"""``hamnhw demo``: a simulated primary/standby pair driven through the library."""

from __future__ import annotations

import click

from hamnhw.cli.options import failures_reported, output_of
from hamnhw.cli.output import dumps


@click.command("demo")
@click.option("--tls/--no-tls", default=True, show_default=True,
              help="Serve HTTPS with a self-signed certificate and pin its fingerprint "
                   "(--no-tls: plain HTTP, warned about like any plain-HTTP BMC).")
@click.option("--power-delay", type=click.FloatRange(min=0), default=0.3, show_default=True,
              metavar="S", help="Seconds the simulated hosts spend powering on.")
@click.pass_context
def command(ctx: click.Context, tls: bool, power_delay: float) -> None:
    """Run the main job on a simulated primary/standby pair.

    Starts the pair on loopback and shows detection, power (the primary on, the standby
    off), NICs, drives and RAID of both, compares them side by side, then stops the
    simulator.  Each BMC gets 30 s (no --timeout)."""
    from hamnhw.demo import run_demo

    out = output_of(ctx)
    with failures_reported(ctx, "demo"):
        report = run_demo(None if out.json else click.echo, power_delay=power_delay, tls=tls)
    if out.json:
        click.echo(dumps(report))
