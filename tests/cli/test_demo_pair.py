"""The demo brings each node to the power an HA pair wants: the primary on, the standby
off until a failover, also when the standby was found on."""

from __future__ import annotations

import pytest

import hamnhw
from hamnhw.connection import Secret
from hamnhw.demo import walk_node
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import ServerSpec, SimCluster

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("name", "found", "wanted"), [
    ("standby", "On", "off"), ("standby", "Off", "off"), ("primary", "Off", "on")])
def test_walk_node_brings_power_to_what_the_pair_wants(name: str, found: str,
                                                       wanted: str) -> None:
    said: list[str] = []
    with SimCluster([ServerSpec(name=name, power=found)]) as cluster:
        server = cluster[name]
        with hamnhw.connect(server.url, username=server.username,
                            password=Secret(server.password), name=name,
                            poll=PollPolicy(interval=0.05, timeout=10)) as node:
            report = walk_node(node, said.append)
        assert server.power_state == wanted.capitalize()
    assert report["power"]["wanted"] == wanted
    assert report["power"]["power_state"] == wanted
    assert report["power"]["changed"] is (found.lower() != wanted)
    assert any(line.startswith(f"power {wanted}: {wanted}") for line in said)
