"""The Prometheus exporter's data: one sample per node, a cache in front of the BMCs, and a
``prometheus_client`` collector turning samples into metric families.

A scrape never floods a BMC: each node is read at most once per cache lifetime (scrapes that
arrive while a read is running wait for it rather than starting another), and at most
``max_parallel`` BMCs are read at the same time.

Metrics, every one labelled ``node`` (README has the table):

=================================================  ==============================================
``hamnhw_bmc_up``                                   1 when the last read of the BMC succeeded
``hamnhw_bmc_auth_failed``                          1 while the BMC's refusal of the
                                                    credentials holds the node down
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

import concurrent.futures
import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from hamnhw.errors import HamnhwError
from hamnhw.log import get_logger
from hamnhw.monitor.health import RaidHealth, VolumeState

LOG = get_logger(__name__)

DEFAULT_CACHE_S = 60.0
DEFAULT_PARALLEL = 4


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


Reader = Callable[[str], NodeSample]
"""Reads one node (connect, read, log out); must not raise a HamnhwError but report it."""


def safe_read(read: Callable[[str], NodeSample], node: str) -> NodeSample:
    """``read(node)``, a failure becoming a sample with ``up=False``."""
    started = time.monotonic()
    try:
        return read(node)
    except HamnhwError as exc:
        LOG.warning("%s: read failed: %s", node, exc)
        return NodeSample(node, False, duration_s=time.monotonic() - started, error=str(exc))


class SampleCache:
    """Samples of several nodes, each re-read at most once per ``lifetime`` seconds."""

    def __init__(self, read: Reader, lifetime: float = DEFAULT_CACHE_S,
                 max_parallel: int = DEFAULT_PARALLEL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._read = read
        self._lifetime = lifetime
        self._clock = clock
        self._slots = threading.BoundedSemaphore(max_parallel)
        self._locks: dict[str, threading.Lock] = {}
        self._samples: dict[str, tuple[float, NodeSample]] = {}
        self._guard = threading.Lock()
        self._pool = concurrent.futures.ThreadPoolExecutor(max(1, max_parallel),
                                                           thread_name_prefix="hamnhw-read")
        self.reads = 0
        """How many BMC reads were made (tests and benchmarks look at it)."""

    def sample(self, node: str) -> NodeSample:
        """The node's sample, read now only when the cached one is older than the lifetime."""
        with self._guard:
            lock = self._locks.setdefault(node, threading.Lock())
        with lock:
            cached = self._samples.get(node)
            if cached is not None and self._clock() - cached[0] < self._lifetime:
                return cached[1]
            with self._slots:
                fresh = safe_read(self._read, node)
                self.reads += 1
            self._samples[node] = (self._clock(), fresh)
            return fresh

    def samples(self, nodes: Sequence[str]) -> list[NodeSample]:
        """Samples of every node, read in parallel (bounded) where due."""
        return list(self._pool.map(self.sample, nodes))

    def close(self) -> None:
        """Stop the reading threads."""
        self._pool.shutdown(wait=True, cancel_futures=True)


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
"""Which node of the pair is active, given the samples, and whether the journal was read."""


class HamnhwCollector(Collector):
    """A ``prometheus_client`` collector over a :class:`SampleCache`."""

    def __init__(self, cache: SampleCache, nodes: Sequence[str],
                 pair: Sequence[str] = (), active: ActiveNode | None = None) -> None:
        self.cache = cache
        self.nodes = list(nodes)
        self.pair = list(pair)
        self.active = active

    def collect(self) -> Iterator[Metric]:
        """Metric families of one scrape."""
        samples = self.cache.samples(self.nodes)
        view = self.active(samples) if self.active and self.pair else None
        yield from families(samples, self.pair, view)


