"""The pair guards of plain power commands: no power-on in the middle of a failover, a drill
or a RAID1 setup, and no stop of the active MN without a word from the operator.

While the pair's journal on this host holds an unfinished run (a failover or a drill leg
waiting for the disks, stopped, interrupted or being aborted; a ``pair setup-raid``), a
power change that can start or restart a pair node (``on``, ``cycle``) is refused unless
the operator says ``yes``: the run's own checks before a power-on (the old node off, no MN
address answering, the override read back) are not run by a plain power command.  Once the
operator said the disks were moved out of the old node (the run's ``disks_moved_by`` fact,
or a state past the move), that node is never powered on, ``yes`` included, until the run
is finished (done or aborted): the coordinator's own rule (:mod:`hamnhw.failover.states`);
the CLI's ``power on|cycle`` then also recognises it by what identifies it (its serials,
System UUID, NIC MACs), however it was addressed (:mod:`hamnhw.pair.oldnode`).

A power change that turns a running node off or restarts it (``off``, ``soft-off``,
``cycle``) of the pair's active MN, or of a pair node that may be it (the failover
journal's active node, else ``[pair] active``, else both pair nodes:
:func:`~hamnhw.pair.nodes.possibly_active`), is refused unless the operator
says ``yes``, one node as over many (:func:`check_active_mn`: a one-name typo is the likeliest
way to force off a running MN).  A power-on, a boot override and a restore policy do not stop
a running node: they are not refused for it (over several nodes the fleet commands ask
``--yes`` for a boot override away from its disk and a restore policy other than its own).
Reads are always allowed.  A power-on the operator forces with ``yes`` over an unfinished
run is journaled into the run (which command, which node, who, when:
:mod:`hamnhw.failover.overrides`), so that the run's report and its next stop name it:
per node, once that node passed every check (the identity check of
:mod:`hamnhw.pair.oldnode` included), just before its power request
(:meth:`PendingOverride.journal`); a node refused after the run guard, or never reached, is
not named.  A dry run (``dry_run``) meets the same refusals but journals nothing, as it
sends nothing.

::

    from hamnhw.pair.runguard import check_power_change

    check_power_change(config, ["primary"], "on", yes=False)   # raises RunInProgress
    check_power_change(config, ["mn1"], "off", yes=False)      # raises ActiveMnStop
    override = check_power_change(config, ["standby"], "on", yes=True)
    # ... every other check of the node passed, then just before sending to it:
    if override is not None:
        override.journal("standby")                             # or raises RunInProgress

A pair node is recognised however it is named: ``primary``/``standby``, another config entry
for its BMC, or its BMC URL spelt any accepted way, ``ipmi://`` of its BMC's host or its
IPMI path included (:func:`~hamnhw.pair.nodes.pair_nodes_of`).  The journal is read (and an
override written) without the coordinator's lock: a coordinator holding it does not block
this; no journal file, or nodes that are not the pair's, means no unfinished run to refuse.
A journal file that exists but cannot be read refuses ``on`` and ``cycle`` of either pair
node, ``yes`` included: whether a run is unfinished, and the old node's disks moved, cannot
be told; it makes both pair nodes possibly active too.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Mapping

from hamnhw import coop
from hamnhw.config import Config
from hamnhw.errors import ConfigError
from hamnhw.failover.journal import JournalError, RunRecord, damage_remedy
from hamnhw.failover.journal_records import resume_command
from hamnhw.pair.nodes import PairNodesNamed, pair_nodes_of, possibly_active

STARTING_ACTIONS = frozenset({"on", "cycle"})
"""Power changes that can start or restart a node (``off`` and ``soft-off`` cannot)."""
STOPPING_ACTIONS = frozenset({"off", "soft-off", "soft_off", "cycle"})
"""Power changes that turn a running node off or restart it (``soft_off``: the Ansible
module's spelling); the active MN's need ``yes``."""


class RunInProgress(ConfigError):
    """A power-on refused while the pair's journal holds an unfinished run (exit 2)."""


class ActiveMnStop(ConfigError):
    """A power change that would stop or restart the pair's (possibly) active MN, refused
    without the operator's word (exit 2)."""


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
            f"told: a power on or cycle of a pair node is refused, --yes included; "
            f"{_journal_fix(exc)}, then try again") from exc


