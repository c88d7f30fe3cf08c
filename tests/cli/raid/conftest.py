"""The simulated server the ``hamnhw raid`` CLI tests run against (``cluster`` fixture)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from raid_bench import Bench, drives

from hamnhw.cli import options
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import DriveSpec, ManualClock, RaidSpec, ServerSpec, SimCluster


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Bench]]:
    """``cluster(raid1=..., disks=..., power=..., server={ServerSpec field: ...},
    **RaidSpec)``: a started one-server cluster whose clock the CLI's waits advance (its
    poll policy sleeps on it)."""
    clusters: list[SimCluster] = []
    clock = ManualClock()
    monkeypatch.setattr(options, "poll_policy", lambda: PollPolicy(
        interval=5.0, timeout=600.0, clock=clock, sleep=clock.sleep))

    def start(raid1: bool = False, disks: tuple[DriveSpec, ...] | None = None,
              power: str = "On", server: dict[str, Any] | None = None,
              **raid: Any) -> Bench:
        spec = ServerSpec(name="node", power=power, raid1=raid1,
                          drives=disks or drives("node"), post_time=0.0, power_delay=2.0,
                          raid=RaidSpec(**raid), **(server or {}))
        clusters.append(SimCluster([spec], clock=clock).start())
        return Bench(clusters[-1]["node"], clock)

    yield start
    for started in clusters:
        started.stop()
