"""``hamnhw dhcp render`` through the CLI: from a saved pair report, and live from a
simulated pair whose NICs are listed in a different order."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from checkers import check_file
from dhcpdata import MN_IP, NETWORK_TOML, nic_map

sys.path.insert(0, str(Path(__file__).parents[1] / "pair"))
from checksim import json_of, mn, pair_config, run_cli, spare

from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.sim.spec import default_nics


def report_file(tmp_path: Path, entries: list[dict[str, Any]] | None = None) -> Path:
    path = tmp_path / "pair.json"
    path.write_text(json.dumps({"checks": [], "nic_map": nic_map() if entries is None
                                else entries}))
    return path


def config_file(tmp_path: Path, text: str = NETWORK_TOML) -> Path:
    path = tmp_path / "hamnhw.toml"
    path.write_text(text)
    return path


@pytest.mark.peers  # the servers' own checkers
@pytest.mark.parametrize("fmt", ["isc", "kea", "dnsmasq"])
def test_render_from_a_pair_report_to_a_file_that_passes_the_checker(tmp_path: Path,
                                                                       fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run_cli("dhcp", "render", "--format", fmt, "--config",
                     str(config_file(tmp_path)), "--pair-report", str(report_file(tmp_path)),
                     "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out} ({fmt})")
    check_file(fmt, out)


def test_json_output_carries_text_commands_and_notes(tmp_path: Path) -> None:
    result = run_cli("--json", "dhcp", "render", "--format", "kea", "--config",
                     str(config_file(tmp_path)), "--pair-report", str(report_file(tmp_path)),
                     "--kea-socket", "/run/test.sock")
    payload = json_of(result)
    assert payload["format"] == "kea" and '"Dhcp4"' in payload["text"]
    assert payload["commands"][0].endswith("socat UNIX:/run/test.sock -")
    assert any("lease4-del" in c for c in payload["commands"])


def test_bad_inputs_are_usage_errors(tmp_path: Path) -> None:
    no_network = config_file(tmp_path, "")
    result = run_cli("--json", "dhcp", "render", "--format", "isc", "--config",
                     str(no_network), "--pair-report", str(report_file(tmp_path)))
    assert result.exit_code == 2 and "network.nics" in json_of(result)["error"]["message"]
    garbage = tmp_path / "garbage.json"
    garbage.write_text("<html>")
    result = run_cli("--json", "dhcp", "render", "--format", "isc", "--config",
                     str(config_file(tmp_path)), "--pair-report", str(garbage))
    assert result.exit_code == 2 and "pair report" in json_of(result)["error"]["message"]


def test_without_pair_nodes_or_a_pair_report_the_error_names_pair_report(
        tmp_path: Path) -> None:
    """A config with [network] only: the error said "no node named 'primary' (known: none)",
    not that --pair-report renders without [primary]/[standby]."""
    network_only = config_file(tmp_path)
    result = run_cli("--json", "dhcp", "render", "--format", "isc", "--config",
                     str(network_only))
    message = json_of(result)["error"]["message"]
    assert result.exit_code == 2
    assert message.startswith("no node named 'primary' (known: none): without --pair-report")
    assert "give --pair-report FILE (saved by `hamnhw --json pair check > FILE`)" in message
    assert f"(file {network_only})" in message
    with_primary = config_file(tmp_path, '[primary]\nbmc = "redfish://10.0.0.5"\n\n'
                               + NETWORK_TOML)
    result = run_cli("--json", "dhcp", "render", "--format", "isc", "--config",
                     str(with_primary))
    message = json_of(result)["error"]["message"]
    assert result.exit_code == 2 and message.startswith("no node named 'standby' (known: "
                                                        "primary): without --pair-report")


@pytest.mark.parametrize(("ip", "what"), [("10.213.0.0/24", "the network address"),
                                          ("10.213.0.255/24", "the broadcast address"),
                                          ("127.0.0.5/8", "a loopback address")])
def test_an_address_no_host_can_have_is_refused(tmp_path: Path, ip: str, what: str) -> None:
    """dhcp render wrote reservations of a subnet's network or broadcast address (dhcpd -t and
    kea-dhcp4 -t accept the files; no client can use the address)."""
    config = config_file(tmp_path, f'[network.nics.NIC1]\nip = "{ip}"\nhostname = "mn"\n')
    result = run_cli("--json", "dhcp", "render", "--format", "kea", "--config", str(config),
                     "--pair-report", str(report_file(tmp_path)))
    assert result.exit_code == 2, result.output
    message = json_of(result)["error"]["message"]
    assert what in message and "network.nics.NIC1.ip" in message


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    with SimCluster([mn("primary"), spare("standby", nic_ids=("NIC2", "NIC1")),
                     spare("blind", nic_view="none"),
                     ServerSpec(name="clone", drives=(), raid1=False,
                                nics=default_nics("primary"))]) as started:
        yield started


def test_live_render_maps_each_primary_nic_to_its_standby_counterpart(
        cluster: SimCluster, tmp_path: Path) -> None:
    network = '\n[network.nics.NIC1]\nip = "10.213.0.10/24"\nhostname = "mn"\n'
    config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url,
                         cluster["standby"].url, network)
    result = run_cli("dhcp", "render", "--format", "dnsmasq", "--config", str(config))
    assert result.exit_code == 0, result.output
    primary_mac = cluster["primary"].spec.nics[0].mac           # NIC1
    standby_nic1 = next(n for n in cluster["standby"].spec.nics if n.id == "NIC1")
    assert cluster["standby"].spec.nics[0].id == "NIC2"         # listed first
    assert f"dhcp-host={primary_mac},{standby_nic1.mac},10.213.0.10,mn" in result.stdout


def test_live_render_refuses_when_a_bmc_is_down(cluster: SimCluster, tmp_path: Path) -> None:
    network = '\n[network.nics.NIC1]\nip = "10.213.0.10"\nhostname = "mn"\n'
    config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url,
                         "redfish+http://127.0.0.1:9", network)
    result = run_cli("--json", "dhcp", "render", "--format", "isc", "--config", str(config))
    assert result.exit_code == 1
    assert "cannot build the NIC map, nothing rendered: standby" in json_of(result)["error"][
        "message"]


@pytest.mark.parametrize("standby", ["down", "blind"])
def test_a_pair_report_without_a_nic_map_is_refused_not_taken_for_no_nics(
        cluster: SimCluster, tmp_path: Path, standby: str) -> None:
    """A standby whose BMC does not answer, or shows no host NICs (null: it did not tell):
    `pair check` writes `nic_map: null`, and neither `dhcp render` nor `lint-os` takes that
    report for a map of no NICs (it used to be [], rendered as "the primary has no NIC" and
    linted as "the same NIC layout on both nodes")."""
    network = '\n[network.nics.NIC1]\nip = "10.213.0.10/24"\nhostname = "mn"\n'
    url = cluster["blind"].url if standby == "blind" else "redfish+http://127.0.0.1:9"
    config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url, url, network)
    checked = run_cli("--json", "pair", "check", "--config", str(config))
    assert json_of(checked)["nic_map"] is None
    report = tmp_path / "pair-report.json"
    report.write_text(checked.stdout)
    why = "standby's BMC was not read" if standby == "down" else "did not show its host NICs"
    rendered = run_cli("--json", "dhcp", "render", "--format", "kea", "--config", str(config),
                       "--pair-report", str(report))
    assert rendered.exit_code == 2, rendered.output
    assert "has no NIC map" in json_of(rendered)["error"]["message"]
    assert why in json_of(rendered)["error"]["message"]
    (tmp_path / "root" / "etc").mkdir(parents=True)
    linted = run_cli("--json", "lint-os", "--root", str(tmp_path / "root"), "--pair-report",
                     str(report))
    assert linted.exit_code == 2, linted.output
    assert why in json_of(linted)["error"]["message"]


@pytest.mark.peers  # the servers' own checkers
@pytest.mark.parametrize("fmt", ["isc", "kea", "dnsmasq"])
def test_a_mac_both_nodes_show_is_reserved_once_and_the_checker_accepts_it(
        cluster: SimCluster, tmp_path: Path, fmt: str) -> None:
    """A standby showing the primary's MACs (cloned; pair check warns nic_mac): Kea refused
    the two identical hw-address reservations of one subnet ("this host has already been
    added"); now each MAC is reserved once, with a note, and every checker accepts it."""
    network = '\n[network.nics.NIC1]\nip = "10.213.0.10/24"\nhostname = "mn"\n'
    config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url,
                         cluster["clone"].url, network)
    out = tmp_path / f"out.{fmt}"
    result = run_cli("--json", "dhcp", "render", "--format", fmt, "--config", str(config),
                     "-o", str(out))
    assert result.exit_code == 0, result.output
    mac = cluster["primary"].spec.nics[0].mac
    body = [line for line in out.read_text().splitlines() if not line.startswith("#")]
    assert sum(line.lower().count(mac) for line in body) == 1, body
    assert any(f"both nodes show MAC {mac}" in n for n in json_of(result)["notes"])
    check_file(fmt, out)


