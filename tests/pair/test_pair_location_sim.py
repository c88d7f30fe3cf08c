"""NIC pairing by PCI location against simulated BMCs that show their adapter's slot, and the
report it writes feeding ``lint-os --pair-report``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from checksim import json_of, mn, pair_config, run_cli, spare

from hamnhw.sim import SimCluster

sys.path.insert(0, str(Path(__file__).parents[1] / "oslint"))
from roots import DIRTY, make_root

ADAPTERS = {"nic_view": "network_adapters"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    specs = [mn("primary", adapter_slot="Slot 1", **ADAPTERS),
             spare("same_slot", nic_ids=("NIC2", "NIC1"), adapter_slot="Slot 1", **ADAPTERS),
             spare("other_slot", adapter_slot="Slot 3", **ADAPTERS)]
    with SimCluster(specs) as started:
        yield started


def check(cluster: SimCluster, tmp_path: Path, standby: str) -> dict:  # type: ignore[type-arg]
    config = pair_config(tmp_path / "hamnhw.toml", cluster["primary"].url,
                         cluster[standby].url)
    return json_of(run_cli("--json", "pair", "check", "--config", str(config)))


def test_same_slot_pairs_by_location_and_port(cluster: SimCluster, tmp_path: Path) -> None:
    out = check(cluster, tmp_path, "same_slot")
    entries = {e["primary"]: e for e in out["nic_map"]}
    assert entries["NIC.Slot.1/NIC1"]["matched_by"] == "location"
    assert entries["NIC.Slot.1/NIC1"]["standby"] == "NIC.Slot.1/NIC1"
    assert entries["NIC.Slot.1/NIC1"]["primary_location"] == "Slot 1 port NIC1"


def test_other_slot_is_reported_and_lint_os_flags_slot_names(cluster: SimCluster,
                                                             tmp_path: Path) -> None:
    out = check(cluster, tmp_path, "other_slot")
    entry = out["nic_map"][0]
    assert entry["matched_by"] == "id"
    assert "location differs: Slot 1 port NIC1 vs Slot 3 port NIC1" in entry["issues"]
    order = next(c for c in out["checks"] if c["name"] == "nic_order")
    assert order["status"] == "warn"
    report = tmp_path / "pair.json"
    report.write_text(json.dumps(out))
    root = make_root(tmp_path / "root", DIRTY)
    lint = json_of(run_cli("--json", "lint-os", "--root", str(root), "--pair-report",
                           str(report)))
    pci = [f for f in lint["findings"] if f["kind"] == "pci-name"]
    assert {f["text"] for f in pci} == {"interface-name=enp3s0f0", "eno1:"}
    assert "Slot 1 port NIC1 vs Slot 3 port NIC1" in pci[0]["why"]
