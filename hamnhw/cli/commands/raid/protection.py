"""Pair protection in the RAID write commands: ``--confirm-serial``/``--confirm-node`` and the
:class:`~hamnhw.raidguard.PairGuard` of the node addressed: the pair's recorded RAID1 serials
on any node, and the pair node's name when the node is ``primary``/``standby`` however it is
spelt (:mod:`~hamnhw.pair.nodes`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from hamnhw import pair
from hamnhw.cli.budget import CommandBudget
from hamnhw.cli.commands.raid.common import dry_run_exit, outcome_payload, plan_payload
from hamnhw.cli.exit_codes import exit_code_for
from hamnhw.cli.fleet import recording
from hamnhw.cli.options import TargetOptions, run_waiting_on_node
from hamnhw.cli.resolve import is_url
from hamnhw.config import find_config, load_config
from hamnhw.errors import ConfigError, RefusedOperation
from hamnhw.log import get_logger
from hamnhw.models import RaidType
from hamnhw.node import Node
from hamnhw.pair import PairSnapshot
from hamnhw.pair.nodes import pair_nodes_of, possibly_active
from hamnhw.raid import RaidOutcome, RaidPlan
from hamnhw.raidguard import PairGuard, normal_serial

LOG = get_logger("hamnhw.cli")

CONFIRM_SERIALS = click.option(
    "--confirm-serial", "confirm_serials", multiple=True, metavar="SERIAL",
    help="The serial of a drive of the pair's RAID1 (or with a foreign configuration) this "
         "write touches, typed to confirm; repeat for each drive.")
CONFIRM_NODE = click.option(
    "--confirm-node", metavar="NAME",
    help="The node's name, typed to confirm a protected write on the active MN.")


def pair_guard(target: TargetOptions) -> PairGuard:
    """The guard of the node ``target`` names: the pair's recorded RAID1 serials protect on
    any node; the node's name and recorded volumes when it is recognised as ``primary`` or
    ``standby`` (:func:`~hamnhw.pair.nodes.pair_nodes_of`, in doubt too), active as the
    fleet guard counts it (:func:`~hamnhw.pair.nodes.possibly_active`: the
    journal, else ``[pair] active``, else either pair node).  A journal that cannot be read
    puts its error in the guard (a write on a pair node, or on another node showing drives,
    then needs its name), and on a node that is not a pair node it is also warned about on
    stderr.  Without a config only foreign configurations are protected."""
    try:
        path = find_config(target.config, environ=os.environ)
        config = load_config(path) if path is not None else None
    except ConfigError:
        if not is_url(target.node):
            raise
        LOG.warning("%s: no readable config, so no pair protection", target.node)
        config = None
    if config is None:
        return PairGuard(None, frozenset(), active=False, snapshot=False)
    named = pair_nodes_of(config, [target.node])
    name = named.get(target.node)
    records = pair.read_records(config)
    snapshot = records.snapshot
    serials = frozenset(snapshot.mn_serials()) if snapshot is not None else frozenset()
    volumes = _recorded_volumes(snapshot, name) if snapshot is not None and name else {}
    candidates, source = possibly_active(config, records) if name is not None else ((), "")
    source += named.doubt(target.node)
    error = None if records.error is None else str(records.error)
    if error is not None and name is None:
        LOG.warning("%s: %s: the MN's RAID1 serials (the pair snapshot's) cannot "
                    "be checked against this node's drives, which may hold the MN's disks",
                    target.node, error)
    return PairGuard(name, serials, name in candidates, snapshot is not None, volumes,
                     active_source=source, journal_error=error, addressed=target.node)


def _recorded_volumes(snapshot: PairSnapshot, name: str) -> dict[str, tuple[str, ...]]:
    """The RAID1 volumes the snapshot records on ``name``: id -> member serials."""
    node = snapshot.nodes.get(name)
    volumes = (node.volumes if node is not None else None) or ()
    return {str(v["id"]): tuple(str(s) for s in v.get("members") or () if normal_serial(s))
            for v in volumes if v.get("raid_type") == RaidType.RAID1.value}


def protect(guard: PairGuard, node: Node, plan: RaidPlan, serials: Sequence[str],
            confirm_node: str | None, *, dry_run: bool, reboot: bool = False) -> dict[str, Any]:
    """Enforce the guard on ``plan``; the ``protection`` JSON (``refused`` null).

    A dry run judges the confirmations given as the real run does, and where the real run
    would be refused says so in ``refused`` (the message, and the ``exit_code`` the real run
    would end with: :func:`~hamnhw.cli.commands.raid.common.dry_run_exit`) instead of
    raising."""
    status = node.raid.status()
    try:
        found = guard.enforce(plan, status, serials, confirm_node, reboot=reboot)
    except (ConfigError, RefusedOperation) as exc:
        if not dry_run:
            raise
        return {**guard.json(guard.demands(plan, status, reboot=reboot)),
                "refused": {"message": exc.message, "exit_code": int(exit_code_for(exc))}}
    return {**found, "refused": None}


def run_write(node: Node, plan: Callable[[], RaidPlan], run: Callable[[], RaidOutcome],
              guard: PairGuard, serials: Sequence[str], confirm_node: str | None, *,
              dry_run: bool, reboot: bool = False,
              raise_refusal: bool = False) -> dict[str, Any]:
    """The shape of every write command: plan from a fresh read, enforce the pair
    protection, then print the plan (``--dry-run``) or run the write.

    :param raise_refusal: a dry run raises the refusal the real run would meet, as the real
        run does (Ansible's check mode: the task fails as it would), instead of reporting
        it in ``protection.refused``."""
    planned = plan()
    protection = protect(guard, node, planned, serials, confirm_node,
                         dry_run=dry_run and not raise_refusal, reboot=reboot)
    payload = plan_payload(planned) if dry_run else outcome_payload(run())
    return {**payload, "protection": protection}


def run_guarded(ctx: click.Context, target: TargetOptions,
                prepare: Callable[[CommandBudget], Callable[[Node], Mapping[str, Any]]],
                render: Callable[[Mapping[str, Any]], str], *, beyond_s: float = 0.0) -> None:
    """:func:`~hamnhw.cli.options.run_waiting_on_node` for a write, then the exit a dry run
    predicts (:func:`~hamnhw.cli.commands.raid.common.dry_run_exit`): its plan printed, the
    code of the refusal the real run would meet."""
    shown: list[Mapping[str, Any]] = []
    run_waiting_on_node(ctx, target, recording(prepare, shown), render, beyond_s=beyond_s)
    code = dry_run_exit(shown[-1]) if shown else 0
    if code:
        ctx.exit(code)
