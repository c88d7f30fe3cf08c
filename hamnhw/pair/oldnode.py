"""The old node of an unfinished run, recognised by what its BMC says, not by its address.

:mod:`hamnhw.pair.runguard` recognises a pair node by how a command names it (its name,
another config entry for its BMC, its BMC URL in any accepted spelling).  An address the
config does not know (an IPv6 address of the BMC, a DNS alias that resolves slowly, a NAT)
is not recognised that way.  So, while a run's disks were said moved out of its old node,
a power-on or cycle also reads the node's System serial before anything is sent and refuses
the node whose serial is the old node's in the pair snapshot, however it was addressed; a
node whose System tells no serial then is refused too (it cannot be told apart)::

    old = old_node(config)            # None: no unfinished run past the disk move
    if old is not None:
        refuse_if_old_node(old, node, "on")   # raises RunInProgress
"""

from __future__ import annotations

import dataclasses
import sqlite3

from hamnhw.config import Config
from hamnhw.failover.journal import JournalError, RunRecord
from hamnhw.node import Node
from hamnhw.pair.runguard import RunInProgress, describe, disks_moved, how_to_go_on


@dataclasses.dataclass(frozen=True)
class OldNode:
    """The old node of an unfinished run whose disks were said moved."""

    run: RunRecord
    serial: str | None
    """Its System serial in the newest pair snapshot; None when the snapshot has none."""


def old_node(config: Config) -> OldNode | None:
    """The old node of the pair journal's unfinished run past the disk move, or None (no
    such run, no journal; a journal that cannot be read: the runguard refuses the pair
    nodes, and nothing more can be told here)."""
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
    except (JournalError, sqlite3.Error, OSError):
        return None
    taken = snapshot.nodes.get(run.source) if snapshot is not None else None
    return OldNode(run, taken.system_serial if taken is not None else None)


def refuse_if_old_node(old: OldNode, node: Node, action: str) -> None:
    """Refuse (before anything is sent) ``action`` of ``node`` when its System serial is the
    old node's, or tells none while the old node's is known.

    :raises RunInProgress: refused, naming the run and how to go on.
    """
    if old.serial is None:
        return
    serial = node.inventory.system().serial
    run = old.run
    if serial == old.serial:
        why = (f"its System serial {serial} is {run.source}'s in the pair snapshot: it is "
               f"{run.source}")
    elif serial is None:
        why = (f"its System tells no serial, so it cannot be told apart from {run.source} "
               f"(serial {old.serial})")
    else:
        return
    raise RunInProgress(
        f"{node.name}: {why}, the old node of {describe(run)}, and its disks were said moved "
        f"out of it: it is never powered {action} before that run is finished, --yes "
        f"included; {how_to_go_on(run)}")