def _journal_fix(exc: BaseException) -> str:
    """What makes an unreadable journal readable again, as far as its error tells."""
    if damage_remedy(exc) or damage_remedy(exc.__cause__ or exc) or "damaged" in str(exc):
        return "restore or recover the damaged file as said"
    return ("make the journal readable to this user (its file and directory permissions) or "
            "use the hamnhw version that wrote it")


def pair_nodes_named(config: Config, nodes: Iterable[str]) -> PairNodesNamed:
    """The pair node (``primary``, ``standby``) each of ``nodes`` addresses, for those that
    address one: its name, another config entry for its BMC, or its BMC URL in any accepted
    spelling (:func:`~hamnhw.pair.nodes.pair_nodes_of`)."""
    return pair_nodes_of(config, list(nodes))


@dataclasses.dataclass(frozen=True)
class PendingOverride:
    """The operator's ``yes`` over an unfinished run, let through by the run guard and not
    journaled yet: the caller journals it for each node (:meth:`journal`) once that node
    passed every check, immediately before its power request."""

    config: Config
    run: RunRecord
    """The unfinished run it overrides."""
    action: str
    """``on`` or ``cycle``."""
    named: Mapping[str, str]
    """Each node as given -> the pair node it addresses (:func:`pair_nodes_named`)."""
    given: frozenset[str]
    """Every node as given, pair node or not."""

    def journal(self, node: str) -> None:
        """Journal the override of ``node`` (as given to :func:`check_power_change`) into
        the run, for the pair nodes it addresses (in doubt, every one it may be); nothing
        for a node that addresses none.  Call it once ``node`` passed every check, just
        before its power request.

        :raises RunInProgress: it cannot be journaled: send nothing to ``node``.
        :raises ValueError: ``node`` is none of the nodes the guard was given (a caller's
            mistake: an override must not go unjournaled).
        """
        if node not in self.given:
            raise ValueError(f"{node!r} is not a node the power guard was given")
        pair = sorted({name for as_given, name in _each_named(self.named) if as_given == node})
        if pair:
            _journal_override(self.config, self.run, pair, self.action)


def check_power_change(config: Config, nodes: Iterable[str], action: str, *,
                       yes: bool = False, confirm_node: str | None = None,
                       node_option: str | None = None,
                       dry_run: bool = False) -> PendingOverride | None:
    """Refuse ``action`` (``on``, ``off``, ``soft-off``, ``cycle``) on ``nodes`` while a run
    is unfinished (``on``, ``cycle``), or when it would stop the pair's (possibly) active MN
    (``off``, ``soft-off``, ``cycle``: :func:`check_active_mn`).

    :param nodes: node names or BMC URLs; those that do not address a pair node are not
        checked.
    :param yes: the operator said to go on anyway (``--yes``; never enough for the old node
        once its disks were said moved, nor when the journal cannot be read).
    :param confirm_node: a pair node's name the operator typed to stop it although it may
        be the active MN (the Ansible module's ``confirm_node``); lifts that rule only.
    :param node_option: how the caller's user types that name: a refusal then asks for it
        instead of ``--yes``.
    :param dry_run: nothing will be sent (``--dry-run``, Ansible check mode): the same
        refusals, but a ``yes`` over an unfinished run is not journaled as an override.
    :returns: a ``yes`` that let a power-on through an unfinished run, to be journaled per
        node before anything is sent to it (:meth:`PendingOverride.journal`); None when there
        is nothing to journal (no such run, no pair node, a dry run).
    :raises RunInProgress: naming the run, its state and how to go on (or why the journal
        cannot be read).
    :raises ActiveMnStop: naming the active MN, how it was named and what says it is.
    """
    if action not in STARTING_ACTIONS | STOPPING_ACTIONS:
        return None
    nodes = list(nodes)
    named = pair_nodes_named(config, nodes)
    run = None
    if action in STARTING_ACTIONS:
        run = _refuse_during_run(config, named, action, yes)
    if action in STOPPING_ACTIONS and not yes:
        check_active_mn(config, named, confirm_node=confirm_node, node_option=node_option)
    if run is None or dry_run:  # a dry run sends nothing: no override to journal (nor blame)
        return None
    return PendingOverride(config, run, action, named, frozenset(nodes))


