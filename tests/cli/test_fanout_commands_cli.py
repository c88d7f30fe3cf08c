"""``raid show``, ``boot`` and ``restore-policy`` over several nodes through the real CLI,
against simulated BMCs on loopback: ranges, groups, --nodes-file, JSON lines and the summary,
one failing BMC among good ones, the exit-code precedence, a single NODE still printing one
object, writes planned per node with --dry-run, and the active-MN guard (--yes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import hamnhw_process, json_lines, json_out, run

from hamnhw.sim import SimCluster

pytestmark = pytest.mark.usefixtures("fleet_config", "no_retry_sleep")


def patches(cluster: SimCluster) -> dict[str, list[object]]:
    """The PATCH bodies each server received."""
    return {s.name: [r.body for r in s.requests if r.method == "PATCH"] for s in cluster}


def by_node(output: str) -> tuple[dict[str, dict[str, object]], dict[str, object]]:
    """The node lines by node name, and the summary."""
    *nodes, last = json_lines(output)
    assert set(last) == {"summary"}, last
    return {str(n["node"]): n for n in nodes}, last["summary"]


def fail_a_member(cluster: SimCluster, name: str) -> None:
    """Fail one drive of the node's RAID1 volume (found with ``raid show``)."""
    shown = json_out(run("--json", "raid", "show", name))
    member = shown["volumes"][0]["drives"][0]
    cluster[name].fail_drive(next(d["serial"] for d in shown["drives"] if d["id"] == member))


def test_raid_show_over_a_range_then_check_with_a_degraded_and_an_unreachable_node(
        fleet_cluster: SimCluster) -> None:
    result = run("--json", "raid", "show", "node[001-003]")
    assert result.exit_code == 0, result.output
    nodes, summary = by_node(result.stdout)
    assert sorted(nodes) == ["node001", "node002", "node003"]
    assert all(n["volumes"][0]["raid_type"] == "RAID1" for n in nodes.values())  # type: ignore[index]
    assert (summary["nodes"], summary["ok"], summary["failed"]) == (3, 3, 0)

    fail_a_member(fleet_cluster, "node003")
    checked = run("--json", "raid", "show", "--check", "node001,node003,node004")
    assert checked.exit_code == 3, checked.output  # unreachable comes before unhealthy
    nodes, summary = by_node(checked.stdout)
    assert nodes["node001"]["check"]["ok"] is True  # type: ignore[index]
    assert nodes["node003"]["check"]["ok"] is False  # type: ignore[index]
    assert nodes["node003"]["volumes"][0]["raid_health"]["state"] == "degraded"  # type: ignore[index]
    assert nodes["node004"]["error"]["exit_code"] == 3  # type: ignore[index]
    assert summary["by_exit_code"] == {"3": 1, "5": 1} and summary["ok"] == 1

    unhealthy = run("--json", "raid", "show", "--check", "node003", "node001")
    assert unhealthy.exit_code == 5
    single = run("--json", "raid", "show", "--check", "node003")
    assert single.exit_code == 5
    assert json_out(single)["check"]["state"] == "degraded"
    healthy = run("--json", "raid", "show", "--check", "node001")
    assert healthy.exit_code == 0 and json_out(healthy)["node"] == "node001"


def test_check_raid_over_a_range_a_nodes_file_and_one_node(fleet_cluster: SimCluster,
                                                           tmp_path: Path) -> None:
    fail_a_member(fleet_cluster, "node002")
    result = run("--json", "check", "raid", "node[001-004]", "--fanout", "2")
    assert result.exit_code == 3, result.output  # unreachable comes before unhealthy
    *nodes, last = json_lines(result.stdout)
    assert [(n["node"], n["status"]) for n in nodes] == [
        ("node001", "OK"), ("node002", "WARNING"), ("node003", nodes[2]["status"]),
        ("node004", "CRITICAL")]
    assert last["summary"]["nodes"] == 4
    assert last["summary"]["by_exit_code"]["3"] == 1 and "5" in last["summary"]["by_exit_code"]
    listing = tmp_path / "nodes.txt"
    listing.write_text("node001\nnode002\n")
    nagios = run("check", "raid", "--nodes-file", str(listing), "--format", "nagios")
    assert nagios.exit_code == 1, nagios.output
    assert nagios.stdout.startswith("RAID WARNING - node002: ")
    single = run("--json", "check", "raid", "node001")
    assert single.exit_code == 0 and json_out(single)["status"] == "OK"


