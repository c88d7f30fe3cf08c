"""hamnhw.fanout and cooperative tasks (hamnhw.coop): the caller's ``operation`` is code
hamnhw does not know, so by default it runs in a thread of its own; as a cooperative task
(``cooperative=True``) only when the caller says its operation waits on nothing but the
node (a lock, a barrier or a queue shared between operations would hold every node)."""

from __future__ import annotations

import socket
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


LOOKUPS_AT_ONCE = 20
"""Host name lookups the fake name service answers only together (each waits for the
others): a fan-out's lookups must be able to run side by side, as they do in threads."""


def test_host_name_lookups_run_side_by_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow name service (a dead first nameserver: seconds a lookup) is waited for by
    every node at once, not queued behind a few helper threads until the later nodes'
    connect timeouts pass."""
    together = threading.Barrier(LOOKUPS_AT_ONCE, timeout=BARRIER_S)
    real = socket.getaddrinfo
    looked_up: set[str] = set()

    def slow_service(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".bmc.test"):
            if host not in looked_up:  # each node's first lookup (its first connection)
                looked_up.add(host)
                together.wait()
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_service)
    with SimCluster([ServerSpec(name="a")]) as sims:
        port = sims["a"].port
        urls = [f"redfish+http://n{i}.bmc.test:{port}" for i in range(LOOKUPS_AT_ONCE)]
        results = list(hamnhw.fanout(urls, lambda node: str(node.power.state()),
                                     username=sims["a"].username,
                                     password=sims["a"].password, timeout=2 * BARRIER_S,
                                     connect_timeout=2 * BARRIER_S, cooperative=True))
    assert [r.error for r in results if not r.ok] == []


@pytest.mark.parametrize("cooperative", [False, True], ids=["threads", "cooperative"])
def test_an_address_that_times_out_is_followed_by_the_next(
        monkeypatch: pytest.MonkeyPatch, cooperative: bool) -> None:
    """A BMC name with two addresses, the first silent (a broken IPv6 route, say): the
    connect to it times out and the next address is tried, as socket.create_connection
    does, in a cooperative task as in a thread."""
    real = socket.getaddrinfo
    with SimCluster([ServerSpec(name=name) for name in ("silent", "live")]) as sims:
        sims["silent"].pull_cords()
        addresses = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", sims[name].port))
                     for name in ("silent", "live")]

        def two_addresses(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            return addresses if host == "dual.bmc.test" else real(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
        url = f"redfish+http://dual.bmc.test:{sims['live'].port}"
        results = list(hamnhw.fanout([url, sims["live"].url], lambda node: str(node.power.state()),
                                     username=sims["live"].username,
                                     password=sims["live"].password, timeout=30,
                                     connect_timeout=1, cooperative=cooperative))
    assert [(r.node, r.error) for r in results if not r.ok] == []
