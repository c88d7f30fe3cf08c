"""lint-os on kernel probe-order interface names (``eth0``): the seed's warning that with
several NICs on one driver the standby may probe its ports in another order.  Through the
CLI, with and without a pair report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from roots import make_root
from test_lint_more import findings, places, report

SCRIPTS = "/etc/sysconfig/network-scripts"
ETH_PROFILES = {
    f"{SCRIPTS}/ifcfg-eth0": "DEVICE=eth0\nBOOTPROTO=none\nIPADDR=10.0.0.10\n",
    f"{SCRIPTS}/ifcfg-eth1.100": "VLAN=yes\nDEVICE=eth1.100\nIPADDR=10.1.0.10\n",
    "/etc/sysconfig/network/ifcfg-eth2": "BOOTPROTO=static\nIPADDR=10.2.0.10/24\n",  # SUSE
    "/etc/NetworkManager/system-connections/data.nmconnection":
        "[connection]\nid=data\ntype=ethernet\ninterface-name=eth1\n",
    "/etc/netplan/01-mn.yaml":
        "network:\n  ethernets:\n    eth0:\n      dhcp4: true\n"
        "    lan:\n      match:\n        name: eth3\n      set-name: lan0\n",
    "/etc/systemd/network/10-mn.network": "[Match]\nName=eth0\n\n[Network]\nDHCP=yes\n",
    "/etc/network/interfaces": "auto lo\niface lo inet loopback\niface eth0 inet dhcp\n",
    # not probe-order names: predictable, InfiniBand, a glob, a name of one's own
    f"{SCRIPTS}/ifcfg-eno1": "DEVICE=eno1\n",
    f"{SCRIPTS}/ifcfg-ib0": "DEVICE=ib0\nTYPE=InfiniBand\n",
    "/etc/systemd/network/20-all.network": "[Match]\nName=eth*\n\n[Network]\nDHCP=yes\n",
    "/etc/sysconfig/network/ifcfg-mn0": "BOOTPROTO=dhcp\n",
    "/boot/efi/EFI/BOOT/BOOTX64.EFI": "binary",
}
EXPECTED = {
    ("probe-order-name", f"{SCRIPTS}/ifcfg-eth0", 1),
    ("probe-order-name", f"{SCRIPTS}/ifcfg-eth1.100", 2),
    ("probe-order-name", "/etc/sysconfig/network/ifcfg-eth2", None),
    ("probe-order-name", "/etc/NetworkManager/system-connections/data.nmconnection", 4),
    ("probe-order-name", "/etc/netplan/01-mn.yaml", 3),
    ("probe-order-name", "/etc/netplan/01-mn.yaml", 7),
    ("probe-order-name", "/etc/systemd/network/10-mn.network", 2),
    ("probe-order-name", "/etc/network/interfaces", 3),
}


def nic(primary: str | None, standby: str | None, kind: str = "ethernet") -> dict[str, Any]:
    return {"primary": primary, "standby": standby, "matched_by": "id" if primary and standby
            else None, "kind": kind, "issues": []}


def test_every_eth_profile_is_a_finding_without_a_pair_report(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", ETH_PROFILES)
    code, payload = findings(root)
    assert code == 5
    assert places(payload) == EXPECTED
    eth0 = next(f for f in payload["findings"] if f["file"] == f"{SCRIPTS}/ifcfg-eth0")
    assert eth0["text"] == "DEVICE=eth0"
    assert "probe order" in eth0["why"] and "another network" in eth0["why"]
    assert "predictable name" in eth0["fix"] and ".link" in eth0["fix"]


def test_two_ethernet_nics_keep_the_findings_and_say_so(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", ETH_PROFILES)
    two = [nic("NIC1", "NIC1"), nic("NIC2", "NIC2"), nic("HCA1", "HCA1", "infiniband")]
    code, payload = findings(root, "--pair-report", report(tmp_path, two))
    assert code == 5
    assert {p for p in places(payload) if p[0] == "probe-order-name"} == EXPECTED
    assert all("2 Ethernet NIC(s) on the primary, 2 on the standby" in f["why"]
               for f in payload["findings"])


def test_one_ethernet_nic_on_each_node_is_a_note_not_a_finding(tmp_path: Path) -> None:
    # one Ethernet NIC each (the HCA takes ib0, never an eth name): nothing to probe out of
    # order, so the exit is 0 and a note names the names
    root = make_root(tmp_path / "root", {f"{SCRIPTS}/ifcfg-eth0": "DEVICE=eth0\n",
                                         "/boot/efi/EFI/BOOT/BOOTX64.EFI": "binary"})
    one = [nic("NIC1", "NIC1"), nic("HCA1", "HCA1", "infiniband")]
    code, payload = findings(root, "--pair-report", report(tmp_path, one))
    assert code == 0 and payload["findings"] == []
    [note] = [n for n in payload["notes"] if "probe-order" in n]
    assert f"eth0 ({SCRIPTS}/ifcfg-eth0)" in note and "one Ethernet NIC on each node" in note


def test_one_nic_on_the_primary_and_two_on_the_standby_is_still_a_finding(
        tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {f"{SCRIPTS}/ifcfg-eth0": "DEVICE=eth0\n"})
    uneven = [nic("NIC1", "NIC1"), nic(None, "NIC2")]
    code, payload = findings(root, "--pair-report", report(tmp_path, uneven))
    assert code == 5
    assert ("probe-order-name", f"{SCRIPTS}/ifcfg-eth0", 1) in places(payload)
