"""Which node of the pair is the active management node, and how that was found out.

The monitoring host usually lacks the failover journal, so the sources are tried in order:

1. the failover journal, where it is on this host;
2. live state: the node that is powered on and holds the RAID1 serials of the last
   ``pair snapshot``;
3. ``[pair] active`` in the config.

Every answer names its source, and the checks print it.  A journal that exists here but
cannot be read (its permissions, a damaged file) is no "not known": the answer carries why
(:attr:`ActiveNode.journal_error`, naming the file), the checks say so (``check pair``:
UNKNOWN; ``pair check``: a failed check; the exporter: ``hamnhw_pair_journal_unreadable 1``),
and the sources after it are only a fallback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from hamnhw.config import Config
from hamnhw.models import PowerState

if TYPE_CHECKING:
    from hamnhw.pair import JournalRecords
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
    journal_error: str | None = None
    """Why the pair's journal, which exists on this host, cannot be read (naming the file);
    None when it was read or there is none."""

    def describe(self) -> str:
        """``active node primary (from journal)``."""
        if self.node is None:
            journal = "journal unreadable" if self.journal_error else "no journal"
            return f"active node unknown ({journal}, no snapshot match, no [pair] active)"
        return f"active node {self.node} (from {self.source})"


def find_active(journal: str | None, live: Mapping[str, LiveNode],
                snapshot_serials: Collection[str] | None,
                config_active: str | None, journal_error: str | None = None) -> ActiveNode:
    """Apply the source order of this module.

    :param journal: the active node the failover journal records; None when it records none
        or is not here.
    :param live: the pair's nodes as read now.
    :param snapshot_serials: the RAID1 member serials of the last ``pair snapshot``, or None.
    :param config_active: ``[pair] active``.
    :param journal_error: why the journal cannot be read, carried into the answer.
    """
    if journal:
        return ActiveNode(journal, JOURNAL)
    if snapshot_serials:
        wanted = frozenset(snapshot_serials)
        holders = [name for name, state in live.items()
                   if state.power_on and state.serials is not None and wanted <= state.serials]
        if len(holders) == 1:
            return ActiveNode(holders[0], LIVE, journal_error)
    if config_active:
        return ActiveNode(config_active, CONFIG, journal_error)
    return ActiveNode(None, UNKNOWN, journal_error)


def active_for(config: Config, live: Mapping[str, LiveNode],
               records: JournalRecords | None = None) -> ActiveNode:
    """:func:`find_active` with what the pair's journal records (read now unless given:
    :func:`hamnhw.pair.read_records`) and ``[pair] active``."""
    from hamnhw import pair

    if records is None:
        records = pair.read_records(config)
    snapshot = records.snapshot
    serials = snapshot.mn_serials() if snapshot is not None else None
    error = None if records.error is None else str(records.error)
    return find_active(records.active, live, serials, config.pair.active, error)