def check_active_mn(config: Config, named: Mapping[str, str], *,
                    confirm_node: str | None = None, node_option: str | None = None) -> None:
    """Refuse when a node addresses the pair's active MN, or a pair node that may be it: the
    failover journal's active node, else ``[pair] active``, else both pair nodes (a journal
    that cannot be read: both too), as the RAID guard counts it
    (:func:`~hamnhw.pair.nodes.possibly_active`).  The caller refuses only
    what needs the operator's word (``--yes``) and asks only when it was not given.

    :param named: each node as given -> the pair node it addresses
        (:func:`pair_nodes_named`).
    :param confirm_node: the pair node's name, typed (lifts the refusal for that node).
    :param node_option: how that name is typed; the refusal asks ``--yes`` without it.
    :raises ActiveMnStop: the first such node, how it was named and what says it is active.
    """
    if not named:
        return
    candidates, source = possibly_active(config)
    for given, name in _each_named(named):
        if name in candidates and name != confirm_node:
            how = (f"type its name with {node_option} {name}" if node_option
                   else "add --yes to go on")
            how_named = _named(config, given, name, named)
            raise ActiveMnStop(f"{name!r}{how_named} is the pair's active MN ({source}): {how}")


def _each_named(named: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each node as given with each pair node it names: in doubt (a host name not resolved
    in time), every pair node it may be."""
    if not isinstance(named, PairNodesNamed):
        return list(named.items())
    return [(given, name) for given in named for name in named.all_of(given)]


def _named(config: Config, given: str, name: str, named: Mapping[str, str]) -> str:
    """How a pair node was given when not by its own name (and why in doubt)."""
    if given == name:
        return ""
    how = f" (named {given!r})" if given in config.nodes else " (named by a BMC URL)"
    return how + _doubt(named, given)


def _doubt(named: Mapping[str, str], given: str) -> str:
    """Why ``given`` was matched only in doubt (a host name not resolved in time), or ''."""
    return named.doubt(given) if isinstance(named, PairNodesNamed) else ""


def _refuse_during_run(config: Config, named: Mapping[str, str], action: str,
                       yes: bool) -> RunRecord | None:
    """Refuse a power-on or cycle during an unfinished run (see :func:`check_power_change`);
    the run the operator's ``yes`` overrides, else None (no unfinished run, no pair node)."""
    selected = sorted({name for _given, name in _each_named(named)})
    run = unfinished_run(config) if selected else None
    if run is None:
        return None
    if run.source in _surely_named(named) and disks_moved(run):
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
    return run


def _surely_named(named: Mapping[str, str]) -> set[str]:
    """The pair nodes named for sure: not only in doubt (a host name not resolved in time).
    A node named only in doubt is not refused as the old node "--yes included": the
    identity check (:mod:`hamnhw.pair.oldnode`: serials, System UUID, NIC MACs) reads the
    node itself."""
    late = named.late if isinstance(named, PairNodesNamed) else {}
    return {name for given, name in named.items() if given not in late}  # in doubt: none


def _journal_override(config: Config, run: RunRecord, nodes: list[str], action: str) -> None:
    """The operator's ``--yes`` over an unfinished run, journaled into it for ``nodes`` (pair
    nodes) before anything is sent to them (:mod:`hamnhw.failover.overrides`).

    :raises RunInProgress: it cannot be journaled (then nothing is sent to them).
    """
    from hamnhw.failover.operator import who
    from hamnhw.failover.overrides import journal_override
    from hamnhw.pair import open_journal

    def write() -> None:
        with open_journal(config, create=False) as journal:
            journal_override(journal, run, nodes, action, who("command line"))

    try:  # SQLite waits up to 10 s for the coordinator's lock: not on a fan-out's hub
        coop.blocking(write)
    except (JournalError, sqlite3.Error, OSError) as exc:
        raise RunInProgress(
            f"the power {action} of {', '.join(nodes)} over the unfinished {describe(run)} "
            f"cannot be journaled into it ({exc}): nothing was sent; make the journal "
            "writable to this user, or go on with the run") from exc


def _aliases(named: Mapping[str, str], node: str) -> str:
    """`` (named 'mn1')`` when ``node`` was given under other names."""
    others = sorted({given for given, name in _each_named(named)
                     if name == node and given != node})
    doubts = "".join(_doubt(named, given) for given in others)
    return f" (named {', '.join(map(repr, others))}){doubts}" if others else ""


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
