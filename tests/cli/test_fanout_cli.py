"""Fan-out through the real CLI and the library against the simulator over loopback HTTP:
several NODEs, ranges, --nodes-file, JSON lines with a summary, exit-code aggregation, the
active-MN guard of power off."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import FLEET_PASSWORD, json_lines, json_out, run, sigint_after_first_line

import hamnhw
from hamnhw.errors import BmcUnreachable
from hamnhw.sim import SimCluster

PASSWORD = FLEET_PASSWORD


def test_range_prints_a_line_per_node_then_the_summary(fleet_config: Path,
                                                       fleet_cluster: SimCluster) -> None:
    result = run("--json", "power", "status", "node[001-003]")
    assert result.exit_code == 0, result.output
    *nodes, last = json_lines(result.stdout)
    assert {n["node"]: n["power_state"] for n in nodes} == {
        "node001": "on", "node002": "off", "node003": "on"}
    assert set(last) == {"summary"}
    summary = last["summary"]
    assert (summary["nodes"], summary["ok"], summary["failed"]) == (3, 3, 0)
    assert summary["by_exit_code"] == {} and summary["elapsed_s"] >= 0
    for name in ("node001", "node002", "node003"):  # each logged out
        assert any(r.method == "DELETE" for r in fleet_cluster[name].requests)


@pytest.mark.usefixtures("no_retry_sleep")
def test_one_unreachable_node_does_not_stop_the_others_and_sets_the_exit_code(
        fleet_config: Path) -> None:
    result = run("--json", "nics", "node001,node004", "node003")
    assert result.exit_code == 3, result.output
    *nodes, last = json_lines(result.stdout)
    by_node = {n["node"]: n for n in nodes}
    assert by_node["node004"]["error"]["type"] == "BmcUnreachable"
    assert by_node["node004"]["error"]["exit_code"] == 3
    assert by_node["node001"]["nics"] and by_node["node003"]["nics"]
    assert last["summary"]["by_exit_code"] == {"3": 1}
    assert last["summary"]["ok"] == 2
    assert PASSWORD not in result.output


def test_nodes_file_and_text_output(fleet_config: Path, tmp_path: Path) -> None:
    listing = tmp_path / "nodes.txt"
    listing.write_text("node002\n# comment\nnode003\n")
    result = run("inventory", "--nodes-file", str(listing), "--fanout", "1")
    assert result.exit_code == 0, result.output
    assert "node002: system" in result.stdout and "node003: system" in result.stdout
    assert "2 nodes: 2 ok" in result.stderr


def test_a_single_node_prints_the_single_object(fleet_config: Path) -> None:
    result = run("--json", "power", "status", "node002")
    assert result.exit_code == 0, result.output
    assert json_out(result) == {"node": "node002", "power_state": "off",
                                "protocol": "redfish"}


def test_an_unknown_range_member_is_a_usage_error_and_sends_nothing(
        fleet_config: Path, fleet_cluster: SimCluster) -> None:
    result = run("--json", "power", "status", "node[001-009]")
    assert result.exit_code == 2
    assert "node005" in result.output
    assert not fleet_cluster["node001"].requests


@pytest.mark.usefixtures("no_sleep")
def test_power_off_over_nodes_with_the_active_mn_needs_yes(fleet_config: Path,
                                                           fleet_cluster: SimCluster) -> None:
    refused = run("--json", "power", "off", "node001", "primary")
    assert refused.exit_code == 2
    assert "--yes" in refused.output
    assert not any(r.method == "POST" for s in fleet_cluster for r in s.requests)
    done = run("--json", "power", "off", "node001", "primary", "--yes")
    assert done.exit_code == 0, done.output
    assert fleet_cluster["primary"].power_state == "Off"
    assert fleet_cluster["node001"].power_state == "Off"


@pytest.mark.usefixtures("no_retry_sleep")
def test_library_fanout(fleet_cluster: SimCluster, closed_port: int) -> None:
    server = fleet_cluster["node001"]
    server.set_power("On")
    fleet_cluster["node002"].set_power("Off")
    urls = [s.url for s in fleet_cluster] + [f"redfish+http://127.0.0.1:{closed_port}"]
    results = {r.node: r for r in hamnhw.fanout(
        urls, lambda node: node.power.state().value, concurrency=2,
        username=server.username, password=PASSWORD)}
    assert set(results) == set(urls)
    assert results[fleet_cluster["node002"].url].value == "off"
    assert results[server.url].value == "on"
    assert isinstance(results[urls[-1]].error, BmcUnreachable)


def test_on_a_terminal_a_progress_bar_then_a_table_in_the_order_given(fleet_config: Path) -> None:
    from ptyrun import clean_env, hamnhw_argv, run_on_pty

    code, shown, out = run_on_pty(
        hamnhw_argv("power", "status", "--config", str(fleet_config), "node003", "node001",
                    "node002"), clean_env(), stdout_on_pty=False)
    assert code == 0, shown
    assert "nodes" in shown and "%" in shown  # the progress bar on the terminal
    table = out.splitlines()
    assert table[0].split() == ["NODE", "STATUS", "RESULT"]
    assert [row.split()[:3] for row in table[2:]] == [
        ["node003", "ok", "on"], ["node001", "ok", "on"], ["node002", "ok", "off"]]
    assert "3 nodes: 3 ok" in shown


def test_sigint_reports_what_finished_interrupts_the_rest_and_logs_out(
        fleet_config: Path, fleet_cluster: SimCluster) -> None:
    """node002 hangs on its first read after login; Ctrl-C once node001 printed: node001's
    line, node002's Interrupted error, the summary, exit 130, node002 logged out (its hung
    request was ended at once: the command never waits for the 30 s read timeout)."""
    fleet_cluster["node002"].inject("hang", method="GET", path="/redfish/v1/Systems")
    first, [*others, last], code = sigint_after_first_line(
        "power", "status", "--config", str(fleet_config), "node001", "node002")
    assert first == {"node": "node001", "power_state": "on", "protocol": "redfish"}
    [hung] = others
    assert hung["node"] == "node002" and hung["error"]["type"] == "Interrupted"
    assert hung["error"]["exit_code"] == 130
    assert last["summary"]["by_exit_code"] == {"130": 1} and last["summary"]["ok"] == 1
    assert code == 130
    assert any(r.method == "DELETE" for r in fleet_cluster["node002"].requests)


def test_a_config_group_with_defaults(fleet_cluster: SimCluster, tmp_path: Path) -> None:
    """[defaults] gives every node its credentials; a [groups] name fans out."""
    pw = tmp_path / "bmc.pw"
    pw.write_text(PASSWORD)
    os.chmod(pw, 0o600)
    nodes = "".join(f'[nodes.{s.name}]\nbmc = "{s.url}"\n' for s in fleet_cluster
                    if s.name != "primary")
    username = fleet_cluster["node001"].username
    (tmp_path / "hamnhw.toml").write_text(
        f'[defaults]\nusername = "{username}"\npassword_file = "bmc.pw"\n\n'
        f'{nodes}\n[groups]\nrack1 = ["node001", "node003"]\n')
    fleet_cluster["node001"].set_power("On")
    fleet_cluster["node003"].set_power("Off")
    result = run("--json", "power", "status", "rack1")
    assert result.exit_code == 0, result.output
    *found, last = json_lines(result.stdout)
    assert {n["node"]: n["power_state"] for n in found} == {"node001": "on", "node003": "off"}
    assert last["summary"]["nodes"] == 2


def test_a_nodes_line_is_shown_before_its_logout(fleet_config: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Over several nodes each node's line goes out as soon as its answer is known; its
    logout follows (a slow logout never holds a line back).  Each logout here waits until
    its node's line is out: before, the line waited for the logout (5 s guard, then the
    order shows it)."""
    import threading

    from hamnhw.cli import fleet_views, options

    events: list[tuple[str, str]] = []
    lines_out = {name: threading.Event() for name in ("node001", "node003")}
    shown = fleet_views.StreamView.add
    logged_out = options.log_out

    def add(self: fleet_views.StreamView, result: object, code: int) -> None:
        shown(self, result, code)  # type: ignore[arg-type]
        events.append(("line", result.node))  # type: ignore[attr-defined]
        lines_out[result.node].set()  # type: ignore[attr-defined]

    def log_out(node: hamnhw.Node) -> None:
        lines_out[node.name].wait(5)
        events.append(("logout", node.name))
        logged_out(node)

    monkeypatch.setattr(fleet_views.StreamView, "add", add)
    monkeypatch.setattr(options, "log_out", log_out)
    result = run("--json", "power", "status", "node001", "node003", "--fanout", "1")
    assert result.exit_code == 0, result.output
    assert events == [("line", "node001"), ("logout", "node001"),
                      ("line", "node003"), ("logout", "node003")]
    assert [n["node"] for n in json_lines(result.stdout)[:2]] == ["node001", "node003"]
