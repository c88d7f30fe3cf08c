"""``hamnhw lint-os`` through the CLI (a subprocess, as an admin runs it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from roots import CLEAN, DIRTY, DIRTY_EXPECT, make_root

HAMNHW = str(Path(sys.executable).with_name("hamnhw"))


def lint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HAMNHW, *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_dirty_root_exits_5_with_file_line_why_fix(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", DIRTY)
    done = lint("lint-os", "--root", str(root))
    assert done.returncode == 5, done.stderr
    assert "/etc/sysconfig/network-scripts/ifcfg-eth0:2 [mac-match]" in done.stdout
    assert "  why: HWADDR matches a NIC by MAC address" in done.stdout
    assert "  fix: " in done.stdout
    assert f"{len(DIRTY_EXPECT)} finding(s) under {root}" in done.stdout


def test_json_both_ways_and_clean_root_exits_0(tmp_path: Path) -> None:
    clean = make_root(tmp_path / "clean", CLEAN)
    for args in (("--json", "lint-os", "--root", str(clean)),
                 ("lint-os", "--root", str(clean), "--json")):
        done = lint(*args)
        assert done.returncode == 0, done.stderr
        payload = json.loads(done.stdout)
        assert payload["count"] == 0 and payload["findings"] == []


def test_pair_report_turns_on_the_pci_name_check(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", DIRTY)
    report = tmp_path / "pair.json"
    report.write_text(json.dumps({"checks": [], "nic_map": [
        {"primary": "NIC1", "standby": None, "matched_by": None,
         "issues": ["missing on the standby"]}]}))
    done = lint("--json", "lint-os", "--root", str(root), "--pair-report", str(report))
    kinds = [f["kind"] for f in json.loads(done.stdout)["findings"]]
    assert kinds.count("pci-name") == 2 and done.returncode == 5


def test_bad_root_and_bad_report_are_usage_errors(tmp_path: Path) -> None:
    done = lint("--json", "lint-os", "--root", str(tmp_path / "nope"))
    assert done.returncode == 2 and "not a directory" in done.stdout
    bad = tmp_path / "r.json"
    bad.write_text("[1, 2]")
    done = lint("--json", "lint-os", "--root", str(tmp_path), "--pair-report", str(bad))
    assert done.returncode == 2 and "nic_map" in done.stdout
