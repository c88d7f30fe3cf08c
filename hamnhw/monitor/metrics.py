"""The Prometheus exporter's data: one sample per node and a ``prometheus_client``
collector turning the latest samples into metric families.

The BMCs are read in the background (:class:`hamnhw.monitor.refresher.Refresher`: each node
once per interval, at most ``max_parallel`` at the same time); a scrape answers at once with
what the last read of each node found, so a hung BMC never holds a scrape.  Only the first
scrape after the start waits, at most :data:`FIRST_SCRAPE_WAIT_S`, for the first reads.

Metrics, every one labelled ``node`` (README has the table):

=================================================  ==============================================
``hamnhw_bmc_up``                                   1 when the last read of the BMC succeeded
                                                    and is still current, else 0
``hamnhw_bmc_down_reason{reason}``                  1 while the node is down, its reason one of
                                                    :data:`REASONS` (absent while up)
``hamnhw_bmc_auth_failed``                          1 while the BMC's refusal of the
                                                    credentials holds the node down
``hamnhw_sample_age_seconds``                       seconds since the node's last read ended
``hamnhw_bmc_last_success_timestamp_seconds``       Unix time the last successful read ended
``hamnhw_bmc_reads_total``                          reads of the BMC that ended, any outcome
``hamnhw_power_on``                                 1 host on, 0 off (absent when not told)
``hamnhw_volume_health{volume}``                    0 ok, 1 warning, 2 critical, 3 unknown
``hamnhw_volume_state{volume,state}``               1 for the volume's current state, else 0
``hamnhw_volume_rebuild_ratio{volume}``             0..1 while rebuilding, when told
``hamnhw_drive_health{serial,bay}``                 0 ok, 1 warning, 2 critical, 3 unknown
``hamnhw_pair_active``                              1 for the pair's active node, 0 for the other
``hamnhw_pair_journal_unreadable``                  1 on each pair node while the pair's journal
                                                    on this host exists but cannot be read
``hamnhw_pair_snapshot_stale``                      1 on each pair node while a RAID1 serial of
                                                    the last pair snapshot is in no bay of
                                                    either node, 0 when each is in one; absent
                                                    when that cannot be told
``hamnhw_scrape_duration_seconds``                  seconds the last read of the BMC took
=================================================  ==============================================
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from hamnhw import noanswer
from hamnhw.errors import (
    AccessDenied,
    AuthenticationError,
    BmcTimeout,
    BmcUnreachable,
    ConfigError,
    HamnhwError,
    HttpError,
    MalformedResponse,
    TlsError,
    UnsupportedOperation,
)
from hamnhw.log import get_logger
from hamnhw.monitor.health import RaidHealth, VolumeState

if TYPE_CHECKING:
    from hamnhw.monitor.refresher import NodeStatus, Refresher

LOG = get_logger(__name__)

DEFAULT_CACHE_S = 60.0
DEFAULT_PARALLEL = 16
"""BMCs read at the same time: a hung one holds a read for up to its timeout, so this is
also how many may hang at once before the others' reads are delayed."""
FIRST_SCRAPE_WAIT_S = 5.0
"""The longest the first scrape after the start waits for the first reads (later scrapes
never wait): well under any scrape timeout."""

REASONS = ("pending", "stale", "timeout", "refused", "unreachable", "tls", "auth", "denied",
           "http", "malformed", "unsupported", "config", "error")
"""Every value of ``hamnhw_bmc_down_reason``'s ``reason`` label: ``pending`` no read ended
yet, ``stale`` the last success is too old, the others the kind of the last read's error
(:func:`reason_of`)."""

_SILENT = frozenset({noanswer.CONNECT_TIMEOUT, noanswer.CONNECT_CUT, noanswer.NO_ANSWER_FRESH,
                     noanswer.NO_ANSWER_REUSED})
"""Wire reasons of a BMC that did not answer in time (a hung one)."""


def reason_of(exc: BaseException) -> str:
    """The kind of a read's error, one of :data:`REASONS`: from its class (and a no-answer's
    wire reason), never from its text."""
    kinds: tuple[tuple[type[BaseException], str], ...] = (
        (TlsError, "tls"), (AuthenticationError, "auth"), (AccessDenied, "denied"),
        (BmcTimeout, "timeout"), (HttpError, "http"), (MalformedResponse, "malformed"),
        (ConfigError, "config"))
    if isinstance(exc, BmcUnreachable) and not isinstance(exc, TlsError):
        if getattr(exc, "refused", False):
            return "refused"
        return "timeout" if getattr(exc, "reason", None) in _SILENT else "unreachable"
    for kind, name in kinds:
        if isinstance(exc, kind):
            return name
    return "unsupported" if isinstance(exc, UnsupportedOperation) else "error"


