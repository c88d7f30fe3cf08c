"""``hamnhw failover log``: every journal event, oldest first."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.commands.failover.common import make_operator
from hamnhw.cli.commands.pair.common import config_option, load_pair_config
from hamnhw.cli.options import fail, output_of


@click.command("log")
@config_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None) -> None:
    """Print the journal's events, oldest first."""
    from hamnhw.failover.coordinator import Coordinator

    try:
        events = Coordinator(load_pair_config(config_path), operator=make_operator(ctx)).log()
    except Exception as exc:
        fail(ctx, "pair", exc)
        return
    output_of(ctx).result({"node": "pair", "events": events}, _render)


def _render(payload: Mapping[str, Any]) -> str:
    lines = []
    for event in payload["events"]:
        at = datetime.datetime.fromtimestamp(event["at"]).isoformat(timespec="seconds")
        run = f"run {event['run_id']}" if event["run_id"] else "pair"
        lines.append(f"{at} {run:<7} {event['kind']:<11} {event['message']}")
    return "\n".join(lines) or "the journal holds no events"
