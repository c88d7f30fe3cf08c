"""``hamnhw pair setup-raid --drives ID,ID [--name N]``, ``--resume [--disks-moved]``,
``--abort``: the RAID1 built on the standby, its disks moved into the primary, verified there
(:mod:`hamnhw.pair.setupraid`)."""

from __future__ import annotations

import click

from hamnhw.cli.commands.failover.common import make_operator, prompt, run_coordinator
from hamnhw.cli.commands.pair.common import config_option, load_pair_config
from hamnhw.cli.commands.raid.common import split_ids
from hamnhw.cli.commands.raid.protection import CONFIRM_SERIALS
from hamnhw.errors import ConfigError
from hamnhw.failover.report import RunReport


@click.command("setup-raid")
@config_option
@click.option("--drives", metavar="ID,ID",
              help="The standby's two drives for the MN's RAID1 (as `raid show standby` lists "
                   "them); starts a setup run.")
@click.option("--name", metavar="NAME", help="Volume name (e.g. mn).")
@click.option("--resume", "resume_run", is_flag=True, help="Go on with the unfinished setup.")
@click.option("--disks-moved", is_flag=True,
              help="With --resume: the disks are in the primary now (as the work order said).")
@click.option("--abort", "abort_run", is_flag=True,
              help="Give the unfinished setup up (nothing is sent).")
@click.option("--yes", is_flag=True,
              help="Force the standby off after the create even when it is on and may run an "
                   "OS (else refused: shut it down first).")
@CONFIRM_SERIALS
@click.pass_context
def command(ctx: click.Context, config_path: str | None, drives: str | None, name: str | None,
            resume_run: bool, disks_moved: bool, abort_run: bool, yes: bool,
            confirm_serials: tuple[str, ...]) -> None:
    """Build the MN's RAID1 on the standby, move its disks into the primary, verify it there.

    Refused (exit 2, nothing sent) when the standby is the active MN, when it is on and may
    run an OS (without --yes), or when its drives are the pair's recorded RAID1 (without
    --confirm-serial for each).  Exit 0 when the primary takes the array, 10 when the
    operator must move the disks (then `--resume --disks-moved`), 1 on a stop (see
    stop_reason)."""
    from hamnhw.pair.setupguard import Consent
    from hamnhw.pair.setupraid import RaidSetup

    modes = [bool(drives), resume_run, abort_run]
    if sum(modes) != 1:
        raise click.UsageError("give exactly one of --drives (start), --resume or --abort")
    operator = make_operator(ctx, disks_moved=disks_moved)

    def action() -> RunReport:
        setup = RaidSetup(load_pair_config(config_path), operator, prompt=prompt(),
                          consent=Consent(yes, tuple(confirm_serials)))
        if abort_run:
            return setup.abort()
        if resume_run:
            return setup.resume(disks_moved=disks_moved)
        ids = split_ids(drives or "")
        if len(ids) != 2:
            raise ConfigError("--drives names the two drives of the RAID1")
        return setup.start(ids, name)

    run_coordinator(ctx, action)
