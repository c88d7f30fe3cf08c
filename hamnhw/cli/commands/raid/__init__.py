"""``hamnhw raid show|create|delete|rebuild|spare|import-foreign NODE ...``: hardware RAID.

One module per subcommand; :mod:`~hamnhw.cli.commands.raid.common` holds the JSON and text
of plans and outcomes that the write commands share.
"""

from __future__ import annotations

import click

from hamnhw.cli.commands.raid import create, delete, importforeign, rebuild, show, spare


@click.group("raid")
def command() -> None:
    """Hardware RAID: show, create, delete, rebuild, spares, foreign import."""


for _module in (show, create, delete, rebuild, spare, importforeign):
    command.add_command(_module.command)
