"""Fixtures for the simulator tests: a manual clock, clusters started and stopped per test,
a client bound to the primary server, and a pair over HTTPS with the config `hamnhw sim
--config-out` would write for it (what the ``hamnhw sim`` subcommands are run against)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from runningsim import RunningSim
from simclient import Bmc

from hamnhw.sim import ManualClock, ServerSpec, SimCluster, SimServer
from hamnhw.sim.client_config import write_client_config


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def start_cluster(clock: ManualClock) -> Iterator[Callable[..., SimCluster]]:
    """``start_cluster(*specs, **SimCluster kwargs)``; every cluster is stopped after the test."""
    clusters: list[SimCluster] = []

    def start(*specs: ServerSpec, **kwargs: Any) -> SimCluster:
        kwargs.setdefault("clock", clock)
        cluster = SimCluster(list(specs) or [ServerSpec(name="primary")], **kwargs)
        clusters.append(cluster)
        return cluster.start()

    yield start
    for cluster in clusters:
        cluster.stop()


@pytest.fixture
def primary(start_cluster: Callable[..., SimCluster]) -> SimServer:
    return start_cluster(ServerSpec(name="primary"))["primary"]


@pytest.fixture
def bmc(primary: SimServer) -> Iterator[Bmc]:
    client = Bmc(primary)
    yield client
    client.close()


@pytest.fixture
def cluster() -> Iterator[SimCluster]:
    """A pair over HTTPS, on the real clock: primary (On, restore policy AlwaysOn, a RAID1
    of its two drives) and standby (off, empty bays)."""
    specs = [ServerSpec(name="primary", power="On", power_restore_policy="AlwaysOn"),
             ServerSpec(name="standby", drives=(), raid1=False)]
    with SimCluster(specs, tls=True) as sim:
        yield sim


@pytest.fixture
def config(cluster: SimCluster, tmp_path: Path) -> str:
    """The config naming :func:`cluster`'s servers (their fingerprint pinned)."""
    path, _secret = write_client_config(cluster, tmp_path / "sim.toml", cluster.fingerprint)
    return str(path)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningSim]:
    """``hamnhw sim --pair --tls --config-out pair.toml`` in a subprocess, stopped (exit 0)
    after the test."""
    sim = RunningSim(tmp_path)
    try:
        yield sim
    finally:
        assert sim.stop() == 0