@dataclasses.dataclass(frozen=True)
class NodeSample:
    """What one read of a node found."""

    node: str
    up: bool
    power_on: bool | None = None
    raid: RaidHealth | None = None
    duration_s: float = 0.0
    error: str | None = None
    auth_failed: bool = False
    """The BMC refused the credentials (now, or earlier and they have not changed)."""
    reason: str | None = None
    """Why the read failed, one of :data:`REASONS` (None: it did not)."""


Reader = Callable[[str], NodeSample]
"""Reads one node (connect, read, log out); must not raise a HamnhwError but report it."""


def safe_read(read: Callable[[str], NodeSample], node: str) -> NodeSample:
    """``read(node)``, a failure becoming a sample with ``up=False``."""
    started = time.monotonic()
    try:
        return read(node)
    except HamnhwError as exc:
        LOG.warning("%s: read failed: %s", node, exc)
        return NodeSample(node, False, duration_s=time.monotonic() - started, error=str(exc),
                          reason=reason_of(exc))


@dataclasses.dataclass(frozen=True)
class PairView:
    """The pair as a whole, given the samples."""

    active: str | None
    """The active node (None: unknown)."""
    journal_error: str | None = None
    """Why the pair's journal on this host cannot be read (None: read, or none here)."""
    stale_serials: tuple[str, ...] | None = None
    """The last snapshot's RAID1 serials in no bay of either node (``()``: none; None:
    cannot be told: no snapshot, a node's drives not read whole)."""


ActiveNode = Callable[[Sequence[NodeSample]], PairView]
"""Which node of the pair is active, given the current samples, and whether the journal
was read."""


