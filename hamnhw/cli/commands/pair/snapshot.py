"""``hamnhw pair snapshot``: record both nodes in the journal."""

from __future__ import annotations

import click

from hamnhw.cli.commands.pair.common import config_option, load_pair_config
from hamnhw.cli.commands.pair.render import render_snapshot
from hamnhw.cli.options import fail, output_of
from hamnhw.cli.resolve import tty_prompt


@click.command("snapshot")
@config_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None) -> None:
    """Record both nodes' drives, volumes, NICs, policies and boot settings.

    Also the MN's SSH host key when [failover] ssh_host is set.  Refused while a failover
    run is unfinished (the failover compares live reads with this snapshot)."""
    from hamnhw.pair.snapshot import take_snapshot

    try:
        config = load_pair_config(config_path)
        snap = take_snapshot(config, prompt=tty_prompt())
    except Exception as exc:
        fail(ctx, "pair", exc)
        return
    output_of(ctx).result({"node": "pair", "snapshot": snap.to_json(), "id": snap.id},
                          render_snapshot)
