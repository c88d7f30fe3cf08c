"""Fixtures for the simulator tests: a manual clock, clusters started and stopped per test,
and a client bound to the primary server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from simclient import Bmc

from hamnhw.sim import ManualClock, ServerSpec, SimCluster, SimServer


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
