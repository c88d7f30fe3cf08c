"""``hamnhw pair SUBCOMMAND``: the MN pair as a whole (no NODE: both come from the config).

Each subcommand is a module of this package exposing a Click object named ``command``,
listed in :data:`SUBCOMMANDS` (imported only when it runs, like the top-level commands).
"""

from __future__ import annotations

import click

from hamnhw.cli.main import LazyGroup
from hamnhw.cli.table import CommandInfo

SUBCOMMANDS: dict[str, CommandInfo] = {info.name: info for info in (
    CommandInfo("snapshot", "hamnhw.cli.commands.pair.snapshot",
                "Record both nodes' drives, volumes, NICs, policies and boot settings."),
    CommandInfo("status", "hamnhw.cli.commands.pair.status",
                "Show the last pair snapshot and the active node."),
    CommandInfo("check", "hamnhw.cli.commands.pair.check",
                "Preflight both nodes: reachability, boot mode, RAID1, policies, NIC parity."),
    CommandInfo("setup-raid", "hamnhw.cli.commands.pair.setupraid",
                "Build the MN's RAID1 on the standby, move its disks into the primary, verify "
                "it there."),
)}
"""The ``pair`` subcommands: name -> module and summary."""


@click.group("pair", cls=LazyGroup, lazy_commands=SUBCOMMANDS)
def command() -> None:
    """The MN pair: snapshot, status and preflight check.

    The nodes come from the config's [primary] and [standby]; no NODE argument."""
