"""A fan-out over Redfish nodes runs them as cooperative tasks on one thread
(hamnhw.coop): same answers as threads, a hung BMC parks only its own task, IPMI nodes
and HAMNHW_FANOUT_IO=threads keep threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

import hamnhw
from hamnhw import coop
from hamnhw.fleet import redfish_only
from hamnhw.fleet.runner import IO_VARIABLE
from hamnhw.sim import ServerSpec, SimCluster

HUNG = "/redfish/v1/Systems/1/Storage"


@pytest.fixture
def cluster() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name=name) for name in "abcd"]) as sims:
        yield sims


def _where_and_what(node: Any) -> tuple[str, bool, str, list[str | None]]:
    return (threading.current_thread().name, coop.current() is not None,
            node.power.state().value, [nic.mac for nic in node.nics.list() or ()])


def _fanout(cluster: SimCluster, names: str, operation: Any = _where_and_what,
            **kwargs: Any) -> Iterator[hamnhw.NodeResult[Any]]:
    return hamnhw.fanout([cluster[name].url for name in names], operation,
                         username=cluster["a"].username, password=cluster["a"].password,
                         **kwargs)


def test_redfish_nodes_run_as_tasks_of_one_thread_with_the_answers_threads_give(
        cluster: SimCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    cooperative = {r.node: r.value for r in _fanout(cluster, "abcd", cooperative=True)}
    monkeypatch.setenv(IO_VARIABLE, "threads")
    threaded = {r.node: r.value for r in _fanout(cluster, "abcd")}
    assert {value[:2] for value in cooperative.values()} == {("hamnhw-fanout-hub", True)}
    assert len({value[0] for value in threaded.values()}) > 1
    assert not any(value[1] for value in threaded.values())
    assert ({node: value[2:] for node, value in cooperative.items()}
            == {node: value[2:] for node, value in threaded.items()})
    assert all(len(server.state.sessions) == 0 for server in cluster)


def test_a_hung_bmc_parks_its_own_task_only(cluster: SimCluster) -> None:
    """The other nodes' results come while b's request still hangs (one thread serves
    them all: a blocking wait would hold every node)."""
    cluster["b"].inject("hang", path=HUNG)
    results = _fanout(cluster, "abcd", lambda node: node.raid.status(), timeout=600,
                      read_timeout=300, cooperative=True)
    done = []
    try:
        for result in results:
            done.append(result.node)
            if len(done) == 3:
                break
    finally:
        results.close()  # b's request aborted, every session logged out
    assert sorted(done) == sorted(cluster[name].url for name in "acd")
    assert sum(1 for request in cluster["b"].requests if request.path == HUNG) == 1
    assert all(len(server.state.sessions) == 0 for server in cluster)


def test_a_node_with_an_ipmi_path_keeps_the_fanout_in_threads() -> None:
    assert redfish_only({"url": "redfish://127.0.0.1:8443"})
    assert redfish_only({"url": "idrac-redfish+http://127.0.0.1:8000"})
    assert not redfish_only({"url": "ipmi://127.0.0.1:623"})
    assert not redfish_only({"url": "redfish://127.0.0.1:8443", "ipmi": object()})
    assert redfish_only({"url": "not a url"})  # fails in its own task, with its own error
