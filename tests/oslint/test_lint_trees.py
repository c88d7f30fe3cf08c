"""lint-os over synthetic root trees: every finding kind in a dirty tree, none in a clean one."""

from __future__ import annotations

from pathlib import Path

import pytest
from roots import CLEAN, DIRTY, DIRTY_EXPECT, make_root

from hamnhw.oslint.findings import KINDS
from hamnhw.oslint.lint import lint_root
from hamnhw.oslint.units import parse_unit


def found(root: Path, **kwargs):  # type: ignore[no-untyped-def]
    return {(f.kind, f.file, f.line) for f in lint_root(root, **kwargs).findings}


def test_dirty_tree_reports_each_finding_with_file_and_line(tmp_path: Path) -> None:
    report = lint_root(make_root(tmp_path, DIRTY))
    assert {(f.kind, f.file, f.line) for f in report.findings} == DIRTY_EXPECT
    for finding in report.findings:
        assert finding.why and finding.fix
    by_place = {(f.file, f.line): f for f in report.findings}
    assert by_place[("/etc/sysconfig/network-scripts/ifcfg-eth0", 2)].text == \
        'HWADDR="02:4e:00:00:01:01"'
    assert "PCI slots not checked" in report.notes[0]


def test_clean_tree_has_no_findings(tmp_path: Path) -> None:
    report = lint_root(make_root(tmp_path, CLEAN))
    assert report.findings == (), [f.to_json() for f in report.findings]


def test_every_kind_but_pci_names_and_unreadable_is_in_the_dirty_tree() -> None:
    assert {k for k, _, _ in DIRTY_EXPECT} == set(KINDS) - {"pci-name", "unreadable"}


def test_etc_dracut_conf_d_overrides_the_same_name_in_usr_lib(tmp_path: Path) -> None:
    make_root(tmp_path, {"/usr/lib/dracut/dracut.conf.d/50-x.conf": 'hostonly="no"\n',
                         "/etc/dracut.conf.d/50-x.conf": 'hostonly="yes"\n'})
    assert found(tmp_path) == {("dracut-hostonly", "/etc/dracut.conf.d/50-x.conf", 1)}


def test_unreadable_keyfile_and_netplan_are_reported(tmp_path: Path) -> None:
    make_root(tmp_path, {"/etc/NetworkManager/system-connections/bad.nmconnection":
                         "mac-address=02:00:00:00:00:01\n",
                         "/etc/netplan/bad.yaml": "network: [\n"})
    kinds = {(k, f) for k, f, _ in found(tmp_path)}
    assert kinds == {("unreadable", "/etc/NetworkManager/system-connections/bad.nmconnection"),
                     ("unreadable", "/etc/netplan/bad.yaml")}


def test_keyfile_values_with_percent_and_mixed_case_keys(tmp_path: Path) -> None:
    # interpolation=None: '%' is plain text; keys keep their case ("Mac-Address" is not ours).
    make_root(tmp_path, {"/etc/NetworkManager/system-connections/x.nmconnection":
                         "[connection]\nid=50%off\n[ethernet]\nMac-Address=02:00:00:00:00:01\n"
                         "cloned-mac-address=stable\n"})
    assert found(tmp_path) == set()


def test_systemd_reader_keeps_repeated_sections_keys_and_continuations() -> None:
    text = ("[Network]\nDNS=10.0.0.1\nDNS=10.0.0.2\n# comment\n[Address]\nAddress=10.0.0.5/24\n"
            "[Address]\nAddress=10.0.0.6/24\n[Match]\nName=eth0 \\\n  eth1\n")
    items = parse_unit(text)
    assert [(i.section, i.key, i.value, i.line) for i in items] == [
        ("Network", "DNS", "10.0.0.1", 2), ("Network", "DNS", "10.0.0.2", 3),
        ("Address", "Address", "10.0.0.5/24", 6), ("Address", "Address", "10.0.0.6/24", 8),
        ("Match", "Name", "eth0 eth1", 10)]


def different_layout() -> list[dict[str, object]]:
    return [{"primary": "NIC.Slot.1-1", "standby": "NIC.Slot.2-1", "matched_by": "order",
             "primary_location": "Slot 1", "standby_location": "Slot 2",
             "issues": ["location differs: Slot 1 vs Slot 2"]}]


def same_layout() -> list[dict[str, object]]:
    return [{"primary": "NIC1", "standby": "NIC1", "matched_by": "location",
             "primary_location": "Slot 1", "standby_location": "Slot 1", "issues": []}]


@pytest.mark.parametrize(("nic_map", "expected"), [
    (different_layout(), {("pci-name", "/etc/NetworkManager/system-connections/mn.nmconnection",
                           3), ("pci-name", "/etc/netplan/01-mn.yaml", 8)}),
    (same_layout(), set()),
])
def test_pci_slot_names_only_when_the_layouts_differ(tmp_path: Path, nic_map, expected) -> None:
    make_root(tmp_path, DIRTY)
    pci = {f for f in found(tmp_path, nic_map=nic_map) if f[0] == "pci-name"}
    assert pci == expected
    # eth0 / mn0 / ib0 profiles are not slot-bound names (eth0: a probe-order name)
