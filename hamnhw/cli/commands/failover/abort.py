"""``hamnhw failover abort [--power-on-old-node]``."""

from __future__ import annotations

import click

from hamnhw.cli.commands.failover.common import (
    acknowledge_option,
    make_operator,
    prompt,
    run_coordinator,
)
from hamnhw.cli.commands.pair.common import config_option, load_pair_config


@click.command("abort")
@config_option
@click.option("--power-on-old-node", is_flag=True,
              help="Power the old node on again, only once a fresh read shows every MN drive "
                   "back in it (before the disk move: a POST into BIOS setup; after it: only a "
                   "drive list from a POST since the move, else nothing is sent).")
@acknowledge_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None, power_on_old_node: bool,
            acknowledgements: tuple[str, ...]) -> None:
    """Abort the unfinished run (restores policies before the disk move).

    Journaled: an abort that was interrupted is finished by running it again.  After the
    disks were moved (resume --disks-moved), abort powers nothing on unless
    --power-on-old-node finds a fresh drive list showing them back."""
    from hamnhw.failover.coordinator import Coordinator

    operator = make_operator(ctx, acknowledgements=acknowledgements)

    def action():
        config = load_pair_config(config_path)
        return Coordinator(config, operator=operator, prompt=prompt()).abort(
            power_on_old_node=power_on_old_node)

    run_coordinator(ctx, action)