class HamnhwCollector(Collector):
    """A ``prometheus_client`` collector over a :class:`~hamnhw.monitor.refresher.Refresher`:
    a scrape answers from the latest samples; only scrapes within ``first_wait`` seconds of
    the collector's creation wait (that long at most) for every node's first read."""

    def __init__(self, refresher: Refresher, pair: Sequence[str] = (),
                 active: ActiveNode | None = None, first_wait: float = FIRST_SCRAPE_WAIT_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.refresher = refresher
        self.pair = list(pair)
        self.active = active
        self._clock = clock
        self._wait_until = clock() + first_wait

    def collect(self) -> Iterator[Metric]:
        """Metric families of one scrape."""
        statuses = self.refresher.statuses(wait=max(0.0, self._wait_until - self._clock()))
        current = [s.sample for s in statuses if s.sample is not None and not s.stale]
        view = self.active(current) if self.active and self.pair else None
        yield from families(statuses, self.pair, view)


def families(statuses: Sequence[NodeStatus], pair: Sequence[str] = (),
             view: PairView | None = None) -> list[Metric]:
    """The metric families for these nodes (HELP and TYPE on each); the pair's only with
    ``view``.  Power, RAID and drive metrics are those of the node's last read (a failed
    one may have read the power), none while no read ended or the last success is stale."""
    nodes = _NodeFamilies.make()
    samples = _sample_families()
    pair_families = _pair_families()
    for status in statuses:
        nodes.add(status)
        if status.sample is not None and not status.stale:
            _add_sample(samples, status.sample)
        if view is not None and status.node in pair:
            _add_pair(pair_families, status.node, view)
    return [nodes.up, nodes.auth, *samples, *pair_families, nodes.duration, nodes.reason,
            nodes.age, nodes.success, nodes.reads]


@dataclasses.dataclass(frozen=True)
class _NodeFamilies:
    """The families every node has."""

    up: GaugeMetricFamily
    reason: GaugeMetricFamily
    auth: GaugeMetricFamily
    age: GaugeMetricFamily
    success: GaugeMetricFamily
    reads: CounterMetricFamily
    duration: GaugeMetricFamily

    @classmethod
    def make(cls) -> _NodeFamilies:
        return cls(
            GaugeMetricFamily("hamnhw_bmc_up", "1 when the last read of the node's BMC "
                              "succeeded and is current (not older than twice the read "
                              "interval plus the read timeout), else 0.", labels=["node"]),
            GaugeMetricFamily("hamnhw_bmc_down_reason", "1 while the node is down, with why: "
                              + ", ".join(REASONS) + "; absent while up.",
                              labels=["node", "reason"]),
            GaugeMetricFamily("hamnhw_bmc_auth_failed", "1 when the node's BMC refused the "
                              "credentials: no login is tried again until they change or the "
                              "exporter restarts, else 0.", labels=["node"]),
            GaugeMetricFamily("hamnhw_sample_age_seconds", "Seconds since the last read of "
                              "the node's BMC ended (whatever its outcome); absent before the "
                              "first.", labels=["node"]),
            GaugeMetricFamily("hamnhw_bmc_last_success_timestamp_seconds", "Unix time at "
                              "which the last successful read of the node's BMC ended; absent "
                              "before the first.", labels=["node"]),
            CounterMetricFamily("hamnhw_bmc_reads", "Reads of the node's BMC that ended since "
                                "the exporter started, whatever their outcome.",
                                labels=["node"]),
            GaugeMetricFamily("hamnhw_scrape_duration_seconds", "Seconds the last read of the "
                              "node's BMC took (in the background, not in the scrape).",
                              labels=["node"]))

    def add(self, status: NodeStatus) -> None:
        """The node's samples of these families."""
        node, sample = status.node, status.sample
        self.up.add_metric([node], 1.0 if status.up else 0.0)
        if status.reason is not None:
            self.reason.add_metric([node, status.reason], 1.0)
        held = sample is not None and sample.auth_failed
        self.auth.add_metric([node], 1.0 if held else 0.0)
        self.reads.add_metric([node], float(status.reads))
        if status.age_s is not None:
            self.age.add_metric([node], status.age_s)
        if status.last_success is not None:
            self.success.add_metric([node], status.last_success)
        if sample is not None:
            self.duration.add_metric([node], sample.duration_s)


def _sample_families() -> list[GaugeMetricFamily]:
    """Power, volume health, state and rebuild, drive health."""
    return [
        GaugeMetricFamily("hamnhw_power_on", "1 when the host is powered on, 0 when off; "
                          "absent when the BMC did not tell.", labels=["node"]),
        GaugeMetricFamily("hamnhw_volume_health", "RAID volume health: 0 ok, 1 warning "
                          "(degraded or rebuilding), 2 critical (failed), 3 unknown.",
                          labels=["node", "volume"]),
        GaugeMetricFamily("hamnhw_volume_state", "1 for the RAID volume's current state "
                          "(optimal, degraded, rebuilding, failed, unknown), else 0.",
                          labels=["node", "volume", "state"]),
        GaugeMetricFamily("hamnhw_volume_rebuild_ratio", "Rebuild progress 0..1 of a "
                          "rebuilding volume, when the BMC tells.", labels=["node", "volume"]),
        GaugeMetricFamily("hamnhw_drive_health", "Drive health: 0 ok, 1 warning, "
                          "2 critical, 3 unknown.", labels=["node", "serial", "bay"]),
    ]


def _add_sample(samples: list[GaugeMetricFamily], sample: NodeSample) -> None:
    power, health, state, rebuild, drive = samples
    node = sample.node
    if sample.power_on is not None:
        power.add_metric([node], 1.0 if sample.power_on else 0.0)
    for volume in (sample.raid.volumes or ()) if sample.raid else ():
        health.add_metric([node, volume.id], float(volume.severity))
        for name in VolumeState:
            state.add_metric([node, volume.id, name.value], 1.0 if name is volume.state else 0.0)
        if volume.state is VolumeState.REBUILDING and volume.percent is not None:
            rebuild.add_metric([node, volume.id], volume.percent / 100.0)
    for disk in (sample.raid.drives or ()) if sample.raid else ():
        drive.add_metric([node, disk.serial or disk.id, disk.bay or ""], float(disk.severity))


def _pair_families() -> list[GaugeMetricFamily]:
    return [
        GaugeMetricFamily("hamnhw_pair_active", "1 for the pair's active node, 0 for the "
                          "other; absent when it cannot be told.", labels=["node"]),
        GaugeMetricFamily("hamnhw_pair_journal_unreadable", "1 while the pair's failover "
                          "journal on this host exists but cannot be read (its active node "
                          "and snapshot unknown: hamnhw_pair_active from live state or [pair] "
                          "active only), else 0.", labels=["node"]),
        GaugeMetricFamily("hamnhw_pair_snapshot_stale", "1 while a RAID1 serial of the last "
                          "pair snapshot is in no bay of either node (a disk replaced since: "
                          "run hamnhw pair snapshot; hamnhw_pair_active from it is then absent "
                          "unless the journal or [pair] active tells), 0 when each is in one; "
                          "absent when it cannot be told.", labels=["node"]),
    ]


def _add_pair(pair_families: list[GaugeMetricFamily], node: str, view: PairView) -> None:
    active, journal, stale = pair_families
    if view.active is not None:
        active.add_metric([node], 1.0 if node == view.active else 0.0)
    journal.add_metric([node], 0.0 if view.journal_error is None else 1.0)
    if view.stale_serials is not None:
        stale.add_metric([node], 1.0 if view.stale_serials else 0.0)
