"""``hamnhw failover abort [--power-on-old-node]``."""

from __future__ import annotations

import click

from hamnhw.cli.commands.failover.common import make_operator, prompt, run_coordinator
from hamnhw.cli.commands.pair.common import config_option, load_pair_config


@click.command("abort")
@config_option
@click.option("--power-on-old-node", is_flag=True,
              help="Before the disk move only: power the old node on again once a fresh POST "
                   "shows every MN drive back in it.")
@click.pass_context
def command(ctx: click.Context, config_path: str | None, power_on_old_node: bool) -> None:
    """Abort the unfinished run (restores policies before the disk move).

    After the disks were moved (resume --disks-moved), abort powers nothing."""
    from hamnhw.failover.coordinator import Coordinator

    def action():
        config = load_pair_config(config_path)
        return Coordinator(config, operator=make_operator(ctx), prompt=prompt()).abort(
            power_on_old_node=power_on_old_node)

    run_coordinator(ctx, action)
