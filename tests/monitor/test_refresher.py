"""The exporter's background reads (review: a scrape waited for every hung BMC, 60 s with 5
of 40 hung, and Prometheus dropped every node): a scrape answers at once from the latest
samples, a node whose read hangs is down as ``pending`` or ``stale`` until its read ends,
reads stay bounded (``max_parallel``), and closing ends a hung read in flight.

No timed assertion: the hung reads wait on an Event released only after the scrape was
judged, and what was read is counted."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from test_exporter import value

from hamnhw import noanswer
from hamnhw.cli.commands.exporter import read_sample
from hamnhw.errors import (
    AccessDenied,
    AuthenticationError,
    BmcTimeout,
    BmcUnreachable,
    ConfigError,
    HamnhwError,
    MalformedResponse,
    RedfishUnreachable,
    ServerSideError,
    TlsError,
    UnsupportedOperation,
)
from hamnhw.monitor.metrics import REASONS, HamnhwCollector, NodeSample, reason_of
from hamnhw.monitor.refresher import Refresher
from hamnhw.sim import ManualClock, ServerSpec, SimCluster

HEALTHY = ("a", "b", "c")
HUNG = ("h1", "h2")


class GatedReader:
    """Reads that return at once, but those of ``held`` nodes, which wait for ``release``;
    counts the reads in flight at once."""

    def __init__(self, held: tuple[str, ...] = ()) -> None:
        self.held = set(held)
        self.release = threading.Event()
        self.entered: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Condition()

    def __call__(self, node: str) -> NodeSample:
        with self._lock:
            self.entered.append(node)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self._lock.notify_all()
        try:
            if node in self.held:
                assert self.release.wait(60), "the test never released the read"
            return NodeSample(node, True, power_on=True, duration_s=0.1)
        finally:
            with self._lock:
                self.in_flight -= 1

    def wait_entered(self, count: int) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: len(self.entered) >= count, 30)


def scrape(collector: HamnhwCollector) -> str:
    registry = CollectorRegistry()
    registry.register(collector)
    return generate_latest(registry).decode()


@pytest.fixture
def running() -> Iterator[Callable[..., Refresher]]:
    """Start refreshers; each is closed after the test."""
    started: list[Refresher] = []

    def start(reader: Callable[[str], NodeSample], nodes: tuple[str, ...],
              **kwargs: object) -> Refresher:
        settings: dict[str, object] = {"interval": 3600.0, "timeout": 30.0, **kwargs}
        refresher = Refresher(reader, nodes, **settings)  # type: ignore[arg-type]
        started.append(refresher)
        return refresher.start()

    yield start
    for refresher in started:
        refresher.close()


def test_a_scrape_answers_from_the_latest_samples_while_reads_hang(
        running: Callable[..., Refresher]) -> None:
    reader = GatedReader(held=HUNG)
    refresher = running(reader, HEALTHY + HUNG, max_parallel=8)
    assert refresher.wait_reads(len(HEALTHY), 30)
    assert reader.wait_entered(len(HEALTHY + HUNG))  # the hung reads are in flight
    collector = HamnhwCollector(refresher, first_wait=0.0)
    texts = [scrape(collector) for _ in range(3)]  # none waits for the hung reads
    assert refresher.reads == len(HEALTHY)  # the hung reads had not ended
    for text in texts:
        for node in HEALTHY:
            assert value(text, "hamnhw_bmc_up", node=node) == 1.0
            assert value(text, "hamnhw_power_on", node=node) == 1.0
            assert value(text, "hamnhw_bmc_down_reason", node=node) is None
            assert value(text, "hamnhw_bmc_reads_total", node=node) == 1.0
            assert value(text, "hamnhw_bmc_last_success_timestamp_seconds", node=node)
        for node in HUNG:
            assert value(text, "hamnhw_bmc_up", node=node) == 0.0
            assert value(text, "hamnhw_bmc_down_reason", node=node, reason="pending") == 1.0
            assert value(text, "hamnhw_bmc_reads_total", node=node) == 0.0
            assert value(text, "hamnhw_power_on", node=node) is None
            assert value(text, "hamnhw_sample_age_seconds", node=node) is None
    reader.release.set()
    assert refresher.wait_reads(len(HEALTHY + HUNG), 30)
    after = scrape(collector)
    for node in HUNG:
        assert value(after, "hamnhw_bmc_up", node=node) == 1.0
        assert value(after, "hamnhw_bmc_down_reason", node=node) is None
    assert sorted(reader.entered) == sorted(HEALTHY + HUNG)  # each read once (interval 1 h)


def test_the_first_scrape_waits_for_the_first_reads(running: Callable[..., Refresher]) -> None:
    reader = GatedReader()
    refresher = running(reader, HEALTHY)
    text = scrape(HamnhwCollector(refresher, first_wait=60.0))  # ends once every node read
    for node in HEALTHY:
        assert value(text, "hamnhw_bmc_up", node=node) == 1.0


def test_reads_in_flight_never_exceed_max_parallel(running: Callable[..., Refresher]) -> None:
    nodes = tuple(f"n{i}" for i in range(6))
    reader = GatedReader(held=nodes)
    refresher = running(reader, nodes, max_parallel=2)
    assert reader.wait_entered(2)
    assert len(reader.entered) == 2  # the others wait for a free worker
    reader.release.set()
    assert refresher.wait_reads(len(nodes), 30)
    assert reader.most_in_flight == 2
    assert sorted(reader.entered) == list(nodes)


def test_bmcs_that_timed_out_leave_one_worker_to_the_others(
        running: Callable[..., Refresher]) -> None:
    """Three workers, three BMCs whose first read timed out and whose next ones hang: two of
    those are read at once, the third worker still reads the healthy node."""
    clock = ManualClock()
    hung = ("h1", "h2", "h3")
    reader = GatedReader()

    def read(node: str) -> NodeSample:
        if node in hung and node not in reader.held:
            reader.held.add(node)  # its next read hangs
            return NodeSample(node, False, reason="timeout")
        return reader(node)

    refresher = running(read, (*hung, "z"), interval=10.0, max_parallel=3, clock=clock)
    assert refresher.wait_reads(4, 30)
    clock.advance(11)
    refresher.wake()
    assert refresher.wait_reads(5, 30)  # z read again while two hung reads are in flight
    assert [s.reads for s in refresher.statuses()] == [1, 1, 1, 2]
    assert reader.in_flight == 2
    reader.release.set()
    assert refresher.wait_reads(8, 30)
    assert reader.most_in_flight <= 2 + 1


def test_a_success_older_than_its_bound_is_stale(running: Callable[..., Refresher]) -> None:
    clock = ManualClock()
    reader = GatedReader()
    refresher = running(reader, ("a",), interval=10.0, timeout=5.0, clock=clock)
    assert refresher.stale_after == 25.0
    assert refresher.wait_reads(1, 30)
    reader.held.add("a")  # its next read hangs
    clock.advance(11)
    refresher.wake()
    assert reader.wait_entered(2)
    collector = HamnhwCollector(refresher, first_wait=0.0, clock=clock)
    current = scrape(collector)
    assert value(current, "hamnhw_bmc_up", node="a") == 1.0
    assert value(current, "hamnhw_sample_age_seconds", node="a") == 11.0
    clock.advance(15)  # 26 s since the last read ended
    stale = scrape(collector)
    reader.release.set()
    assert value(stale, "hamnhw_bmc_up", node="a") == 0.0
    assert value(stale, "hamnhw_bmc_down_reason", node="a", reason="stale") == 1.0
    assert value(stale, "hamnhw_sample_age_seconds", node="a") == 26.0
    assert value(stale, "hamnhw_power_on", node="a") is None  # not shown as current


def test_a_reader_bug_downs_its_node_and_the_worker_lives_on(
        running: Callable[..., Refresher]) -> None:
    def read(node: str) -> NodeSample:
        if node == "bad":
            raise RuntimeError("a bug")
        return NodeSample(node, True)

    refresher = running(read, ("bad", "good"), max_parallel=1)
    assert refresher.wait_reads(2, 30)
    text = scrape(HamnhwCollector(refresher, first_wait=0.0))
    assert value(text, "hamnhw_bmc_down_reason", node="bad", reason="error") == 1.0
    assert value(text, "hamnhw_bmc_up", node="good") == 1.0


@pytest.mark.parametrize(("error", "reason"), [
    (BmcUnreachable("x", reason=noanswer.NO_ANSWER_FRESH), "timeout"),
    (BmcUnreachable("x", reason=noanswer.CONNECT_TIMEOUT), "timeout"),
    (BmcUnreachable("x", refused=True), "refused"),
    (BmcUnreachable("x", reason=noanswer.HOST_UNREACHABLE), "unreachable"),
    (TlsError("x"), "tls"),
    (BmcTimeout("x", elapsed_s=3.0), "timeout"),
    (AuthenticationError("x"), "auth"),
    (AccessDenied(host="h", method="GET", path="/", status=403), "denied"),
    (ServerSideError(host="h", method="GET", path="/", status=503), "http"),
    (MalformedResponse("x"), "malformed"),
    (UnsupportedOperation("generic", "storage.volumes"), "unsupported"),
    (RedfishUnreachable("ipmi", "storage.volumes"), "unreachable"),
    (ConfigError("x"), "config"),
    (HamnhwError("x"), "error"),
])
def test_the_reason_is_the_error_kind_never_its_text(error: HamnhwError, reason: str) -> None:
    assert reason_of(error) == reason
    assert reason in REASONS


@pytest.mark.e2e
def test_close_ends_a_hung_read_in_flight() -> None:
    """A read whose BMC never answers (its read timeout 600 s) ends when the refresher
    closes (SIGTERM), not at its timeout: its request is cut."""
    with SimCluster([ServerSpec(name="hung", password="hung-pw-4Rt9x")]) as cluster:
        server = cluster["hung"]
        server.inject("hang")
        arguments = {"url": server.url, "username": "admin", "password": server.password,
                     "read_timeout": 600.0}
        refresher = Refresher(lambda n: read_sample(n, dict(arguments), 600.0), ("hung",),
                              interval=3600.0, timeout=600.0).start()
        try:
            assert _until(lambda: any(r.status is None for r in server.requests))  # hung
        finally:
            refresher.close()
        assert refresher.reads == 1  # ended by the close, not abandoned
        (status,) = refresher.statuses()
        assert not status.up and status.reason in REASONS


def _until(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Poll ``condition`` until it holds or the bound passes (a bounded wait, not a timing
    assertion); its last value."""
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    try:
        while not condition():
            if stop.wait(0.05):
                return condition()
        return True
    finally:
        timer.cancel()


