"""Rendered files, read back and validated by the servers' own checkers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from checkers import check_file
from dhcpdata import (
    DATA_IP,
    IB_IP,
    MN_IP,
    PRIMARY_GUID,
    PRIMARY_MAC,
    STANDBY_GUID,
    STANDBY_MAC,
    network,
    nic_map,
    plan,
)

from hamnhw.dhcp.clientid import infiniband_client_id, networkd_client_id
from hamnhw.dhcp.plan import Plan, plan_reservations
from hamnhw.dhcp.render import RenderOptions, render
from hamnhw.errors import ConfigError

OPTIONS = RenderOptions(kea_socket="/tmp/hamnhw-test-kea.sock")


def rendered_file(tmp_path: Path, fmt: str, text: str | None = None) -> Path:
    path = tmp_path / f"render.{fmt}"
    path.write_text(text if text is not None else render(fmt, plan(), OPTIONS).text)
    return path


@pytest.mark.peers  # runs the Debian servers' checkers (tests/peers/install_dhcp_peers.sh)
@pytest.mark.parametrize("fmt", ["isc", "kea", "dnsmasq"])
def test_every_rendered_file_passes_its_servers_checker(tmp_path: Path, fmt: str) -> None:
    check_file(fmt, rendered_file(tmp_path, fmt))


@pytest.mark.peers
@pytest.mark.parametrize(("fmt", "broken"), [
    ("isc", "host x { hardware ethernet 02:00:00:00:00:01; fixed-address 10.0.0.1 }\n"),
    ("kea", '{"Dhcp4": {"subnet4": [{"id": 1, "subnet": "10.0.0.0/24", "reservations": ['
            '{"hw-address": "02:00:00:00:00:01", "ip-address": "10.0.0.9"},'
            '{"hw-address": "02:00:00:00:00:02", "ip-address": "10.0.0.9"}]}]}}\n'),
    ("dnsmasq", "dhcp-host=02:00:00:00:00:01,10.0.0.1,a\ndhcp-host=02:00:00:00:00:02,10.0.0.1,b\n"),
])
def test_the_checkers_catch_what_the_render_avoids(tmp_path: Path, fmt: str,
                                                    broken: str) -> None:
    # A missing ';', duplicate reserved IPs without ip-reservations-unique: false, two
    # dnsmasq lines for one IP: each checker refuses, so a passing check means something.
    with pytest.raises(AssertionError):
        check_file(fmt, rendered_file(tmp_path, fmt, broken))


def test_isc_host_blocks_for_both_macs_and_client_ids() -> None:
    text = render("isc", plan(), OPTIONS).text
    blocks = re.findall(r"host (\S+) \{\n  (.*?);\n  fixed-address (\S+);", text)
    by_match = {match: ip for _, match, ip in blocks}
    assert by_match[f"hardware ethernet {PRIMARY_MAC}"] == MN_IP
    assert by_match[f"hardware ethernet {STANDBY_MAC}"] == MN_IP
    networkd = networkd_client_id(network().machine_id or "", "eno2")
    assert by_match[f"option dhcp-client-identifier {networkd}"] == DATA_IP
    for guid in (PRIMARY_GUID, STANDBY_GUID):
        assert by_match[f"option dhcp-client-identifier {infiniband_client_id(guid)}"] == IB_IP
    assert len({name for name, _, _ in blocks}) == len(blocks)


def test_dnsmasq_one_line_per_address_with_both_macs() -> None:
    lines = [line for line in render("dnsmasq", plan(), OPTIONS).text.splitlines()
             if line.startswith("dhcp-host=")]
    assert len(lines) == 3
    assert lines[0] == f"dhcp-host={PRIMARY_MAC},{STANDBY_MAC},{MN_IP},mn"
    assert "id:" + networkd_client_id(network().machine_id or "", "eno2") in lines[1]
    assert lines[2] == f"dhcp-host=id:{infiniband_client_id(PRIMARY_GUID)},{IB_IP},mn-ib"
    text = render("dnsmasq", plan(), OPTIONS).text
    alternative = f"dhcp-host=id:{infiniband_client_id(STANDBY_GUID)},{IB_IP},mn-ib"
    assert f"# alternative (infiniband standby): {alternative}" in text
    assert "dnsmasq holds one client id per address" in text


def test_kea_reservations_hook_and_lease4_del_commands() -> None:
    result = render("kea", plan(), OPTIONS)
    body = json.loads("\n".join(line for line in result.text.splitlines()
                                if not line.startswith("#")))["Dhcp4"]
    assert body["ip-reservations-unique"] is False
    assert body["hooks-libraries"][0]["library"].endswith("/libdhcp_lease_cmds.so")
    assert body["control-socket"]["socket-name"] == OPTIONS.kea_socket
    first = body["subnet4"][0]
    assert first["subnet"] == "10.213.0.0/24"
    assert [r.get("hw-address") for r in first["reservations"]] == [PRIMARY_MAC, STANDBY_MAC]
    assert {r["ip-address"] for r in first["reservations"]} == {MN_IP}
    assert len(result.commands) == 3
    sent = json.loads(result.commands[0].split("'")[1])
    assert sent == {"command": "lease4-del", "arguments": {"ip-address": MN_IP}}
    assert f"UNIX:{OPTIONS.kea_socket}" in result.commands[0]
    assert result.commands[0] in result.text          # printed with the render


def test_xcat_one_node_every_mac_aliases_added_not_replaced() -> None:
    result = render("xcat", plan(), OPTIONS)
    assert list(result.commands[:3]) == [
        f"chdef -t node -o mn ip={MN_IP} 'mac={PRIMARY_MAC}!mn|{STANDBY_MAC}!mn-standby|"
        "02:4e:00:00:02:01!mn-data|02:4e:00:00:02:02!mn-data-standby'",
        "chdef -t node -o mn -m hostnames=mn-standby",   # the node's other host names stay
        "chdef -t node -o mn -p hostnames=mn-standby"]
    # the data NIC is a NIC of the node (xCAT's nics table), not a node of its own
    assert (f"chdef -t node -o mn nicips.eno2={DATA_IP} nichostnamesuffixes.eno2=-data "
            "nicaliases.eno2=mn-data-standby") in result.commands
    assert not any(" -o mn-data" in c for c in result.commands)
    assert list(result.commands[-2:]) == ["makehosts mn", "makedhcp mn"]
    assert any("cannot be expressed in xCAT" in n for n in result.notes)
    assert result.text.startswith("#!/bin/sh")


def test_xcat_host_names_with_one_short_name_stay_apart() -> None:
    entries = nic_map()[:2]
    two = plan_reservations(network(
        '[network]\n[network.nics.NIC1]\nip = "10.0.0.10/24"\nhostname = "mn.a"\n'
        '[network.nics.NIC2]\nip = "10.1.0.10/24"\nhostname = "mn.b"\n'), entries)
    commands = render("xcat", two, OPTIONS).commands
    assert commands[0].endswith(f"!mn|{STANDBY_MAC}!mn-standby|02:4e:00:00:02:01!mn-NIC2|"
                                "02:4e:00:00:02:02!mn-b-standby'")
    assert ("chdef -t node -o mn nicips.NIC2=10.1.0.10 nichostnamesuffixes.NIC2=-NIC2 "
            "'nicaliases.NIC2=mn.b mn-b-standby'") in commands


def test_missing_standby_nic_and_unknown_primary_nic() -> None:
    entries = nic_map()
    entries[0] = {**entries[0], "standby": None, "standby_mac": None}
    gaps = plan_reservations(network(), entries)
    [gap] = gaps.unreserved
    assert gap.startswith(f"NIC1 ({MN_IP}): not reserved for the standby: no standby NIC")
    assert "dhcp-host=" + PRIMARY_MAC + f",{MN_IP},mn" in render("dnsmasq", gaps, OPTIONS).text
    with pytest.raises(ConfigError, match="the primary has no NIC 'NIC1'"):
        plan_reservations(network(), entries[1:])


def gapped_plan() -> tuple[Plan, str]:
    """NIC1's standby MAC null (the BMC showed none): its address reserved for the primary
    only."""
    entries = nic_map()
    entries[0] = {**entries[0], "standby_mac": None}
    return plan_reservations(network(), entries), f"NIC1 ({MN_IP}): not reserved for the standby"


@pytest.mark.peers
@pytest.mark.parametrize("fmt", ["isc", "kea", "dnsmasq", "xcat"])
def test_an_unreserved_address_is_told_and_the_file_claims_nothing_more(
        tmp_path: Path, fmt: str) -> None:
    gapped, gap = gapped_plan()
    assert [g.split(": its NIC")[0] for g in gapped.unreserved] == [gap]
    assert plan().unreserved == ()
    text = render(fmt, gapped, OPTIONS).text
    assert "keeps its addresses" not in text
    assert "NOT reserved for both nodes" in text and gap in text
    assert "keeps its addresses" in render(fmt, plan(), OPTIONS).text
    if fmt != "xcat":
        check_file(fmt, rendered_file(tmp_path, fmt, text))


def test_an_infiniband_port_without_a_guid_is_unreserved_on_that_side() -> None:
    entries = nic_map()
    entries[2] = {**entries[2], "standby_port_guid": None}
    [gap] = plan_reservations(network(), entries).unreserved
    assert gap.startswith(f"ib0 ({IB_IP}): not reserved for the standby: its InfiniBand")
