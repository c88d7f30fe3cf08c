"""``hamnhw pair check`` end to end against simulated pairs over real HTTP on loopback:
NICs in a different order, a missing NIC, a slower NIC, other controller firmware, a BMC
hiding its storage, another boot mode, an unreachable BMC."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from checksim import (
    PASSWORD_ENV,
    closed_url,
    hung_url,
    json_of,
    mn,
    pair_config,
    run_cli,
    spare,
)
from click.testing import CliRunner

from hamnhw.cli.main import cli
from hamnhw.sim import SimCluster
from hamnhw.sim.spec import NULL_MAC_NIC_ID


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    specs = [mn("primary"),
             spare("swapped", nic_ids=("NIC2", "NIC1"), speeds={"NIC2": 10000},
                   controller_firmware="49.0.0"),
             spare("missing", nic_ids=("NIC1",)),
             spare("nicless", nic_ids=()),
             spare("renamed", nic_ids=("Port1", "Port2")),
             spare("hidden", storage_when_off="empty"),
             spare("legacy", boot_mode="Legacy", power_restore_policy="LastState")]
    with SimCluster(specs) as started:
        yield started


def pair_check(cluster: SimCluster, tmp_path: Path, standby: str,
               *options: str) -> tuple[int, dict[str, Any]]:
    config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url,
                         cluster[standby].url if "://" not in standby else standby)
    result = run_cli("--json", "pair", "check", "--config", str(config), *options)
    return result.exit_code, json_of(result)


def by_name(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in payload["checks"]}


def test_swapped_order_slower_nic_other_firmware_warn_and_exit_0(cluster: SimCluster,
                                                                   tmp_path: Path) -> None:
    code, out = pair_check(cluster, tmp_path, "swapped")
    checks = by_name(out)
    assert code == 0, checks
    assert checks["reachable"]["status"] == "pass"
    assert checks["nic_count"]["status"] == "pass"
    assert checks["nic_speed"]["status"] == "warn"
    assert checks["nic_speed"]["evidence"]["speeds_mbps"]["NIC2/NIC2"] == [25000, 10000]
    assert checks["nic_order"]["status"] == "warn"
    assert checks["storage_controller"]["status"] == "warn"
    assert checks["storage_controller"]["evidence"]["standby"][0]["firmware"] == "49.0.0"
    assert checks["raid1"]["status"] == "pass" and out["active"]["node"] == "primary"
    assert checks["free_bays"]["status"] == "pass"
    assert checks["restore_policy"]["status"] == "pass"
    nic_map = {e["primary"]: e for e in out["nic_map"]}
    assert nic_map["NIC1"]["standby"] == "NIC1" and nic_map["NIC1"]["matched_by"] == "id"
    assert nic_map["NIC1"]["standby_mac"] == cluster["swapped"].spec.nics[1].mac
    assert nic_map["NIC1"]["standby_position"] == 2


def test_nics_paired_by_listing_order_only_warn_that_the_map_is_a_guess(
        cluster: SimCluster, tmp_path: Path) -> None:
    """Other Redfish Ids (Port1/Port2 against NIC1/NIC2) and no locations: the NICs are paired
    by listing order, a guess; nic_order said "NICs in the same order on both nodes" (pass)."""
    code, out = pair_check(cluster, tmp_path, "renamed")
    order = by_name(out)["nic_order"]
    assert [(e["primary"], e["standby"], e["matched_by"]) for e in out["nic_map"]] == [
        ("NIC1", "Port1", "order"), ("NIC2", "Port2", "order")]
    assert order["status"] == "warn", order
    assert order["message"].startswith("NIC1/Port1, NIC2/Port2 paired by listing order only")
    assert "cable it to that row's primary NIC's network" in order["message"]
    assert order["evidence"]["by_order"] == ["NIC1/Port1", "NIC2/Port2"]
    assert code == 0                                  # a warning, not a failed check
    human = run_cli("pair", "check", "--config", str(tmp_path / "hamnhw.toml"))
    assert "WARN" in next(line for line in human.stdout.splitlines()
                          if line.startswith("nic_order")), human.stdout


def test_missing_nic_fails_with_exit_5(cluster: SimCluster, tmp_path: Path) -> None:
    code, out = pair_check(cluster, tmp_path, "missing")
    assert code == 5
    assert by_name(out)["nic_count"]["status"] == "fail"
    assert [e["standby"] for e in out["nic_map"]] == ["NIC1", None]


def test_bmc_hiding_storage_is_unknown_not_a_pass(cluster: SimCluster, tmp_path: Path) -> None:
    code, out = pair_check(cluster, tmp_path, "hidden")
    checks = by_name(out)
    assert checks["storage_controller"]["status"] == "unknown"
    assert checks["free_bays"]["status"] == "unknown"
    assert code == 0


def test_other_boot_mode_and_restore_policy_fail(cluster: SimCluster, tmp_path: Path) -> None:
    code, out = pair_check(cluster, tmp_path, "legacy")
    checks = by_name(out)
    assert code == 5
    assert checks["boot_mode"]["evidence"] == {"primary": "UEFI", "standby": "Legacy"}
    assert checks["boot_mode"]["status"] == "fail"
    assert checks["restore_policy"]["status"] == "fail"


def test_a_standby_showing_no_nics_fails_the_count_and_compares_nothing(
        cluster: SimCluster, tmp_path: Path) -> None:
    """A standby whose BMC lists no host NICs ([]): nic_count fails; the checks comparing
    pairs said "paired NICs at the same speed", "every paired NIC shows a MAC of its own"
    (pass) with no NIC paired at all."""
    code, out = pair_check(cluster, tmp_path, "nicless")
    checks = by_name(out)
    assert code == 5 and checks["nic_count"]["status"] == "fail"
    assert [e["standby"] for e in out["nic_map"]] == [None, None]
    for name in ("nic_speed", "nic_order", "nic_mac"):
        assert checks[name]["status"] == "unknown", checks[name]
        assert checks[name]["message"].startswith("no NIC paired")


def test_unreachable_bmc_is_a_failed_check_not_another_exit_code(cluster: SimCluster,
                                                                  tmp_path: Path) -> None:
    for url in closed_url():
        code, out = pair_check(cluster, tmp_path, url)
    checks = by_name(out)
    assert code == 5
    assert checks["reachable"]["status"] == "fail"
    assert "BmcUnreachable" in checks["reachable"]["evidence"]["standby"]
    assert checks["complete_read"]["status"] == "unknown"  # nothing of the standby was read
    assert checks["nic_count"]["status"] == "unknown"
    assert out["nic_map"] is None                     # unknown, not "no NICs to pair"


def test_human_output_and_active_option(cluster: SimCluster, tmp_path: Path) -> None:
    config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url,
                         cluster["swapped"].url)
    result = run_cli("pair", "check", "--config", str(config), "--active", "standby")
    assert result.exit_code == 5                      # the standby holds no RAID1
    assert "active node: standby, chosen on the command line" in result.stdout
    assert "raid1               FAIL" in result.stdout
    assert "NIC map" in result.stdout


def test_config_without_standby_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "hamnhw.toml"
    config.write_text('[primary]\nbmc = "redfish://127.0.0.1:1"\n')
    result = run_cli("--json", "pair", "check", "--config", str(config))
    assert result.exit_code == 2
    assert "standby" in json_of(result)["error"]["message"]


@pytest.mark.parametrize("options", [(), ("--active", "primary")], ids=["found", "given"])
def test_an_unreadable_journal_fails_naming_it(cluster: SimCluster, tmp_path: Path,
                                               options: tuple[str, ...]) -> None:
    """Review: the pair's journal on this host exists but cannot be read (here: garbage
    bytes): a failed ``journal`` check naming the file and why (exit 5), not a journal
    silently skipped for the live state; the pair itself is ready (exit 0 otherwise)."""
    journal = tmp_path / "journal"
    journal.mkdir()
    path = journal / "pair.journal.sqlite"
    path.write_bytes(b"garbage, not a journal " * 200)
    config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url,
                         cluster["swapped"].url, f'[pair]\njournal_dir = "{journal}"\n')
    result = run_cli("--json", "pair", "check", "--config", str(config), *options)
    checks = by_name(json_of(result))
    assert result.exit_code == 5, checks
    assert checks["journal"]["status"] == "fail"
    assert f"{path} cannot be read: file is not a database" in checks["journal"]["message"]
    assert [name for name, c in checks.items() if c["status"] == "fail"] == ["journal"]


def lines_of(result: Any) -> dict[str, str]:
    """Check name -> ``STATUS MESSAGE`` of the text table."""
    rows = [line.split(None, 1) for line in result.stdout.splitlines()]
    return {row[0]: row[1] for row in rows if len(row) == 2 and row[0].islower()}


def test_a_wrong_password_is_said_in_text_naming_account_and_source(cluster: SimCluster,
                                                                      tmp_path: Path) -> None:
    """Text mode says what each BMC answered (the 401 was in --json only), names the user
    and the password source (never the password), and calls no answering BMC unreachable."""
    config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url,
                         cluster["swapped"].url)
    result = CliRunner().invoke(cli, ["pair", "check", "--config", str(config)],
                                env={PASSWORD_ENV: "wrong-pw-4711"}, catch_exceptions=False)
    assert result.exit_code == 5
    rows = lines_of(result)
    for name in ("primary", "standby"):
        assert (f"{name}'s BMC refused the credentials: " in rows["reachable"]), rows
    assert ("credentials rejected (HTTP 401) for user 'admin' (password from "
            f"${PASSWORD_ENV})") in rows["reachable"]
    assert "wrong-pw-4711" not in result.output
    assert "not reachable" not in result.stdout
    assert rows["model"] == "UNKNOWN  cannot tell: primary, standby not read (credentials rejected)"
    assert rows["restore_policy"] == ("UNKNOWN  cannot tell: standby not read (credentials "
                                      "rejected)")
    assert "does not tell its power-restore policy" not in result.stdout
    assert ("active node: primary, default, nothing seen of a RAID1: primary, standby not read "
            "(credentials rejected)") in result.stdout


@pytest.mark.parametrize(("urls", "extra", "did", "why"), [
    (closed_url, "", "refused the connection at {address} (something there answers: its web "
                     "server down, or a firewall rejecting?)", "connection refused"),
    (hung_url, "read_timeout = 1\ntimeout = 5\n", "accepted the connection at {address}, then "
     "sent no reply within 1 s", "connected, then no reply within 1 s")],
    ids=["refused", "hung"])
def test_a_bmc_answering_at_the_tcp_level_is_said_so_not_no_answer(
        cluster: SimCluster, tmp_path: Path, urls: Callable[[], Iterator[str]], extra: str,
        did: str, why: str) -> None:
    """Review: a BMC address where nothing listens (the TCP connection refused: something
    at that address is alive, a BMC whose web server is down, or a firewall) was worded
    "does not answer" / "no answer", as pulled power cords are.  Outside review: so was one
    that accepted the TCP connection and then sent nothing (a hung web server): it says it
    connected, then got no reply, and within how long (the standby's read timeout)."""
    for url in urls():
        config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url, url, extra)
        result = run_cli("pair", "check", "--config", str(config))
        address = url.split("://", 1)[1]
    rows = lines_of(result)
    assert rows["reachable"].startswith(
        f"FAIL     standby's BMC {did.format(address=address)}: "), rows["reachable"]
    assert "does not answer" not in result.stdout and "no answer" not in result.stdout
    assert rows["model"] == f"UNKNOWN  cannot tell: standby not read ({why})", rows["model"]


def test_a_nic_without_a_mac_on_both_nodes_names_both(tmp_path: Path) -> None:
    """A NIC whose MAC neither BMC shows: the NIC map's issue named only the primary."""
    with SimCluster([mn("primary", null_mac_nic=True),
                     spare("standby", null_mac_nic=True)]) as both:
        code, out = pair_check(both, tmp_path, "standby")
    [entry] = [e for e in out["nic_map"] if e["primary"] == NULL_MAC_NIC_ID]
    assert code == 0
    assert "no usable MAC on the primary and the standby" in entry["issues"]
    assert by_name(out)["nic_mac"]["status"] == "warn"
