"""``hamnhw boot NODE... [TARGET] [--persistent] [--dry-run] [--yes]``: show or set the boot
override.

Several nodes (a range, a group, ``--nodes-file``) are worked on at once
(:mod:`hamnhw.cli.fleet`); the last argument is the TARGET when it is one of the targets and
nodes remain.  Setting over several nodes a target that is not the node's own disk
(``pxe``, ``cd``, ``usb``, ``bios-setup``) when they include the pair's active MN needs
``--yes`` (its next reboot would not start its OS); a ``--dry-run`` without it says the real
run would be refused and exits with its code (2).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.fleet import (
    FleetOptions,
    nodes_options,
    refuse_active_mn,
    run_on_nodes,
    split_value,
)
from hamnhw.cli.plan_output import outcome_payload, plan_payload, render_outcome, render_plan
from hamnhw.models import BootSource
from hamnhw.node import Node
from hamnhw.plan import apply_boot_override, override_text, plan_boot_override

TARGETS = {source.name.lower().replace("_", "-"): source for source in BootSource}
"""``pxe``, ``hdd``, ``cd``, ``usb``, ``bios-setup``, ``none``."""

OWN_DISK = frozenset({"hdd", "none"})
"""Targets that leave an MN booting its own disk: no ``--yes`` needed over the active MN."""


def _render_current(payload: Mapping[str, Any]) -> str:
    return f"{payload['node']}: {payload['boot_override']}"


def _read(node: Node) -> dict[str, Any]:
    return {"boot_override": override_text(node.management.get_boot_override())}


@click.command("boot")
@click.option("--persistent", is_flag=True,
              help="Boot from TARGET every time (Continuous), not only the next time (Once).")
@click.option("--dry-run", is_flag=True,
              help="Read the node and print what would be sent (or that it is already so); "
                   "send nothing.")
@click.option("--yes", is_flag=True,
              help="Over several nodes: set pxe, cd, usb or bios-setup even when they include "
                   "the pair's active MN.")
@nodes_options(metavar="NODE... [TARGET]")
@click.pass_context
def command(ctx: click.Context, fleet: FleetOptions, persistent: bool, dry_run: bool,
            yes: bool) -> None:
    """Show or set where the host boots next: pxe, hdd, cd, usb, bios-setup, or none.

    Without TARGET, print the override as <target>/<mode> (None/Disabled: none).  With it,
    set it and read it back; a node already set that way gets no request ("changed": false).  Over
    several NODEs (ranges, groups, --nodes-file) the last argument is the TARGET when it is
    one.
    """
    fleet, boot_target = split_value(fleet, TARGETS)
    if boot_target is None:
        if persistent or dry_run:
            raise click.UsageError("--persistent and --dry-run need a TARGET")
        run_on_nodes(ctx, fleet, lambda _budget: _read, _render_current)
        return
    source = TARGETS[boot_target]
    guard = None if yes or boot_target in OWN_DISK else functools.partial(refuse_active_mn,
                                                                            fleet)
    if dry_run:  # refused alike (the real run's code), nothing stopped
        run_on_nodes(ctx, fleet, lambda _budget: lambda node: plan_payload(
            plan_boot_override(node, source, persistent=persistent)), render_plan,
            guard=guard, dry_run=True)
        return

    def apply(node: Node) -> dict[str, Any]:
        return outcome_payload(apply_boot_override(node, source, persistent=persistent),
                               "boot_override")

    run_on_nodes(ctx, fleet, lambda _budget: apply, render_outcome("boot_override"), guard=guard)
