"""hamnhw.fanout and cooperative tasks (hamnhw.coop): the caller's ``operation`` is code
hamnhw does not know, so by default it runs in a thread of its own; as a cooperative task
(``cooperative=True``) only when the caller says its operation waits on nothing but the
node (a lock, a barrier or a queue shared between operations would hold every node)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

import hamnhw
from hamnhw.sim import ServerSpec, SimCluster

BARRIER_S = 30.0
"""How long the operations wait for each other before the barrier breaks (a failure guard:
side by side they meet at once)."""


@pytest.fixture
def cluster() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name=name) for name in "ab"]) as sims:
        yield sims


def _fanout(cluster: SimCluster, operation: Any, **kwargs: Any) -> list[Any]:
    return list(hamnhw.fanout([server.url for server in cluster], operation,
                              username=cluster["a"].username, password=cluster["a"].password,
                              timeout=60, **kwargs))


def test_operations_waiting_for_each_other_meet(cluster: SimCluster) -> None:
    """Two operations that wait for each other (a threading.Barrier: as a lock held across
    a node call, a blocking wait) both end: each in its own thread, not one task blocking
    the thread every other task runs on."""
    barrier = threading.Barrier(2, timeout=BARRIER_S)

    def operation(node: Any) -> str:
        barrier.wait()
        return str(node.power.state())

    results = _fanout(cluster, operation)
    assert [(r.ok, r.error) for r in results] == [(True, None), (True, None)]


def test_cooperative_on_request_runs_the_nodes_on_one_thread(cluster: SimCluster) -> None:
    threads: set[int] = set()

    def operation(node: Any) -> str:
        threads.add(threading.get_ident())
        return str(node.power.state())

    results = _fanout(cluster, operation, cooperative=True)
    assert [r.ok for r in results] == [True, True]
    assert len(threads) == 1
