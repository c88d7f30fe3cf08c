"""lint-os through the CLI on the shapes the first version missed or got wrong: MAC-derived
interface names, ``.netdev`` and Debian ifupdown MAC sets, backup ifcfg files network-scripts
skips, an ESP not mounted under ``--root``, a pair report without NIC locations, an
incomplete pair report (review of issue 12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from roots import make_root
from test_lint_cli import lint

MAC = "02:4e:00:00:01:01"
MAC_NAMES = {
    "/etc/NetworkManager/system-connections/mn.nmconnection":
        "[connection]\nid=mn\ninterface-name=enx024e00000101\ntype=ethernet\n",
    "/etc/netplan/01-mn.yaml":
        "network:\n  version: 2\n  ethernets:\n    enx024e00000101:\n      dhcp4: true\n",
    "/etc/systemd/network/10-mn.network": "[Match]\nName=enx024e00000101\n\n[Network]\nDHCP=yes\n",
    "/etc/network/interfaces": "auto lo\niface lo inet loopback\n\n"
                               "iface enx024e00000101 inet dhcp\n",
}
MAC_SETS = {
    "/etc/systemd/network/20-bond0.netdev": f"[NetDev]\nName=bond0\nKind=bond\nMACAddress={MAC}\n",
    "/etc/network/interfaces.d/bond0": f"iface bond0 inet dhcp\n    hwaddress ether {MAC}\n",
    "/etc/systemd/network/30-mn.network": f"[Match]\nPermanentMACAddress={MAC}\n",
}
BACKUPS = {f"/etc/sysconfig/network-scripts/ifcfg-eth0{suffix}": f"DEVICE=eth0\nHWADDR={MAC}\n"
           for suffix in (".bak", ".rpmsave", ".orig", "~")}


def findings(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = lint("--json", "lint-os", "--root", str(root), *args)
    return done.returncode, json.loads(done.stdout)


def places(payload: dict[str, Any]) -> set[tuple[str, str, int | None]]:
    return {(f["kind"], f["file"], f["line"]) for f in payload["findings"]}


def test_mac_names_mac_sets_and_backup_files(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {**MAC_NAMES, **MAC_SETS, **BACKUPS,
                                         "/boot/efi/EFI/BOOT/BOOTX64.EFI": "binary"})
    code, payload = findings(root)
    assert code == 5
    assert places(payload) == {
        ("mac-match", "/etc/NetworkManager/system-connections/mn.nmconnection", 3),
        ("mac-match", "/etc/netplan/01-mn.yaml", 4),
        ("mac-match", "/etc/systemd/network/10-mn.network", 2),
        ("mac-match", "/etc/network/interfaces", 4),
        ("mac-set", "/etc/systemd/network/20-bond0.netdev", 4),
        ("mac-set", "/etc/network/interfaces.d/bond0", 2),
        ("mac-match", "/etc/systemd/network/30-mn.network", 2),
    }  # and nothing from ifcfg-eth0.bak & co., which network-scripts never reads
    assert not any("EFI" in note for note in payload["notes"])


def test_an_esp_not_mounted_under_the_root_is_a_note_not_silence(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {
        "/etc/fstab": "UUID=1234 / ext4 defaults 0 1\nUUID=AB-CD /boot/efi vfat umask=077 0 2\n"})
    code, payload = findings(root)
    assert code == 0 and payload["findings"] == []
    [note] = [n for n in payload["notes"] if "UEFI fallback" in n]
    assert "/boot/efi" in note and "not mounted" in note


def report(tmp_path: Path, nic_map: list[dict[str, Any]], **nodes: Any) -> str:
    path = tmp_path / "pair.json"
    path.write_text(json.dumps({"checks": [], "nic_map": nic_map, "nodes": nodes}))
    return str(path)


def test_a_nic_map_without_locations_says_the_names_are_not_known(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {"/etc/netplan/01-mn.yaml":
                                         "network:\n  ethernets:\n    eno1:\n      dhcp4: true\n"})
    by_id = [{"primary": "NIC1", "standby": "NIC1", "matched_by": "id", "issues": []}]
    code, payload = findings(root, "--pair-report", report(tmp_path, by_id))
    assert code == 0
    assert not any("names are the same" in n for n in payload["notes"])
    assert any("NIC1/NIC1" in n and "not known" in n for n in payload["notes"])


def test_a_pair_report_from_an_incomplete_nic_read_is_refused(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {"/etc/hostname": "mn\n"})
    partial = {"incomplete": {"nics": ["ethernet interface /x not readable"]}}
    code, payload = findings(root, "--pair-report", report(tmp_path, [], standby=partial))
    assert code == 2
    assert "incomplete NIC read" in payload["error"]["message"]
    assert "standby: ethernet interface /x not readable" in payload["error"]["message"]
