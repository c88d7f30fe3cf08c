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
              help="Before the disk move only: power the old node on again once a POST into "
                   "BIOS setup shows every MN drive back in it (an old node that is not off "
                   "is left as it is).  After the disks were said moved nothing is sent.")
@acknowledge_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None, power_on_old_node: bool,
            acknowledgements: tuple[str, ...]) -> None:
    """Abort the unfinished run (restores policies before the disk move).

    Journaled: an abort that was interrupted is finished by running it again.  After the
    disks were moved (resume --disks-moved), abort powers nothing on, --power-on-old-node
    included: put the disks back and power the old node on by hand."""
    from hamnhw.failover.coordinator import Coordinator

    operator = make_operator(ctx, acknowledgements=acknowledgements)

    def action():
        config = load_pair_config(config_path)
        return Coordinator(config, operator=operator, prompt=prompt()).abort(
            power_on_old_node=power_on_old_node)

    run_coordinator(ctx, action)
