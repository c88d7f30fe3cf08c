"""Every name a fan-out is given is resolved before anything is sent (xCAT refuses a whole
noderange for one bad name), nodes-file lines take the command line's forms, and unknown
names are reported with close matches and a count, never the whole config.  Through the
real CLI against simulated BMCs named as ``hamnhw sim --count 3 --config-out F`` names them
(node1, node2, node3), with the config it writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import json_lines, json_out, run, sigint_after_first_line

from hamnhw.cli.commands.sim import server_names
from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.sim.client_config import password_path, write_client_config

NAMES = tuple(server_names(3, None))


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name=n) for n in NAMES]) as sim:
        yield sim


@pytest.fixture
def config(cluster: SimCluster, tmp_path: Path) -> Path:
    """The config ``hamnhw sim --config-out`` writes, a group ``rackA`` = node2, and the
    pair's journal in this test's directory; every host on, no request recorded."""
    for server in cluster:
        server.set_power("On")
        server.clear_requests()
    path, _secret = write_client_config(cluster, tmp_path / "sim.toml")
    with path.open("a", encoding="utf-8") as out:
        out.write(f'\n[groups]\nrackA = ["node2"]\n\n[pair]\njournal_dir = "{tmp_path}/j"\n')
    return path


def nothing_sent(cluster: SimCluster) -> bool:
    return not any(server.requests for server in cluster)


def test_a_typo_among_plain_names_refuses_the_whole_command(config: Path,
                                                            cluster: SimCluster) -> None:
    """``power off node1 node3l node2x``: before, node1 was powered off, then the typos
    failed one by one."""
    result = run("--json", "power", "off", "node1", "node3l", "node2x", "--config",
                 str(config))
    assert result.exit_code == 2, result.output
    error = json_out(result)["error"]
    assert error["type"] == "ConfigError"
    assert "'node3l' (did you mean node3?)" in error["message"], error
    assert "'node2x' (did you mean node2?)" in error["message"], error
    assert "nothing was sent" in error["message"]
    assert nothing_sent(cluster)
    assert cluster["node1"].power_state == "On"


def test_an_unknown_name_in_a_nodes_file_refuses_the_whole_command(
        config: Path, cluster: SimCluster, tmp_path: Path) -> None:
    listing = tmp_path / "nodes.txt"
    listing.write_text("node1\nrackB\n")
    result = run("power", "status", "node2", "--nodes-file", str(listing), "--config",
                 str(config))
    assert result.exit_code == 2, result.output
    assert "'rackB' (did you mean rackA?)" in result.stderr
    assert result.stdout == ""
    assert nothing_sent(cluster)


def test_a_nodes_file_line_takes_the_command_lines_forms(config: Path, cluster: SimCluster,
                                                         tmp_path: Path) -> None:
    """A range, a comma list, a group and a URL followed by a comment, one per line."""
    listing = tmp_path / "nodes.txt"
    url = cluster["node3"].url
    listing.write_text(f"node[1-2]   # a range\nnode1,node2\nrackA\n{url}   # rack 3, node3\n"
                       "\t# only a comment\n")
    result = run("--json", "power", "status", "--nodes-file", str(listing), "--config",
                 str(config), "--password-file", str(password_path(config)),
                 "--username", cluster["node3"].username)
    assert result.exit_code == 0, result.output
    *nodes, last = json_lines(result.stdout)
    assert [n["node"] for n in nodes if "error" in n] == []
    assert sorted(n["node"] for n in nodes) == sorted(["node1", "node2", url])
    assert last["summary"]["ok"] == 3


def test_a_hash_inside_a_nodes_file_url_is_refused_by_its_line(config: Path,
                                                               cluster: SimCluster,
                                                               tmp_path: Path) -> None:
    listing = tmp_path / "nodes.txt"
    listing.write_text(f"node1\n{cluster['node2'].url}/#rack3\n")
    result = run("--json", "power", "status", "--nodes-file", str(listing), "--config",
                 str(config))
    assert result.exit_code == 2, result.output
    message = json_out(result)["error"]["message"]
    assert message.startswith("line 2: ") and "whitespace" in message, message
    assert nothing_sent(cluster)


def big_config(tmp_path: Path, count: int) -> Path:
    """``count`` nodes node1..nodeN, every BMC on a port nothing listens on (nothing is
    sent anyway)."""
    tables = "".join(f'[nodes.node{i}]\nbmc = "redfish://127.0.0.1:9"\n'
                     for i in range(1, count + 1))
    path = tmp_path / "big.toml"
    path.write_text(tables)
    return path


def test_an_unknown_name_among_thousands_shows_close_matches_and_a_count(
        tmp_path: Path) -> None:
    path = big_config(tmp_path, 2000)
    single = run("--json", "detect", "node2l", "--config", str(path))
    assert single.exit_code == 2, single.output
    message = json_out(single)["error"]["message"]
    assert message.startswith("no node named 'node2l' (did you mean node21"), message
    assert "2,000 nodes known" in message
    assert len(message) < 200 + len(str(path)), message
    several = run("--json", "detect", "node1", "nodeX", "--config", str(path))
    assert several.exit_code == 2, several.output
    message = json_out(several)["error"]["message"]
    assert "'nodeX'" in message and "2,000 nodes" in message and len(message) < 300, message


def test_a_small_config_lists_its_nodes_in_natural_order(tmp_path: Path) -> None:
    path = big_config(tmp_path, 10)
    result = run("--json", "detect", "login1", "--config", str(path))
    assert result.exit_code == 2
    assert json_out(result)["error"]["message"].startswith(
        "no node named 'login1' (known: node1, node2, node3, node4, node5, node6, node7, "
        "node8, node9, node10)")


def test_interrupted_nodes_name_their_bmc(config: Path, cluster: SimCluster) -> None:
    """One at a time: node1 answers, node2 hangs, node3 waits its turn; SIGINT once node1's
    line is out.  node2 (running) and node3 (never started) each name their host:port, as
    every other per-node error does."""
    cluster["node2"].inject("hang", method="GET", path="/redfish/v1/Systems")
    try:
        first, [*others, _summary], code = sigint_after_first_line(
            "power", "status", "--config", str(config), "--fanout", "1", *NAMES)
    finally:
        cluster["node2"].clear_faults()
    assert first["node"] == "node1" and first["power_state"] == "on" and code == 130
    by_node = {line["node"]: line["error"] for line in others}
    assert set(by_node) == {"node2", "node3"}
    for name, error in by_node.items():
        host = cluster[name].url.split("://", 1)[1].rstrip("/")
        assert error["type"] == "Interrupted"
        assert error["message"] == f"{host}: interrupted by SIGINT", error