def families(samples: Iterable[NodeSample], pair: Sequence[str] = (),
             view: PairView | None = None) -> list[Metric]:
    """The metric families for these samples (HELP and TYPE on each); the pair's only with
    ``view``."""
    up = GaugeMetricFamily("hamnhw_bmc_up", "1 when the last read of the node's BMC "
                           "succeeded, else 0.", labels=["node"])
    auth = GaugeMetricFamily("hamnhw_bmc_auth_failed", "1 when the node's BMC refused the "
                             "credentials: no login is tried again until they change or the "
                             "exporter restarts, else 0.", labels=["node"])
    power = GaugeMetricFamily("hamnhw_power_on", "1 when the host is powered on, 0 when off; "
                              "absent when the BMC did not tell.", labels=["node"])
    health = GaugeMetricFamily("hamnhw_volume_health", "RAID volume health: 0 ok, 1 warning "
                               "(degraded or rebuilding), 2 critical (failed), 3 unknown.",
                               labels=["node", "volume"])
    state = GaugeMetricFamily("hamnhw_volume_state", "1 for the RAID volume's current state "
                              "(optimal, degraded, rebuilding, failed, unknown), else 0.",
                              labels=["node", "volume", "state"])
    rebuild = GaugeMetricFamily("hamnhw_volume_rebuild_ratio", "Rebuild progress 0..1 of a "
                                "rebuilding volume, when the BMC tells.", labels=["node", "volume"])
    drive = GaugeMetricFamily("hamnhw_drive_health", "Drive health: 0 ok, 1 warning, "
                              "2 critical, 3 unknown.", labels=["node", "serial", "bay"])
    pair_active = GaugeMetricFamily("hamnhw_pair_active", "1 for the pair's active node, 0 for "
                                    "the other; absent when it cannot be told.", labels=["node"])
    journal = GaugeMetricFamily("hamnhw_pair_journal_unreadable", "1 while the pair's "
                                "failover journal on this host exists but cannot be read (its "
                                "active node and snapshot unknown: hamnhw_pair_active from live "
                                "state or [pair] active only), else 0.", labels=["node"])
    stale = GaugeMetricFamily("hamnhw_pair_snapshot_stale", "1 while a RAID1 serial of the "
                              "last pair snapshot is in no bay of either node (a disk replaced "
                              "since: run hamnhw pair snapshot; hamnhw_pair_active from it is "
                              "then absent unless the journal or [pair] active tells), 0 when "
                              "each is in one; absent when it cannot be told.", labels=["node"])
    duration = GaugeMetricFamily("hamnhw_scrape_duration_seconds", "Seconds the last read of "
                                 "the node's BMC took.", labels=["node"])
    for sample in samples:
        node = sample.node
        up.add_metric([node], 1.0 if sample.up else 0.0)
        auth.add_metric([node], 1.0 if sample.auth_failed else 0.0)
        duration.add_metric([node], sample.duration_s)
        if sample.power_on is not None:
            power.add_metric([node], 1.0 if sample.power_on else 0.0)
        for volume in (sample.raid.volumes or ()) if sample.raid else ():
            health.add_metric([node, volume.id], float(volume.severity))
            for name in VolumeState:
                state.add_metric([node, volume.id, name.value],
                                 1.0 if name is volume.state else 0.0)
            if volume.state is VolumeState.REBUILDING and volume.percent is not None:
                rebuild.add_metric([node, volume.id], volume.percent / 100.0)
        for disk in (sample.raid.drives or ()) if sample.raid else ():
            drive.add_metric([node, disk.serial or disk.id, disk.bay or ""], float(disk.severity))
        if view is not None and node in pair:
            if view.active is not None:
                pair_active.add_metric([node], 1.0 if node == view.active else 0.0)
            journal.add_metric([node], 0.0 if view.journal_error is None else 1.0)
            if view.stale_serials is not None:
                stale.add_metric([node], 1.0 if view.stale_serials else 0.0)
    return [up, auth, power, health, state, rebuild, drive, pair_active, journal, stale,
            duration]
