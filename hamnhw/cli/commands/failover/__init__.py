"""``hamnhw failover SUBCOMMAND``: the failover coordinator (no NODE, no ``--timeout``: nodes
from ``[primary]``/``[standby]``, time budgets from ``[failover]``)."""

from __future__ import annotations

import click

from hamnhw.cli.main import LazyGroup
from hamnhw.cli.table import CommandInfo

SUBCOMMANDS: dict[str, CommandInfo] = {info.name: info for info in (
    CommandInfo("start", "hamnhw.cli.commands.failover.start",
                "Fail over from the active node to the other one."),
    CommandInfo("resume", "hamnhw.cli.commands.failover.resume",
                "Resume the unfinished run where it stopped."),
    CommandInfo("status", "hamnhw.cli.commands.failover.status",
                "Show the newest run: state, steps, checks, stop reason."),
    CommandInfo("abort", "hamnhw.cli.commands.failover.abort",
                "Abort the unfinished run (restores policies before the disk move)."),
    CommandInfo("log", "hamnhw.cli.commands.failover.log",
                "Print the journal's events, oldest first."),
)}
"""The ``failover`` subcommands."""


@click.group("failover", cls=LazyGroup, lazy_commands=SUBCOMMANDS)
def command() -> None:
    """Fail the MN over to the other node: fence, disk move, verified boot (docs/runbook.md)."""
