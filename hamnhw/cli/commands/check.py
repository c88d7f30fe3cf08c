"""``hamnhw check raid NODE...`` and ``hamnhw check pair``: health checks for monitoring.

With ``--format nagios`` the output and exit code follow the monitoring-plugins guidelines
(0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; README has the outcome table); otherwise hamnhw's
own exit codes apply (0 healthy, 5 unhealthy or unknown, 3 unreachable, 4 authentication...).
The default timeout is 30 s for the whole check (Nagios kills a check at 60 s).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import click

from hamnhw.cli.exit_codes import ExitCode, aggregate, exit_code_for
from hamnhw.cli.fleet import FleetOptions, nodes_options
from hamnhw.cli.fleet_views import summary_line, summary_payload
from hamnhw.cli.options import Seconds, TargetOptions, connect_target, fail, output_of
from hamnhw.cli.output import dumps
from hamnhw.config import find_config, load_config
from hamnhw.deadline import Deadline
from hamnhw.errors import ConfigError
from hamnhw.monitor.checks import NodeOutcome, check_raid_node, plugin_output, run_checks
from hamnhw.monitor.health import RaidHealth, read_raid_health
from hamnhw.monitor.nagios import PluginOutput, Status, safe_text

CHECK_TIMEOUT_S = 30.0
"""Default bound of a whole check (Nagios kills a plugin at 60 s)."""
FORMATS = ("text", "nagios")


class CheckCommand(click.Command):
    """A check whose usage errors are UNKNOWN (exit 3) under ``--format nagios``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        nagios = _wants_nagios(args)
        try:
            rest = super().parse_args(ctx, args)
            if "nodes" in ctx.params and not ctx.params["nodes"] and not ctx.params["nodes_file"]:
                raise click.MissingParameter(ctx=ctx, param_type="argument", param_hint="'NODE'")
            return rest
        except click.UsageError as exc:
            if not nagios:
                raise
            service = (self.name or "check").upper()
            click.echo(PluginOutput(service, Status.UNKNOWN,
                                    f"usage: {exc.format_message()}").render())
            ctx.exit(int(Status.UNKNOWN))
            raise  # unreachable: ctx.exit raises


def _wants_nagios(args: Sequence[str]) -> bool:
    pairs = zip(args, [*args[1:], ""], strict=False)  # no args: nothing
    return any(a == "--format=nagios" or (a == "--format" and b == "nagios") for a, b in pairs)


@click.group("check")
def command() -> None:
    """Health checks for Nagios/Icinga and scripts: RAID of nodes, the pair."""


def format_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--format text|nagios``."""
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
                        show_default=True,
                        help="nagios: monitoring-plugins output and exit codes 0-3.")(func)


@command.command("raid", cls=CheckCommand)
@format_option
@nodes_options
@click.pass_context
def raid(ctx: click.Context, fleet: FleetOptions, fmt: str) -> None:
    """Judge the RAID volumes of each NODE: optimal OK, degraded or rebuilding WARNING,
    failed CRITICAL, not told UNKNOWN; several nodes give the worst."""
    options = fleet.options
    deadline = Deadline(options.timeout or CHECK_TIMEOUT_S)
    started = time.monotonic()
    try:
        selection = fleet.selection()
    except ConfigError as exc:
        if fmt != "nagios":
            fail(ctx, None, exc)
        click.echo(PluginOutput("RAID", Status.UNKNOWN, str(exc)).render())
        ctx.exit(int(Status.UNKNOWN))

    def check(name: str) -> NodeOutcome:
        target = dataclasses.replace(options, node=name)
        return check_raid_node(name, lambda: read_with(target, deadline, read_raid_health))

    outcomes = run_checks(selection.nodes, check, concurrency=fleet.fanout)
    report(ctx, "RAID", outcomes, fmt,
           summary=None if selection.single else time.monotonic() - started)


def read_with(target: TargetOptions, deadline: Deadline,
              read: Callable[[Any], RaidHealth]) -> RaidHealth:
    """Connect to ``target``, ``read`` and log out, all within ``deadline``."""
    node = connect_target(target, deadline, timeout=max(deadline.left(), 0.001))
    try:
        with node.operation(deadline=deadline):
            return read(node)
    finally:
        node.close()


def report(ctx: click.Context, service: str, outcomes: Sequence[NodeOutcome], fmt: str, *,
           summary: float | None = None) -> None:
    """Print the outcomes and exit: plugin conventions with ``nagios``, else hamnhw's.

    :param summary: the seconds a check over several nodes took: the fan-out's summary
        (a JSON line, else a line on stderr) follows the nodes' outcomes.
    """
    if fmt == "nagios":
        result = plugin_output(service, outcomes)
        click.echo(result.render())
        sys.stdout.flush()
        ctx.exit(int(result.status))
    json_output = output_of(ctx).json
    for outcome in outcomes:
        if json_output:
            click.echo(dumps(outcome.to_json()))
            continue
        click.echo(f"{outcome.status.name}: {safe_text(outcome.summary)}")
        for line in outcome.details:
            click.echo(f"  {safe_text(line)}")
    codes = [int(exit_code(o)) for o in outcomes]
    if summary is not None:
        totals = summary_payload(codes, summary)
        click.echo(dumps({"summary": totals}) if json_output else summary_line(totals),
                   err=not json_output)
    ctx.exit(aggregate(codes))


def exit_code(outcome: NodeOutcome) -> ExitCode:
    """hamnhw's exit code of one node: its error's, else 5 when not OK, else 0 (several
    nodes: :func:`~hamnhw.cli.exit_codes.aggregate`)."""
    if outcome.error is not None:
        return exit_code_for(outcome.error)
    return ExitCode.OK if outcome.status is Status.OK else ExitCode.UNHEALTHY


@command.command("pair", cls=CheckCommand)
@format_option
@click.option("--config", "config_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Config file with [primary] and [standby] (default: $HAMNHW_CONFIG, "
                   "./hamnhw.toml, /etc/hamnhw/hamnhw.toml).")
@click.option("--timeout", metavar="S", type=Seconds(),
              help=f"Bound of the whole check (default {CHECK_TIMEOUT_S:.0f} s).")
@click.option("--max-snapshot-age", type=click.FloatRange(0), default=168.0, show_default=True,
              metavar="HOURS", help="Older pair snapshots are a WARNING.")
@click.pass_context
def pair_command(ctx: click.Context, fmt: str, config_path: str | None, timeout: float | None,
                 max_snapshot_age: float) -> None:
    """Judge the pair: both BMCs answer, the active node's RAID, the other node off with
    restore policy AlwaysOff, restore policies, a spare drive, snapshot age, NIC parity."""
    from hamnhw import pair
    from hamnhw.monitor.paircheck import check_pair, outcome_of, read_pair_node

    deadline = Deadline(timeout or CHECK_TIMEOUT_S)
    try:
        path = find_config(config_path)
        if path is None:
            raise ConfigError("check pair needs a config file with [primary] and [standby]")
        config = load_config(path)
        pair.check_pair_config(config)
    except ConfigError as exc:
        if fmt != "nagios":
            fail(ctx, "pair", exc)
        click.echo(PluginOutput("PAIR", Status.UNKNOWN, str(exc)).render())
        ctx.exit(int(Status.UNKNOWN))

    def open_node(name: str) -> Any:
        return pair.connect_node(config, name, deadline=deadline)

    def read(name: str) -> Any:
        return read_pair_node(name, open_node)

    output = check_pair(config, read, max_snapshot_age * 3600)
    report(ctx, "PAIR", [outcome_of(output)], fmt)
