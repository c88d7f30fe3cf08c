"""``hamnhw failover resume [--disks-moved] [--accept-degraded]``."""

from __future__ import annotations

import click

from hamnhw.cli.commands.failover.common import (
    accept_degraded_option,
    acknowledge_option,
    disk_serial_option,
    make_operator,
    prompt,
    run_coordinator,
)
from hamnhw.cli.commands.pair.common import config_option, load_pair_config


@click.command("resume")
@config_option
@click.option("--disks-moved", is_flag=True,
              help="The MN disks are in the target now (as the work order said).")
@accept_degraded_option
@acknowledge_option
@disk_serial_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None, disks_moved: bool,
            accept_degraded: bool, acknowledgements: tuple[str, ...],
            disk_serials: tuple[str, ...]) -> None:
    """Resume the unfinished run where it stopped.

    Actions interrupted by a crash are settled by re-reading the BMCs; a power-on of the
    target is never sent again without a typed confirmation."""
    from hamnhw.failover.coordinator import Coordinator

    operator = make_operator(ctx, disks_moved=disks_moved, acknowledgements=acknowledgements,
                             disk_serials=disk_serials)

    def action():
        config = load_pair_config(config_path)
        return Coordinator(config, operator=operator, prompt=prompt()).resume(
            disks_moved=disks_moved, accept_degraded=accept_degraded)

    run_coordinator(ctx, action)
