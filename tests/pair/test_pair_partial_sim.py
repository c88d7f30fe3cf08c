"""``hamnhw pair check`` and ``hamnhw dhcp render`` against simulated pairs: a partial read
never passes as fact nor renders, InfiniBand through the whole chain, placeholder serials,
links a BMC does not tell, bonded NICs (review of issues 10 and 12)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from checksim import json_of, mn, pair_config, run_cli, spare

from hamnhw.dhcp.clientid import infiniband_client_id
from hamnhw.sim import DriveSpec, HcaPortSpec, NicSpec, ServerSpec, SimCluster
from hamnhw.sim.spec import local_mac

ETHERNET = "/redfish/v1/Systems/1/EthernetInterfaces"
DRIVES = "/redfish/v1/Systems/1/Storage/RAIDController1/Drives"
OEM = "To Be Filled By O.E.M."
PRIMARY_GUID, STANDBY_GUID = "0002:C903:00AA:BB01", "0002:C903:00AA:BB02"
HCA_NIC = "HCA.Slot.3/1"


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    specs = [
        mn("p"),
        ServerSpec(name="s-bay", power="On", raid1=False, nics=spare("s-bay").nics,
                   drives=(DriveSpec("S-BAY-1", bay="Bay 1"),)),
        spare("s-ids", nic_ids=("1", "2")),
        mn("p-ib", hca_ports=(HcaPortSpec("1", PRIMARY_GUID),), serial=OEM),
        spare("s-ib", hca_ports=(HcaPortSpec("1", STANDBY_GUID),), serial=OEM),
        dataclasses.replace(spare("s-link", power="On"), nics=tuple(
            NicSpec(n.id, n.mac, link_up=None) for n in spare("s-link").nics or ())),
        mn("p-bond", nics=(NicSpec("NIC1", local_mac("p-bond", 1)),
                           NicSpec("NIC2", local_mac("p-bond", 2),
                                   bond_mac=local_mac("p-bond", 1)))),
    ]
    with SimCluster(specs) as started:
        yield started


@pytest.fixture(autouse=True)
def no_faults(cluster: SimCluster) -> Iterator[None]:
    yield
    for server in cluster:
        server.clear_faults()


NETWORK = """
[network.nics.NIC1]
ip = "10.0.0.10/24"
hostname = "mn"