def test_two_node_names_of_one_bmc_are_never_read_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, running: Callable[..., Refresher]) -> None:
    """The fleet's rule (:func:`hamnhw.fleet.runner.run_each`): reads of one BMC address run
    one after the other, whatever names the config gives it; other BMCs are not held."""
    from hamnhw.cli.commands import exporter
    from hamnhw.cli.options import TargetOptions

    password = tmp_path / "pw"
    password.write_text("x-pw-for-a-test-9")
    password.chmod(0o600)
    config = tmp_path / "hamnhw.toml"
    config.write_text("".join(
        f'[nodes.{name}]\nbmc = "redfish://{host}"\nusername = "admin"\n'
        f'password_file = "{password}"\n\n'
        for name, host in (("a", "10.0.0.1"), ("alias", "10.0.0.1"), ("b", "10.0.0.2"))))
    gated = GatedReader(held=("a", "alias"))
    monkeypatch.setattr(exporter, "read_sample", lambda name, _args, _timeout: gated(name))
    reader = exporter.Reader(TargetOptions(node="", config=str(config)), 30.0)
    refresher = running(reader, ("a", "alias", "b"), max_parallel=3)
    assert refresher.wait_reads(1, 30)  # b, beside the held read of 10.0.0.1
    assert gated.wait_entered(2)
    assert sorted(gated.entered) in (["a", "b"], ["alias", "b"])  # one of 10.0.0.1's
    gated.release.set()
    assert refresher.wait_reads(3, 30)
    assert sorted(gated.entered) == ["a", "alias", "b"]