def test_raid_show_text_over_a_group() -> None:
    result = run("raid", "show", "rack1")
    assert result.exit_code == 0, result.output
    assert "node001: RAID controllers" in result.stdout
    assert "node003: RAID controllers" in result.stdout
    assert "node002" not in result.stdout
    assert "2 nodes: 2 ok" in result.stderr


def test_boot_read_over_a_group_and_a_single_node_stays_one_object(
        fleet_cluster: SimCluster) -> None:
    assert run("boot", "node001", "none").exit_code == 0
    assert run("boot", "node003", "hdd").exit_code == 0
    nodes, summary = by_node(run("--json", "boot", "rack1").stdout)
    assert {n: v["boot_override"] for n, v in nodes.items()} == {
        "node001": "None/Disabled", "node003": "Hdd/Once"}
    assert summary["ok"] == 2
    assert json_out(run("--json", "boot", "node003")) == {"node": "node003",
                                                          "boot_override": "Hdd/Once"}


def test_boot_set_over_a_nodes_file_dry_run_then_for_real(fleet_cluster: SimCluster,
                                                          tmp_path: Path) -> None:
    for name in ("node001", "node002"):
        assert run("boot", name, "none").exit_code == 0
    listing = tmp_path / "nodes.txt"
    listing.write_text("node001\nnode002\n")
    for server in fleet_cluster:
        server.clear_requests()
    dry = run("--json", "boot", "--nodes-file", str(listing), "pxe", "--dry-run")
    assert dry.exit_code == 0, dry.output
    plans, _ = by_node(dry.stdout)
    assert {n: (p["dry_run"], p["wanted"]) for n, p in plans.items()} == {
        "node001": (True, "Pxe/Once"), "node002": (True, "Pxe/Once")}
    assert not any(patches(fleet_cluster).values())
    done = run("--json", "boot", "--nodes-file", str(listing), "pxe")
    assert done.exit_code == 0, done.output
    outcomes, summary = by_node(done.stdout)
    assert {n: (o["boot_override"], o["changed"]) for n, o in outcomes.items()} == {
        "node001": ("Pxe/Once", True), "node002": ("Pxe/Once", True)}
    assert summary["ok"] == 2
    sent = patches(fleet_cluster)
    assert len(sent["node001"]) == 1 and len(sent["node002"]) == 1 and not sent["node003"]


def test_boot_away_from_disk_over_the_active_mn_needs_yes(fleet_cluster: SimCluster) -> None:
    refused = run("--json", "boot", "node001", "primary", "pxe")
    assert refused.exit_code == 2
    assert "--yes" in refused.output
    assert not any(patches(fleet_cluster).values())
    planned = run("--json", "boot", "node001", "primary", "pxe", "--dry-run")
    assert planned.exit_code == 2, planned.output  # the real run's code, nothing sent
    assert "--yes" in planned.output and not any(patches(fleet_cluster).values())
    own_disk = run("--json", "boot", "node001", "primary", "hdd")
    assert own_disk.exit_code == 0, own_disk.output
    done = run("--json", "boot", "node001", "primary", "bios-setup", "--yes")
    assert done.exit_code == 0, done.output
    outcomes, _ = by_node(done.stdout)
    assert outcomes["primary"]["boot_override"] == "BiosSetup/Once"


