"""``hamnhw detect NODE...``: which driver handles a BMC, and why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.fleet import FleetOptions, nodes_options, run_on_nodes
from hamnhw.node import Node


def _detection(node: Node) -> dict[str, Any]:
    detection = node.detection
    return {"driver": detection.driver, "reason": detection.reason,
            "warning": detection.warning}


def _line(payload: Mapping[str, Any]) -> str:
    line = f"{payload['node']}: driver {payload['driver']} ({payload['reason']})"
    return f"{line}; warning: {payload['warning']}" if payload.get("warning") else line


@click.command("detect")
@nodes_options
@click.pass_context
def command(ctx: click.Context, fleet: FleetOptions) -> None:
    """Print the driver chosen for NODE and the reason.

    A service with several systems answers without a system path in its URL: detection
    then goes by the ServiceRoot and the first Manager; with one, by that system too.
    """
    run_on_nodes(ctx, fleet, lambda _budget: _detection,
                 _line,
                 choose_system=False)
