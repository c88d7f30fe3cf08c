"""Fixtures of the vendor tests: clusters of one personality on a manual clock (the CLI's
waits advance it), and the published captures (``captures`` cache)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from vendor_bench import Bench, drives

from hamnhw.cli import options
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import ManualClock, RaidSpec, ServerSpec, SimCluster


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No credential or config variable of the developer leaks in; cwd has no config."""
    for name in ("HAMNHW_PASSWORD", "HAMNHW_USERNAME", "HAMNHW_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("hamnhw.configpath.SYSTEM_CONFIG", tmp_path / "no-system-config.toml")


@pytest.fixture
def start_cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Bench]]:
    """``start_cluster(personality, names=("a",), raid1=True, **spec)``: started servers of
    one personality; server ``a`` has four drives (a RAID1 over bays 1-2 with ``raid1``),
    the others empty bays."""
    clusters: list[SimCluster] = []
    clock = ManualClock()
    monkeypatch.setattr(options, "poll_policy", lambda: PollPolicy(
        interval=5.0, timeout=600.0, clock=clock, sleep=clock.sleep))

    def start(personality: str, names: tuple[str, ...] = ("a",), raid1: bool = True,
              raid: dict[str, Any] | None = None, **spec: Any) -> Bench:
        specs = [ServerSpec(name=name, personality=personality, power="On", post_time=0.0,
                            raid1=raid1 and index == 0, drives=drives(name) if index == 0
                            else (), raid=RaidSpec(**(raid or {})), **spec)
                 for index, name in enumerate(names)]
        clusters.append(SimCluster(specs, clock=clock).start())
        return Bench(clusters[-1], clock)

    yield start
    for started in clusters:
        started.stop()
