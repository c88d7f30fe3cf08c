"""One read per resource per command, end to end: the real CLI (one node, and a fan-out
over several) against the simulator over loopback HTTP; the simulator's request log is
the judge."""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

import hamnhw
from hamnhw.cli.main import cli
from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

NAMES = ("tower", "blade")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name=n, power="On") for n in NAMES]) as cluster:
        yield cluster


def gets(server: SimServer) -> list[str]:
    return [r.path for r in server.requests if r.method == "GET"]


def run(*args: str, server: SimServer) -> list[dict[str, object]]:
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    result = CliRunner().invoke(cli, ["--json", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("command", ["inventory", "nics", "detect"])
def test_no_resource_is_read_twice_in_one_command(sim: SimCluster, command: str) -> None:
    server = sim["tower"]
    server.clear_requests()
    run(command, server.url, server=server)
    repeated = [p for p, n in collections.Counter(gets(server)).items() if n > 1]
    assert repeated == []
    assert "/redfish/v1/Systems/1" in gets(server)


def test_a_fanout_reads_each_node_once_too(sim: SimCluster) -> None:
    for server in sim:
        server.clear_requests()
    *_, last = run("inventory", *(s.url for s in sim), server=sim["tower"])
    assert last["summary"]["ok"] == 2  # type: ignore[index]
    for server in sim:
        assert [p for p, n in collections.Counter(gets(server)).items() if n > 1] == []


def test_outside_an_operation_each_call_reads_afresh_inside_it_once(sim: SimCluster) -> None:
    server = sim["blade"]
    system = "/redfish/v1/Systems/1"
    with hamnhw.connect(server.url, server.username, server.password) as node:
        server.clear_requests()
        with node.operation(30):  # the first use: what connecting read serves
            node.power.state()
            node.nics.list()
        assert system not in gets(server)
        server.clear_requests()
        node.power.state()
        node.inventory.system()
        assert gets(server).count(system) == 2
        server.clear_requests()
        with node.operation(30):
            node.power.state()
            node.inventory.system()
            node.nics.list()
        assert gets(server).count(system) == 1


def test_the_nic_and_storage_walks_of_one_operation_read_the_chassis_once(
        sim: SimCluster) -> None:
    """Both walks need the system's chassis (adapters, drive list): the benchmark task's
    reads (docs/performance.md) fetch it, and every other document, once."""
    server = sim["tower"]
    with hamnhw.connect(server.url, server.username, server.password) as node:
        server.clear_requests()
        with node.operation(30):
            node.power.state()
            node.nics.list()
            node.raid.storage()
        counts = collections.Counter(gets(server))
    assert counts["/redfish/v1/Chassis/Chassis1"] == 1
    assert [p for p, n in counts.items() if n > 1] == []
    assert "/redfish/v1/Chassis" not in counts  # linked, and drives and NICs shown
