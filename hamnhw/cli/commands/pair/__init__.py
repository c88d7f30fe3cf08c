"""``hamnhw pair ...``: commands about the primary/standby pair of the config file.

One module per subcommand in this package; each exposes a Click object named ``command``.
They take no NODE: the nodes are the config's ``[primary]`` and ``[standby]``.
"""

from __future__ import annotations

import click

from hamnhw.cli.commands.pair import check


@click.group("pair")
def command() -> None:
    """The management-node pair: preflight check."""


command.add_command(check.command)
