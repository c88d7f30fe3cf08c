"""Which node of the pair is the active management node, and how that was found out.

The monitoring host usually lacks the failover journal, so the sources are tried in order:

1. the failover journal, where it is readable on this host;
2. live state: the node that is powered on and holds the RAID1 serials of the last
   ``pair snapshot``;
3. ``[pair] active`` in the config.

Every answer names its source, and the checks print it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING

from hamnhw.config import Config
from hamnhw.models import PowerState

if TYPE_CHECKING:
    from hamnhw.pair import PairSnapshot
    from hamnhw.pair.nodefacts import NodeFacts

JOURNAL = "journal"
LIVE = "live state (powered on, holds the snapshot's RAID1 serials)"
CONFIG = "config [pair] active"
UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True)
class LiveNode:
    """What a live read of one pair node showed."""

    power_on: bool | None
    serials: frozenset[str] | None
    """Serials of the drives the BMC shows; None when it did not tell."""


def live_node(facts: NodeFacts) -> LiveNode:
    """What ``pair check``'s read of one node shows of its power and drives."""
    serials = None if facts.drives is None else frozenset(
        d.serial for d in facts.drives if d.serial)
    power = None if facts.power_state is PowerState.UNKNOWN else facts.power_state is PowerState.ON
    return LiveNode(power, serials)


@dataclasses.dataclass(frozen=True)
class ActiveNode:
    """The active node (None when no source could tell) and the source that told."""

    node: str | None
    source: str

    def describe(self) -> str:
        """``active node primary (from journal)``."""
        if self.node is None:
            return "active node unknown (no journal, no snapshot match, no [pair] active)"
        return f"active node {self.node} (from {self.source})"


def find_active(journal: Callable[[], str | None] | None, live: Mapping[str, LiveNode],
                snapshot_serials: Collection[str] | None,
                config_active: str | None) -> ActiveNode:
    """Apply the source order of this module.

    :param journal: reads the active node from the failover journal; None (or a call giving
        None) when the journal is not readable here.
    :param live: the pair's nodes as read now.
    :param snapshot_serials: the RAID1 member serials of the last ``pair snapshot``, or None.
    :param config_active: ``[pair] active``.
    """
    if journal is not None:
        found = journal()
        if found:
            return ActiveNode(found, JOURNAL)
    if snapshot_serials:
        wanted = frozenset(snapshot_serials)
        holders = [name for name, state in live.items()
                   if state.power_on and state.serials is not None and wanted <= state.serials]
        if len(holders) == 1:
            return ActiveNode(holders[0], LIVE)
    if config_active:
        return ActiveNode(config_active, CONFIG)
    return ActiveNode(None, UNKNOWN)


def active_for(config: Config, live: Mapping[str, LiveNode],
               snapshot: PairSnapshot | None = None) -> ActiveNode:
    """:func:`find_active` with the pair's journal, its last snapshot (read from the journal
    unless given) and ``[pair] active``."""
    from hamnhw import pair

    if snapshot is None:
        snapshot = pair.load_latest_snapshot(config)
    serials = snapshot.mn_serials() if snapshot is not None else None
    return find_active(lambda: _journal_active(config), live, serials, config.pair.active)


def _journal_active(config: Config) -> str | None:
    from hamnhw import pair
    from hamnhw.errors import HamnhwError

    try:
        return pair.active_node(config)
    except HamnhwError:
        return None
