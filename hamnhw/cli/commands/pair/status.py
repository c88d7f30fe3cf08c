"""``hamnhw pair status``: the last snapshot and the active node."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.commands.pair.common import age_text, config_option, load_pair_config
from hamnhw.cli.commands.pair.render import render_snapshot
from hamnhw.cli.options import fail, output_of


@click.command("status")
@config_option
@click.pass_context
def command(ctx: click.Context, config_path: str | None) -> None:
    """Show the last pair snapshot and the active node.

    A journal that exists but cannot be read is an error naming it and why (exit 1), never
    "nothing recorded"."""
    from hamnhw import pair

    try:
        config = load_pair_config(config_path)
        records = pair.read_records(config)
        if records.error is not None:
            raise records.error
    except Exception as exc:
        fail(ctx, "pair", exc)
        return
    snap, active = records.snapshot, records.active
    payload: dict[str, Any] = {
        "node": "pair", "active_node": active,
        "snapshot": None if snap is None else snap.to_json(),
        "id": None if snap is None else snap.id,
        "age_s": None if snap is None else round(snap.age_s, 1)}
    output_of(ctx).result(payload, _render)


def _render(payload: Mapping[str, Any]) -> str:
    active = payload["active_node"] or "unknown (no failover recorded yet)"
    if payload["snapshot"] is None:
        return f"active node: {active}\nno snapshot yet: run `hamnhw pair snapshot`"
    return (f"active node: {active}\n"
            f"snapshot age: {age_text(payload['age_s'])}\n" + render_snapshot(payload))
