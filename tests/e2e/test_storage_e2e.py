"""Storage answers end to end (hamnhw.connect / the CLI -> generic driver -> real transport ->
the simulator over loopback HTTP): a BMC that shows no storage while the host is off reads as
unknown (None, JSON null), never as "no drives"; ``raid show`` reads the storage once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

import hamnhw
from hamnhw.cli.main import cli
from hamnhw.interfaces import PollPolicy, RaidView
from hamnhw.node import Node
from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

SYSTEM = "/redfish/v1/Systems/1"
FAST_POLL = PollPolicy(interval=0.05, timeout=5.0)
EMPTY_WHEN_OFF = ("off-storage", "off-chassis-drives", "off-simple-storage")


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    specs = [
        ServerSpec(name="off-storage", power="Off", storage_when_off="empty"),
        ServerSpec(name="off-chassis-drives", power="Off", storage_when_off="empty",
                   storage_view="chassis_drives"),
        ServerSpec(name="off-simple-storage", power="Off", storage_when_off="empty",
                   storage_view="simple_storage"),
        ServerSpec(name="on", power="On"),
    ]
    with SimCluster(specs) as sim:
        yield sim


def connect(server: SimServer) -> Node:
    return hamnhw.connect(server.url, username=server.username, password=server.password,
                          poll=FAST_POLL, timeout=10.0)


def cli_stdout(server: SimServer, *args: str) -> str:
    """``hamnhw ARGS NODE`` in-process against ``server``; its stdout (exit code 0 checked)."""
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    result = CliRunner().invoke(cli, [*args, server.url], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def cli_json(server: SimServer, *command: str) -> dict[str, Any]:
    lines = cli_stdout(server, "--json", *command).strip().splitlines()
    assert len(lines) == 1, lines
    payload: dict[str, Any] = json.loads(lines[0])
    return payload


@pytest.mark.parametrize("name", EMPTY_WHEN_OFF)
def test_no_storage_shown_reads_as_unknown(cluster: SimCluster, name: str) -> None:
    with connect(cluster[name]) as node:
        inventory = node.inventory.inventory()
        raid = node.raid.storage()
        separate = (node.raid.volumes(), node.raid.drives())
    assert (inventory.controllers, inventory.drives, inventory.volumes) == (None, None, None)
    assert raid == RaidView(None, None)
    assert separate == (None, None)


@pytest.mark.parametrize("name", EMPTY_WHEN_OFF)
def test_cli_json_null_when_no_storage_shown(cluster: SimCluster, name: str) -> None:
    server = cluster[name]
    inventory = cli_json(server, "inventory")
    raid = cli_json(server, "raid", "show")
    assert (inventory["controllers"], inventory["drives"], inventory["volumes"]) == (
        None, None, None)
    assert (raid["volumes"], raid["drives"]) == (None, None)


def test_cli_text_says_the_bmc_does_not_tell(cluster: SimCluster) -> None:
    text = cli_stdout(cluster["off-storage"], "raid", "show")
    sections = dict(part.split("\n", 1) for part in text.split("\n\n") if "\n" in part)
    assert sections["RAID volumes"] == sections["Drives"] == "(the BMC does not tell)"
    assert "unassigned: unknown (the BMC does not tell)" in text
    assert "(none reported)" not in text


def test_raid_show_reads_the_storage_once_and_agrees(cluster: SimCluster) -> None:
    server = cluster["on"]
    server.clear_requests()
    raid = cli_json(server, "raid", "show")
    storage_gets = [r.path for r in server.requests
                    if r.method == "GET" and r.path.startswith(f"{SYSTEM}/Storage")]
    assert storage_gets.count(f"{SYSTEM}/Storage") == 1
    assert len(storage_gets) == len(set(storage_gets))
    serials = [d.serial for d in server.spec.drives or ()]
    assert [d["serial"] for d in raid["drives"]] == serials
    [volume] = raid["volumes"]
    assert volume["raid_type"] == "RAID1"
    assert volume["drives"] == [d["id"] for d in raid["drives"]]
