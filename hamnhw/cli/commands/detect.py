"""``hamnhw detect NODE...``: which driver handles a BMC, and why."""

from __future__ import annotations

from typing import Any

import click

from hamnhw.cli.fleet import FleetOptions, nodes_options, run_on_nodes
from hamnhw.node import Node


def _detection(node: Node) -> dict[str, Any]:
    return {"driver": node.detection.driver, "reason": node.detection.reason}


@click.command("detect")
@nodes_options
@click.pass_context
def command(ctx: click.Context, fleet: FleetOptions) -> None:
    """Print the driver chosen for NODE and the reason.

    A service with several systems answers without a system path in its URL: detection
    then goes by the ServiceRoot and the first Manager; with one, by that system too.
    """
    run_on_nodes(ctx, fleet, lambda _budget: _detection,
                 lambda p: f"{p['node']}: driver {p['driver']} ({p['reason']})",
                 choose_system=False)