[network.nics.NIC2]
ip = "10.1.0.10/24"
hostname = "mn-data"
"""


def config(cluster: SimCluster, tmp_path: Path, primary: str, standby: str,
           network: str = NETWORK) -> str:
    return str(pair_config(tmp_path / "hamnhw.toml", cluster[primary].url,
                           cluster[standby].url, network))


def pair_check(path: str) -> tuple[int, dict[str, Any], dict[str, dict[str, Any]]]:
    result = run_cli("--json", "pair", "check", "--config", path)
    out = json_of(result)
    return result.exit_code, out, {c["name"]: c for c in out["checks"]}


def test_a_drive_the_standby_could_not_read_is_no_free_bay(cluster: SimCluster,
                                                          tmp_path: Path) -> None:
    cluster["s-bay"].inject("error_5xx", path=f"{DRIVES}/Bay1", status=404)
    code, out, checks = pair_check(config(cluster, tmp_path, "p", "s-bay"))
    assert code == 5
    assert checks["free_bays"]["status"] == "unknown"
    assert checks["free_bays"]["evidence"]["incomplete"]["standby"][0].startswith(
        f"drive {DRIVES}/Bay1 not readable")
    assert checks["complete_read"]["status"] == "fail"
    assert "standby storage: drive" in checks["complete_read"]["message"]
    assert out["nodes"]["standby"]["incomplete"]["storage"]


def test_a_drive_read_in_the_bay_still_fails_free_bays(cluster: SimCluster,
                                                      tmp_path: Path) -> None:
    code, _, checks = pair_check(config(cluster, tmp_path, "p", "s-bay"))
    assert (code, checks["free_bays"]["status"], checks["complete_read"]["status"]) == (
        5, "fail", "pass")


def render(path: str, fmt: str = "dnsmasq", *extra: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("--json", "dhcp", "render", "--format", fmt, "--config", path, *extra)
    return result.exit_code, json_of(result)


def test_dhcp_render_refuses_a_partial_nic_read_naming_it(cluster: SimCluster,
                                                         tmp_path: Path) -> None:
    path = config(cluster, tmp_path, "p", "s-ids")
    cluster["s-ids"].inject("error_5xx", path=f"{ETHERNET}/1", status=503)
    code, out = render(path)
    assert code == 1, out
    message = out["error"]["message"]
    assert "nothing rendered" in message and "standby: NICs read only in part" in message
    assert f"{ETHERNET}/1" in message


def test_a_partial_nic_read_pairs_nothing_by_order(cluster: SimCluster, tmp_path: Path) -> None:
    path = config(cluster, tmp_path, "p", "s-ids")
    cluster["s-ids"].inject("error_5xx", path=f"{ETHERNET}/1", status=503)
    code, out, checks = pair_check(path)
    assert code == 5 and checks["complete_read"]["status"] == "fail"
    assert [(e["primary"], e["standby"]) for e in out["nic_map"]] == [
        ("NIC1", None), ("NIC2", None), (None, "2")]
    assert (checks["nic_count"]["status"], checks["nic_order"]["status"]) == (
        "unknown", "unknown")
    report = tmp_path / "pair.json"
    report.write_text(json.dumps(out))
    code, refused = render(path, "dnsmasq", "--pair-report", str(report))
    assert code == 2 and "incomplete NIC read" in refused["error"]["message"]


def test_a_whole_read_pairs_by_order_and_renders_both_macs(cluster: SimCluster,
                                                          tmp_path: Path) -> None:
    code, out = render(config(cluster, tmp_path, "p", "s-ids"))
    assert code == 0, out
    standby = {n.id: n.mac for n in cluster["s-ids"].spec.nics or ()}
    primary = {n.id: n.mac for n in cluster["p"].spec.nics or ()}
    assert f"dhcp-host={primary['NIC1']},{standby['1']},10.0.0.10" in out["text"]
    assert f"dhcp-host={primary['NIC2']},{standby['2']},10.1.0.10" in out["text"]


IB_NETWORK = f"""
[network.nics."{HCA_NIC}"]
ip = "10.2.0.10/24"
hostname = "mn-ib"
"""


def test_infiniband_ports_pair_by_location_and_render_client_ids(cluster: SimCluster,
                                                                tmp_path: Path) -> None:
    path = config(cluster, tmp_path, "p-ib", "s-ib", IB_NETWORK)
    _, out, checks = pair_check(path)
    [ib] = [e for e in out["nic_map"] if e["kind"] == "infiniband"]
    assert (ib["primary"], ib["standby"], ib["matched_by"]) == (HCA_NIC, HCA_NIC, "location")
    assert (ib["primary_port_guid"], ib["standby_port_guid"]) == (
        "00:02:c9:03:00:aa:bb:01", "00:02:c9:03:00:aa:bb:02")
    assert [e["kind"] for e in out["nic_map"]].count("ethernet") == 2
    assert checks["serial"]["status"] == "warn"
    assert checks["serial"]["message"].startswith(f"placeholder serial on both nodes ('{OEM}')")
    code, rendered = render(path, "isc")
    assert code == 0, rendered
    for guid in (PRIMARY_GUID, STANDBY_GUID):
        assert f"option dhcp-client-identifier {infiniband_client_id(guid)};" in \
            rendered["text"]


def test_a_link_one_bmc_does_not_tell_is_unknown_not_a_pass(cluster: SimCluster,
                                                           tmp_path: Path) -> None:
    _, out, checks = pair_check(config(cluster, tmp_path, "p", "s-link"))
    assert checks["nic_link"]["status"] == "unknown"
    assert "does not tell the link of NIC1/NIC1" in checks["nic_link"]["message"]
    assert not any(i.startswith("link") for e in out["nic_map"] for i in e["issues"])


def test_bonded_primary_keeps_its_nic_count(cluster: SimCluster, tmp_path: Path) -> None:
    _, out, checks = pair_check(config(cluster, tmp_path, "p-bond", "s-ids"))
    assert checks["nic_count"]["status"] == "pass", checks["nic_count"]
    assert [e["primary"] for e in out["nic_map"]] == ["NIC1", "NIC2"]


def test_write_cache_is_read_from_the_raid1_volume(cluster: SimCluster, tmp_path: Path) -> None:
    path = config(cluster, tmp_path, "p", "s-ids")
    _, _, checks = pair_check(path)
    assert checks["write_cache"]["status"] == "pass"
    [volume] = cluster.bays.volumes_on({d.serial for d in cluster["p"].spec.drives or ()})
    assert checks["write_cache"]["evidence"]["policies"] == {
        f"RAIDController1/{volume.id}": "WriteThrough"}
    volume.write_cache_policy = "ProtectedWriteBack"
    try:
        _, _, checks = pair_check(path)
    finally:
        volume.write_cache_policy = "WriteThrough"
    assert checks["write_cache"]["status"] == "warn"
    assert "write-back cache" in checks["write_cache"]["message"]