def test_restore_policy_over_a_range_with_an_unreachable_node(fleet_cluster: SimCluster) -> None:
    assert run("--json", "restore-policy", "node[001-003]", "last-state").exit_code == 0
    result = run("--json", "restore-policy", "node[001-004]")
    assert result.exit_code == 3, result.output
    nodes, summary = by_node(result.stdout)
    assert {n: v.get("restore_policy") for n, v in nodes.items()} == {
        "node001": "LastState", "node002": "LastState", "node003": "LastState",
        "node004": None}
    assert nodes["node004"]["error"]["type"] == "BmcUnreachable"  # type: ignore[index]
    assert summary["by_exit_code"] == {"3": 1} and summary["failed"] == 1
    for server in fleet_cluster:
        server.clear_requests()
    dry = run("restore-policy", "node001", "node002", "always-off", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "node001: would set AlwaysOff (now LastState) (dry run: nothing sent)" in dry.stdout
    assert not any(patches(fleet_cluster).values())


def test_restore_policy_other_than_the_active_mns_over_it_needs_yes(
        fleet_cluster: SimCluster) -> None:
    refused = run("--json", "restore-policy", "node002", "primary", "always-off")
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert not any(patches(fleet_cluster).values())
    # the active MN's own policy ([failover] active_restore_policy, AlwaysOn by default)
    assert run("--json", "restore-policy", "node002", "primary", "always-on").exit_code == 0
    done = run("--json", "restore-policy", "node002", "primary", "always-off", "--yes")
    assert done.exit_code == 0, done.output
    assert fleet_cluster["primary"].requests and patches(fleet_cluster)["primary"][-1] == {
        "PowerRestorePolicy": "AlwaysOff"}


def test_a_value_that_is_also_a_node_name_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "hamnhw.toml"
    config.write_text(config.read_text() + '\n[nodes.pxe]\nbmc = "redfish://127.0.0.1:9"\n')
    result = run("boot", "node001", "pxe")
    assert result.exit_code == 2
    assert "both a value and a node" in result.output


def test_exporter_textfile_over_a_group(tmp_path: Path) -> None:
    out_dir = tmp_path / "textfile"
    out_dir.mkdir()
    result = run("exporter", "--textfile", str(out_dir), "rack1")
    assert result.exit_code == 0, result.output
    text = (out_dir / "hamnhw.prom").read_text()
    assert 'hamnhw_bmc_up{node="node001"} 1.0' in text
    assert 'hamnhw_bmc_up{node="node003"} 1.0' in text
    assert "node002" not in text and "node004" not in text


def test_events_listen_over_a_range_subscribes_each_node(fleet_config: Path) -> None:
    import queue
    import signal
    import threading

    lines: queue.Queue[str] = queue.Queue()
    subscribed: set[str] = set()
    with hamnhw_process("events", "listen", "--config", str(fleet_config),
                        "node[001-002]") as proc:
        assert proc.stdout is not None
        threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout or ()],
                         daemon=True).start()
        while subscribed != {"node001", "node002"}:
            record = json.loads(lines.get(timeout=30))  # a guard, not a timing assertion
            if record["event"] == "subscribed":
                subscribed.add(record["node"])
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    refused = run("events", "listen", "node[001-009]")
    assert refused.exit_code == 2 and "node005" in refused.output


def test_raid_show_check_on_a_terminal_is_a_table_with_each_nodes_code(
        fleet_cluster: SimCluster, fleet_config: Path) -> None:
    from ptyrun import clean_env, hamnhw_argv, run_on_pty

    if json_out(run("--json", "raid", "show", "--check", "node003"))["check"]["ok"]:
        fail_a_member(fleet_cluster, "node003")
    code, shown, out = run_on_pty(
        hamnhw_argv("raid", "show", "--check", "--config", str(fleet_config), "node003",
                    "node001", "node004", "--timeout", "5"), clean_env(), stdout_on_pty=False)
    assert code == 3, shown
    table = out.splitlines()
    assert table[0].split() == ["NODE", "STATUS", "RESULT"]
    rows = {row.split()[0]: row for row in table[2:]}
    assert [row.split()[0] for row in table[2:]] == ["node003", "node001", "node004"]
    assert rows["node003"].split()[1:3] == ["exit", "5"] and "check: degraded" in rows["node003"]
    assert rows["node001"].split()[1] == "ok" and "RAID1 optimal" in rows["node001"]
    assert rows["node004"].split()[1:3] == ["exit", "3"]
    assert "3 nodes: 1 ok, 2 failed (exit 3: 1, exit 5: 1)" in shown
