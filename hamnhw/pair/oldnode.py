"""The old node of an unfinished run, recognised by what its BMC says, not by its address.

:mod:`hamnhw.pair.runguard` recognises a pair node by how a command names it (its name,
another config entry for its BMC, its BMC URL in any accepted spelling).  An address the
config does not know (an IPv6 address of the BMC, a DNS alias that resolves slowly, a NAT)
is not recognised that way.  So, while a run's disks were said moved out of its old node,
a power-on or cycle also reads what identifies the node before anything is sent
(:mod:`hamnhw.pair.identity`: every serial its BMC shows, Redfish or IPMI FRU, its System
UUID, and its host NIC MACs when the snapshot has the old node's) and compares it with what
the pair snapshot recorded of the old node, however the node was addressed:

* a node with anything in common with the old node (any recorded serial against any serial
  it shows, the UUID, a MAC) is the old node: refused;
* a node that tells none of the kinds the snapshot recorded of the old node cannot be told
  apart from it: refused;
* when the snapshot records nothing that identifies the old node (a snapshot of a BMC that
  told neither serial nor UUID nor MACs), a node is refused unless it is recognised, by
  what it tells, as the run's other node (the new one).  Refusing is the safe side: a power-on
  of the old node once its disks were said moved may boot a stale half of the MN's mirror,
  and a plain power command cannot see which machine a BMC address reaches; a warning
  would go unread in a script or an Ansible run.  The cost is small and bounded: only
  ``on`` and ``cycle``, only while such a run is unfinished, and the refusal says how to go
  on (finish or abort the run: the next snapshot then records what identifies each node).

A value both pair nodes showed (a board maker's default serial) identifies neither and is
left out.  ::

    old = old_node(config)            # None: no unfinished run past the disk move
    if old is not None:
        refuse_if_old_node(old, node, "on")   # raises RunInProgress
"""

from __future__ import annotations

import dataclasses
import sqlite3

from hamnhw.config import Config
from hamnhw.failover.journal import JournalError, RunRecord
from hamnhw.log import get_logger
from hamnhw.node import Node
from hamnhw.pair.identity import Identity
from hamnhw.pair.runguard import RunInProgress, describe, disks_moved, how_to_go_on

LOG = get_logger(__name__)


@dataclasses.dataclass(frozen=True)
class OldNode:
    """The old node of an unfinished run whose disks were said moved."""

    run: RunRecord
    identity: Identity
    """What the newest pair snapshot recorded of it (less what the other node showed too);
    empty when nothing (no snapshot, or one whose BMC told nothing)."""
    other: Identity = dataclasses.field(default_factory=Identity)
    """The same of the run's other node (the new one)."""
    snapshot: bool = True
    """A pair snapshot was found (False: nothing recorded of either node)."""


def old_node(config: Config) -> OldNode | None:
    """The old node of the pair journal's unfinished run past the disk move, or None (no
    such run, no journal; a journal that cannot be read: the runguard refuses the pair
    nodes, and nothing more can be told here, which is warned about: an old node at an
    address the config does not know is then not recognised)."""
    from hamnhw.pair import existing_journal
    from hamnhw.pair.snapshot import PairSnapshot

    try:
        journal = existing_journal(config)
        if journal is None:
            return None
        with journal:
            run = journal.unfinished_run()
            if run is None or not disks_moved(run):
                return None
            snapshot = PairSnapshot.from_journal(journal)
    except (JournalError, sqlite3.Error, OSError) as exc:
        LOG.warning("the pair journal cannot be read (%s): whether a failover's disks were "
                    "moved cannot be told, and its old node is recognised only by the names "
                    "and addresses the config gives the pair nodes (those are refused)", exc)
        return None
    nodes = snapshot.nodes if snapshot is not None else {}
    old, new = (Identity.of_snapshot(nodes[n]) if n in nodes else Identity()
                for n in (run.source, run.target))
    return OldNode(run, old.without(new), new.without(old), snapshot is not None)


def refuse_if_old_node(old: OldNode, node: Node, action: str) -> None:
    """Refuse (before anything is sent) ``action`` of ``node`` when it is the old node by
    what identifies it, cannot be told apart from it, or (a snapshot recording nothing of
    the old node) is not recognised as the other node.

    :raises RunInProgress: refused, naming the node, what matched (or what is missing), the
        run and how to go on.
    """
    why = _why(old, node)
    if why is None:
        return
    run = old.run
    raise RunInProgress(
        f"{node.name}: {why}, the old node of {describe(run)}, and its disks were said moved "
        f"out of it: it is never powered {action} before that run is finished, --yes "
        f"included; {how_to_go_on(run)}")


def _why(old: OldNode, node: Node) -> str | None:
    """Why ``node`` is refused, or None."""
    recorded, source = old.identity, old.run.source
    seen = Identity.of_system(node.inventory.system())
    found = recorded.match(seen)
    if found is None and (recorded.macs or (recorded.empty and old.other.macs)):
        seen = seen.with_macs_of(node)
        found = recorded.match(seen)
    if found is not None:
        shown, recorded_as = found
        there = "" if shown.startswith(f"its {recorded_as} ") else f" (its {recorded_as} there)"
        return f"{shown} is {source}'s in the pair snapshot{there}: it is {source}"
    if recorded.empty:
        if old.other.match(seen) is not None:
            return None
        if not old.snapshot:
            return (f"no pair snapshot records what identifies {source} or "
                    f"{old.run.target}, so it cannot be told apart from {source}")
        return (f"the pair snapshot records nothing that identifies {source} (no serial, no "
                f"System UUID, no host NIC MAC), and nothing it tells ({seen.describe()}) is "
                f"{old.run.target}'s, so it cannot be told apart from {source}")
    if not recorded.comparable(seen):
        only = "" if seen.empty else f" (only its {seen.describe()})"
        return (f"it tells no {' nor '.join(recorded.kinds())}{only}, so it cannot be told "
                f"apart from {source} ({recorded.describe()} in the pair snapshot)")
    return None
