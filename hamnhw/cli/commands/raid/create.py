"""``hamnhw raid create NODE --level 1 --drives ID,ID [--name N] [--size BYTES]
[--apply-time immediate|on-reset] [--reboot] [--write-cache POLICY] [--dry-run]``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from hamnhw.cli import options
from hamnhw.cli.budget import CommandBudget
from hamnhw.cli.commands.raid.common import DRY_RUN, render_change, split_ids
from hamnhw.cli.commands.raid.protection import (
    CONFIRM_NODE,
    CONFIRM_SERIALS,
    pair_guard,
    run_guarded,
    run_write,
)
from hamnhw.cli.options import TargetOptions, node_options
from hamnhw.errors import ConfigError
from hamnhw.models import RaidType
from hamnhw.node import Node
from hamnhw.raid import WRITE_CACHE_POLICIES, ApplyTime, CreateRequest, RaidOutcome
from hamnhw.raidreset import apply_at_reset


def parse_level(value: str) -> RaidType:
    """``1``, ``raid1`` or ``RAID1`` -> :attr:`RaidType.RAID1`.

    :raises ConfigError: not a RAID level.
    """
    text = value.strip().upper()
    text = text if text.startswith("RAID") else f"RAID{text}"
    for member in RaidType:
        if member.value.upper() == text:
            return member
    known = ", ".join(t.value.removeprefix("RAID") for t in RaidType
                      if t not in (RaidType.NONE, RaidType.UNKNOWN))
    raise ConfigError(f"--level {value!r} is not a RAID level ({known})")


def build_request(level: str, drives: str, name: str | None, size: int | None,
                  apply_time: str | None, write_cache: str | None) -> CreateRequest:
    """The request from the options (a usage error before anything is sent)."""
    ids = split_ids(drives)
    if not ids:
        raise ConfigError("--drives names no drive")
    return CreateRequest(parse_level(level), ids, name, size,
                         ApplyTime(apply_time) if apply_time else None, write_cache)


@click.command("create")
@click.option("--level", required=True, metavar="LEVEL", help="RAID level: 1 for RAID1, 0, 10...")
@click.option("--drives", required=True, metavar="ID,ID",
              help="Member drives by id (as `raid show` lists them), comma-separated.")
@click.option("--name", metavar="NAME", help="Volume name.")
@click.option("--size", type=click.IntRange(min=1), metavar="BYTES",
              help="Capacity in bytes (default: the smallest member's; always sent).")
@click.option("--apply-time", type=click.Choice([a.value for a in ApplyTime]),
              help="immediate (default where the BMC supports it) or on-reset (staged until "
                   "the next reset).")
@click.option("--reboot", is_flag=True,
              help="With --apply-time on-reset: reset the node (power cycle, or power on) and "
                   "wait until the volume shows (all within --timeout).")
@click.option("--write-cache", type=click.Choice(WRITE_CACHE_POLICIES),
              help="WriteCachePolicy of the new volume.")
@CONFIRM_SERIALS
@CONFIRM_NODE
@DRY_RUN
@node_options
@click.pass_context
def command(ctx: click.Context, target: TargetOptions, level: str, drives: str,
            name: str | None, size: int | None, apply_time: str | None, reboot: bool,
            write_cache: str | None, confirm_serials: tuple[str, ...],
            confirm_node: str | None, dry_run: bool) -> None:
    """Create a RAID volume; run again, it reports the existing (or pending) one unchanged."""

    def prepare(budget: CommandBudget) -> Callable[[Node], dict[str, Any]]:
        request = build_request(level, drives, name, size, apply_time, write_cache)
        if reboot and request.apply_time is not ApplyTime.ON_RESET:
            raise ConfigError("--reboot applies a create staged with --apply-time on-reset")
        guard = pair_guard(target)

        def action(node: Node) -> dict[str, Any]:
            def run() -> RaidOutcome:
                outcome = node.raid.create(request, timeout=budget.wait_seconds())
                if reboot and outcome.pending:
                    outcome = apply_at_reset(node, request, outcome,
                                             timeout=budget.wait_seconds(),
                                             policy=options.poll_policy())
                return outcome

            return run_write(node, lambda: node.raid.plan_create(request), run, guard,
                             confirm_serials, confirm_node, dry_run=dry_run, reboot=reboot)

        return action

    run_guarded(ctx, target, prepare, render_change)
