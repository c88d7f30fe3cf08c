"""No plain power-on of a pair node in the middle of a failover, a drill or a RAID1 setup.

While the pair's journal on this host holds an unfinished run (a failover or a drill leg
waiting for the disks, stopped, interrupted or being aborted; a ``pair setup-raid``), a
power change that can start or restart a pair node (``on``, ``cycle``) is refused unless
the operator says ``yes``: the run's own checks before a power-on (the old node off, no MN
address answering, the override read back) are not run by a plain power command.  Once the
operator said the disks were moved out of the old node (the run's ``disks_moved_by`` fact,
or a state past the move), that node is never powered on, ``yes`` included, until the run
is finished (done or aborted): the coordinator's own rule (:mod:`hamnhw.failover.states`).
Power off and reads are always allowed.

::

    from hamnhw.pair.runguard import check_power_change

    check_power_change(config, ["primary"], "on", yes=False)   # raises RunInProgress

A pair node is recognised however it is named: ``primary``/``standby``, another config
entry for its BMC, or its BMC URL spelt any accepted way
(:func:`~hamnhw.pair.nodes.pair_nodes_of`).  The journal is only read (no
lock: a coordinator holding it does not block this); no journal file, or nodes that are not
the pair's, means nothing to refuse.  A journal file that exists but cannot be read refuses
``on`` and ``cycle`` of either pair node, ``yes`` included: whether a run is unfinished, and
the old node's disks moved, cannot be told.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from hamnhw.config import Config
from hamnhw.errors import ConfigError
from hamnhw.failover.journal import JournalError, RunRecord
from hamnhw.failover.journal_records import resume_command
from hamnhw.pair.nodes import pair_nodes_of

STARTING_ACTIONS = frozenset({"on", "cycle"})
"""Power changes that can start or restart a node (``off`` and ``soft-off`` cannot)."""


class RunInProgress(ConfigError):
    """A power-on refused while the pair's journal holds an unfinished run (exit 2)."""


class JournalUnreadable(RunInProgress):
    """A power-on of a pair node refused because the pair's journal exists but cannot be
    read (exit 2)."""


def unfinished_run(config: Config) -> RunRecord | None:
    """The pair journal's unfinished run (read only), or None: none, or no journal file.

    :raises RunInProgress: the journal file exists but cannot be read.
    """
    from hamnhw.pair import existing_journal

    try:
        journal = existing_journal(config)
        if journal is None:
            return None
        with journal:
            return journal.unfinished_run()
    except (JournalError, sqlite3.Error, OSError) as exc:
        raise JournalUnreadable(
            f"the pair's journal cannot be read ({exc}), so whether a failover, drill or RAID1 "
            f"setup is unfinished, and whether the old node's disks were moved, cannot be "
            f"told: a power on or cycle of a pair node is refused, --yes included; make the "
            f"journal readable to this user (its file and directory permissions) or use the "
            f"hamnhw version that wrote it, then try again") from exc


def pair_nodes_named(config: Config, nodes: Iterable[str]) -> dict[str, str]:
    """The pair node (``primary``, ``standby``) each of ``nodes`` addresses, for those that
    address one: its name, another config entry for its BMC, or its BMC URL in any accepted
    spelling (:func:`~hamnhw.pair.nodes.pair_nodes_of`)."""
    return pair_nodes_of(config, list(nodes))


def check_power_change(config: Config, nodes: Iterable[str], action: str, *,
                       yes: bool = False) -> None:
    """Refuse ``action`` (``on``, ``cycle``, ...) on ``nodes`` while a run is unfinished.

    :param nodes: node names or BMC URLs; those that do not address a pair node are not
        checked.
    :param yes: the operator said to go on anyway (never enough for the old node once its
        disks were said moved, nor when the journal cannot be read).
    :raises RunInProgress: naming the run, its state and how to go on (or why the journal
        cannot be read).
    """
    if action not in STARTING_ACTIONS:
        return
    named = pair_nodes_named(config, nodes)
    selected = sorted(set(named.values()))
    run = unfinished_run(config) if selected else None
    if run is None:
        return
    if run.source in selected and disks_moved(run):
        raise RunInProgress(
            f"{run.source}{_aliases(named, run.source)} is the old node of {describe(run)}, "
            f"and its disks were said moved out of it{_by(run)}: it is never powered on "
            f"before that run is finished, --yes included; {how_to_go_on(run)} (once "
            f"aborted, put the disks back and check {run.target} is off before powering "
            f"{run.source} on)")
    if not yes:
        raise RunInProgress(
            f"{', '.join(n + _aliases(named, n) for n in selected)}: the pair's "
            f"{describe(run)} is unfinished, and a plain power {action} skips its checks "
            f"(the old node off, the MN addresses silent); {how_to_go_on(run)}; or add --yes "
            f"to power {action} anyway")


def _aliases(named: dict[str, str], node: str) -> str:
    """`` (named 'mn1')`` when ``node`` was given under other names."""
    others = sorted(given for given, name in named.items() if name == node and given != node)
    return f" (named {', '.join(map(repr, others))})" if others else ""


def disks_moved(run: RunRecord) -> bool:
    """The operator said the disks were moved out of the run's old node (a failover or a
    drill leg; see :data:`hamnhw.failover.states.DISKS_MOVED_STATES`)."""
    from hamnhw.failover.states import DISKS_MOVED_STATES

    if run.kind == "setup-raid":
        return False
    return bool(run.facts.get("disks_moved_by")) or run.state in DISKS_MOVED_STATES


def describe(run: RunRecord) -> str:
    """``failover run 3 (primary -> standby, state awaiting_disks)``."""
    what = {"drill-failover": "drill run", "drill-failback": "drill run",
            "setup-raid": "RAID1 setup run"}.get(run.kind, "failover run")
    leg = {"drill-failover": ", failover leg", "drill-failback": ", failback leg"}.get(
        run.kind, "")
    stop = f": {run.stop_reason}" if run.stop_reason and len(run.stop_reason) <= 80 else ""
    return f"{what} {run.id} ({run.source} -> {run.target}{leg}, state {run.state}{stop})"


def how_to_go_on(run: RunRecord) -> str:
    """The commands that go on with ``run``, show it, or give it up."""
    if run.kind == "setup-raid":
        return ("go on with `hamnhw pair setup-raid --resume`, or give up with "
                "`hamnhw pair setup-raid --abort`")
    if run.state == "aborting":
        return ("finish its abort with `hamnhw failover abort` "
                "(`hamnhw failover status` shows it)")
    return (f"go on with `{resume_command(run.kind)}`, see it with `hamnhw failover status`, "
            "or give up with `hamnhw failover abort`")


def _by(run: RunRecord) -> str:
    who = run.facts.get("disks_moved_by")
    return f" by {who}" if who else ""
