"""``hamnhw detect NODE``: which driver handles a BMC, and why."""

from __future__ import annotations

import click

from hamnhw.cli.options import TargetOptions, node_options, run_on_node


@click.command("detect")
@node_options
@click.pass_context
def command(ctx: click.Context, target: TargetOptions) -> None:
    """Print the driver chosen for NODE and the reason.

    Detection does not depend on the system: a service with several systems answers
    without a system path in its URL.
    """
    run_on_node(ctx, target,
                lambda node: {"driver": node.detection.driver, "reason": node.detection.reason},
                lambda p: f"{p['node']}: driver {p['driver']} ({p['reason']})",
                choose_system=False)
