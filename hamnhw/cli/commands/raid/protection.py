"""Pair protection in the RAID write commands: ``--confirm-serial``/``--confirm-node`` and the
:class:`~hamnhw.raidguard.PairGuard` of the node addressed (a ``[primary]``/``[standby]``
name of the config, or the BMC URL of one of them)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import click

from hamnhw import pair
from hamnhw.cli.commands.raid.common import outcome_payload, plan_payload
from hamnhw.cli.options import TargetOptions, is_url
from hamnhw.config import Config, find_config, load_config
from hamnhw.errors import ConfigError
from hamnhw.log import get_logger
from hamnhw.node import Node
from hamnhw.raid import RaidOutcome, RaidPlan
from hamnhw.raidguard import PairGuard

LOG = get_logger("hamnhw.cli")

CONFIRM_SERIALS = click.option(
    "--confirm-serial", "confirm_serials", multiple=True, metavar="SERIAL",
    help="The serial of a drive of the pair's RAID1 (or with a foreign configuration) this "
         "write touches, typed to confirm; repeat for each drive.")
CONFIRM_NODE = click.option(
    "--confirm-node", metavar="NAME",
    help="The node's name, typed to confirm a protected write on the active MN.")


def pair_guard(target: TargetOptions) -> PairGuard | None:
    """The guard of the pair node ``target`` names; None when it is not a pair node (or no
    config describes a pair)."""
    try:
        path = find_config(target.config, environ=os.environ)
        config = load_config(path) if path is not None else None
    except ConfigError:
        if not is_url(target.node):
            raise
        LOG.warning("%s: no readable config, so no pair protection", target.node)
        return None
    name = _pair_name(config, target.node) if config is not None else None
    if config is None or name is None:
        return None
    snapshot = pair.load_latest_snapshot(config)
    serials = frozenset(snapshot.mn_serials()) if snapshot is not None else frozenset()
    return PairGuard(name, serials, pair.active_node(config) == name, snapshot is not None)


def _pair_name(config: Config, node: str) -> str | None:
    if node in pair.PAIR_NODES and node in config.nodes:
        return node
    return next((n for n in pair.PAIR_NODES
                 if n in config.nodes and config.node(n).bmc == node), None)


def protect(guard: PairGuard | None, node: Node, plan: RaidPlan, serials: Sequence[str],
            confirm_node: str | None, *, dry_run: bool,
            reboot: bool = False) -> dict[str, Any] | None:
    """Enforce the guard on ``plan`` (a dry run only reports it); the ``protection`` JSON,
    or None when the node is not a pair node."""
    if guard is None:
        return None
    status = node.raid.status()
    if dry_run:
        return guard.json(guard.demands(plan, status, reboot=reboot))
    return guard.enforce(plan, status, serials, confirm_node, reboot=reboot)


def run_write(node: Node, plan: Callable[[], RaidPlan], run: Callable[[], RaidOutcome],
              guard: PairGuard | None, serials: Sequence[str], confirm_node: str | None, *,
              dry_run: bool, reboot: bool = False) -> dict[str, Any]:
    """The shape of every write command: plan from a fresh read, enforce the pair
    protection, then print the plan (``--dry-run``) or run the write; ``protection`` is
    None when the node is not a pair node."""
    planned = plan()
    protection = protect(guard, node, planned, serials, confirm_node, dry_run=dry_run,
                         reboot=reboot)
    payload = plan_payload(planned) if dry_run else outcome_payload(run())
    return {**payload, "protection": protection}
