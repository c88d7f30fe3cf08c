"""``hamnhw boot NODE [TARGET] [--persistent] [--dry-run]``: show or set the boot override."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.options import TargetOptions, node_options, run_on_node
from hamnhw.cli.plan_output import outcome_payload, plan_payload, render_outcome, render_plan
from hamnhw.models import BootSource
from hamnhw.node import Node
from hamnhw.plan import apply_boot_override, override_text, plan_boot_override

TARGETS = {source.name.lower().replace("_", "-"): source for source in BootSource}
"""``pxe``, ``hdd``, ``cd``, ``usb``, ``bios-setup``, ``none``."""


def _render_current(payload: Mapping[str, Any]) -> str:
    return f"{payload['node']}: {payload['boot_override']}"


@click.command("boot")
@click.option("--persistent", is_flag=True,
              help="Boot from TARGET every time (Continuous), not only the next time (Once).")
@click.option("--dry-run", is_flag=True,
              help="Read the node and print what would be sent (or that it is already so); "
                   "send nothing.")
@node_options
@click.argument("boot_target", metavar="[TARGET]", required=False,
                type=click.Choice(list(TARGETS)))
@click.pass_context
def command(ctx: click.Context, target: TargetOptions, boot_target: str | None,
            persistent: bool, dry_run: bool) -> None:
    """Show or set where the host boots next: pxe, hdd, cd, usb, bios-setup, or none.

    Without TARGET, print the override as <target>/<mode> (None/Disabled: none).  With it,
    set it and read it back; a node already set that way gets no request ("changed": false).
    """
    if boot_target is None:
        if persistent or dry_run:
            raise click.UsageError("--persistent and --dry-run need a TARGET")
        run_on_node(ctx, target, lambda node: {
            "boot_override": override_text(node.management.get_boot_override())},
            _render_current)
        return
    source = TARGETS[boot_target]
    if dry_run:
        run_on_node(ctx, target, lambda node: plan_payload(
            plan_boot_override(node, source, persistent=persistent)), render_plan)
        return

    def apply(node: Node) -> dict[str, Any]:
        return outcome_payload(apply_boot_override(node, source, persistent=persistent),
                               "boot_override")

    run_on_node(ctx, target, apply, render_outcome("boot_override"))
