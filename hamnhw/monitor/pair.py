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

A snapshot whose RAID1 serials are no longer in any bay of either node (a disk replaced and
no ``pair snapshot`` taken since) is **stale** (:attr:`ActiveNode.stale_serials`): it matches
no node, and the failover, which checks the RAID1 members by serial, stops at its preflight.
The checks name the serials and what to run (``check pair``: WARNING; ``pair check``: a
failed ``snapshot`` check; the exporter: ``hamnhw_pair_snapshot_stale 1``).  It is told
only when both nodes' drives were read whole, every drive with a serial.
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
    whole: bool = True
    """Every drive was read and shows a serial: a serial not in :attr:`serials` is in no bay
    of this node."""


def live_node(facts: NodeFacts) -> LiveNode:
    """What ``pair check``'s read of one node shows of its power and drives."""
    serials = None if facts.drives is None else frozenset(
        d.serial for d in facts.drives if d.serial)
    power = None if facts.power_state is PowerState.UNKNOWN else facts.power_state is PowerState.ON
    whole = "storage" not in facts.partial and all(d.serial for d in facts.drives or ())
    return LiveNode(power, serials, whole)


def missing_serials(snapshot_serials: Collection[str] | None,
                    live: Mapping[str, LiveNode]) -> tuple[str, ...] | None:
    """The snapshot's RAID1 serials that no node shows in a bay (``()``: every one shows);
    None when that cannot be told: no snapshot RAID1, or a node whose drives were not read
    whole (a serial not seen may be in a drive not read)."""
    if not snapshot_serials or not live:
        return None
    if any(state.serials is None or not state.whole for state in live.values()):
        return None
    seen = frozenset().union(*(state.serials or frozenset() for state in live.values()))
    return tuple(serial for serial in snapshot_serials if serial not in seen)


def stale_text(serials: Collection[str]) -> str:
    """What a stale snapshot means and what to do, naming its missing serials."""
    return (f"pair snapshot stale: its RAID1 serial(s) {', '.join(serials)} no longer in any "
            "bay of either node (a disk replaced since it was taken?): run `hamnhw pair "
            "snapshot` (runbook, Disk replacement step 4); until then the failover stops at "
            "its preflight")


@dataclasses.dataclass(frozen=True)
class ActiveNode:
    """The active node (None when no source could tell) and the source that told."""

    node: str | None
    source: str
    journal_error: str | None = None
    """Why the pair's journal, which exists on this host, cannot be read (naming the file);
    None when it was read or there is none."""
    stale_serials: tuple[str, ...] | None = None
    """The last snapshot's RAID1 serials in no bay of either node (``()``: none; None:
    cannot be told, see :func:`missing_serials`)."""
    snapshot_note: str = "no snapshot match"
    """Why live state did not name the node (:func:`find_active`)."""

    def describe(self) -> str:
        """``active node primary (from journal)``."""
        if self.node is None:
            journal = "journal unreadable" if self.journal_error else "no journal"
            return f"active node unknown ({journal}, {self.snapshot_note}, no [pair] active)"
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
    stale = missing_serials(snapshot_serials, live)
    if journal:
        return ActiveNode(journal, JOURNAL, stale_serials=stale)
    if snapshot_serials:
        wanted = frozenset(snapshot_serials)
        holders = [name for name, state in live.items()
                   if state.power_on and state.serials is not None and wanted <= state.serials]
        if len(holders) == 1:
            return ActiveNode(holders[0], LIVE, journal_error, stale)
    note = _snapshot_note(snapshot_serials, stale)
    if config_active:
        return ActiveNode(config_active, CONFIG, journal_error, stale, note)
    return ActiveNode(None, UNKNOWN, journal_error, stale, note)


def _snapshot_note(snapshot_serials: Collection[str] | None,
                   stale: tuple[str, ...] | None) -> str:
    """Why the snapshot named no node: none (or no RAID1 in it), stale, or no single
    powered-on node holding all its RAID1 serials."""
    if not snapshot_serials:
        return "no pair snapshot with a RAID1"
    if stale:
        return f"pair snapshot stale: {', '.join(stale)} in no bay"
    return "no powered-on node holds the snapshot's RAID1"


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