def test_xcat_render_keeps_the_mn_one_node(tmp_path: Path) -> None:
    result = run_cli("--json", "dhcp", "render", "--format", "xcat", "--config",
                     str(config_file(tmp_path)), "--pair-report", str(report_file(tmp_path)))
    commands = json_of(result)["commands"]
    assert result.exit_code == 0
    assert "chdef -t node -o mn -p hostnames=mn-standby" in commands
    assert any(c.startswith("chdef -t node -o mn nicips.eno2=") for c in commands)
    assert {c.split()[-1] for c in commands if c.startswith("make")} == {"mn"}


@pytest.mark.peers
@pytest.mark.parametrize("fmt", ["isc", "kea", "dnsmasq"])
def test_an_unreserved_address_is_a_warning_and_exit_5(tmp_path: Path, fmt: str) -> None:
    """A NIC whose standby counterpart shows no MAC: the file is written (and passes its
    checker), stderr names the address and why, the exit code tells automation."""
    entries = nic_map()
    entries[0] = {**entries[0], "standby_mac": None}
    out = tmp_path / f"out.{fmt}"
    args = ("dhcp", "render", "--format", fmt, "--config", str(config_file(tmp_path)),
            "--pair-report", str(report_file(tmp_path, entries)))
    result = run_cli(*args, "--output", str(out))
    assert result.exit_code == 5, result.output
    assert (f"hamnhw: warning: NIC1 ({MN_IP}): not reserved for the standby: its NIC NIC1 shows "
            "no usable MAC") in result.stderr
    assert "keeps its addresses" not in out.read_text()
    check_file(fmt, out)
    result = run_cli("--json", *args)
    assert result.exit_code == 5
    [gap] = json_of(result)["unreserved"]
    assert gap.startswith(f"NIC1 ({MN_IP}): not reserved for the standby")
