"""``--timeout`` is one deadline for a whole command, not for each of its requests:
the real CLI against the simulator answering every request slowly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from hamnhw.cli.main import cli
from hamnhw.sim import ServerSpec, SimCluster, SimServer

LATENCY_S = 0.3
"""Each request the inventory makes takes this long; the deadline is a few of them."""
DEADLINE_S = 1.0
SLOW_PATH = "/redfish/v1/Systems/1"
"""Read by the inventory, not while connecting (so that connecting stays fast)."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name="slow", power="On")]) as sim:
        yield sim


@pytest.fixture
def server(cluster: SimCluster) -> Iterator[SimServer]:
    node = cluster["slow"]
    node.clear_faults()
    node.clear_requests()
    yield node
    node.clear_faults()


def inventory(server: SimServer, *options: str) -> tuple[int, dict[str, Any]]:
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    result = CliRunner().invoke(cli, ["--json", "inventory", *options, server.url], env=env,
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_inventory_timeout_bounds_the_whole_command(server: SimServer) -> None:
    code, _ = inventory(server)
    assert code == 0
    unhurried = len(server.requests)
    slow = sum(1 for r in server.requests if r.path.startswith(SLOW_PATH))
    assert slow * LATENCY_S > 2 * DEADLINE_S, "the inventory must need several deadlines"
    server.clear_requests()
    server.inject("latency", path=SLOW_PATH, seconds=LATENCY_S)

    code, payload = inventory(server, "--timeout", str(DEADLINE_S))

    # Each request alone is well within the deadline; only their sum exceeds it.
    assert code == 1, payload
    assert payload["error"]["type"] == "BmcTimeout"
    assert "operation deadline exceeded" in payload["error"]["message"]
    assert len(server.requests) < unhurried


def test_timeout_from_config_bounds_the_command(server: SimServer, tmp_path) -> None:
    config = tmp_path / "hamnhw.toml"
    config.write_text(f'[nodes.slow]\nbmc = "{server.url}"\ntimeout = {DEADLINE_S}\n')
    server.inject("latency", path=SLOW_PATH, seconds=LATENCY_S)
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    result = CliRunner().invoke(cli, ["--json", "inventory", "--config", str(config), "slow"],
                                env=env, catch_exceptions=False)
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.exit_code == 1, payload
    assert payload["error"]["type"] == "BmcTimeout"


def test_connect_is_one_operation(server: SimServer) -> None:
    server.inject("latency", path="/redfish/v1/", seconds=LATENCY_S)  # every request
    code, payload = inventory(server, "--timeout", str(DEADLINE_S))
    assert code == 1, payload
    assert payload["error"]["type"] == "BmcTimeout"
    # Connecting reads the system itself (detection follows its ManagedBy), never what
    # is below it: those are the command's reads.
    assert not any(r.path.startswith(SLOW_PATH + "/") for r in server.requests), \
        "failed connecting"


def test_connect_command_and_logout_share_one_deadline(server: SimServer) -> None:
    # Connecting takes 0.3 s and the command's first read 0.3 s: each alone fits in the
    # work's 0.5 s (1 s minus the logout's reserve, half of it), only together do they
    # exceed it; the logout still fits in the rest.
    server.inject("latency", count=1, method="POST", path="/redfish/v1/SessionService/Sessions",
                  seconds=0.3)
    server.inject("latency", count=1, path="/redfish/v1/Systems/1/EthernetInterfaces",
                  seconds=0.3)
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    result = CliRunner().invoke(cli, ["--json", "nics", "--timeout", str(DEADLINE_S), server.url],
                                env=env, catch_exceptions=False)
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.exit_code == 1, payload
    assert payload["error"]["type"] == "BmcTimeout"
    logouts = [r for r in server.requests
               if r.method == "DELETE" and "/SessionService/Sessions/" in r.path]
    assert len(logouts) == 1, "the session is still logged out (within the grace)"
