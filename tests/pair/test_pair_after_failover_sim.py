"""``pair check`` and ``check pair`` after a failover, against a simulated pair: the old node,
off, still lists the MN's disks from its last POST (the simulator's ``storage_when_off``
``stale``), which run in the other node now.  Neither command takes them for drives in its
bays, and both name the journal's active node."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from checksim import json_of, mn, pair_config, run_cli, spare

from hamnhw import pair
from hamnhw.config import load_config
from hamnhw.sim import DriveSpec, SimCluster


@pytest.fixture
def failed_over(tmp_path: Path) -> Iterator[tuple[SimCluster, Path]]:
    """The MN moved from primary to standby: the primary off (AlwaysOff), its RAID1 disks in
    the standby's bays, the standby on (AlwaysOn); the journal records the standby active."""
    specs = [mn("primary", post_time=0.0, boot_time=0.0),
             spare("standby", post_time=0.0, boot_time=0.0)]
    with SimCluster(specs) as cluster:
        primary, standby = cluster["primary"], cluster["standby"]
        serials = [d.serial for d in primary.drives]
        primary.set_power("Off")  # its BMC keeps this POST's drives
        primary.state.restore_policy = "AlwaysOff"
        for serial in serials:
            cluster.move_drive(serial, "primary", "standby")
        standby.state.restore_policy = "AlwaysOn"
        standby.set_power("On")
        config = pair_config(tmp_path / "hamnhw.toml", primary.url, standby.url,
                             f'[pair]\njournal_dir = "{tmp_path / "journal"}"\n')
        with pair.open_journal(load_config(config)) as journal:
            journal.set_active_node("standby", "test: a failover finished")
        yield cluster, config


def test_pair_check_passes_free_bays_naming_the_stale_drives(
        failed_over: tuple[SimCluster, Path]) -> None:
    cluster, config = failed_over
    result = run_cli("--json", "pair", "check", "--config", str(config))
    out = json_of(result)
    checks = {c["name"]: c for c in out["checks"]}
    assert out["active"] == {"node": "standby", "reason": "from journal"}
    free = checks["free_bays"]
    assert free["status"] == "pass", free
    serials = sorted(d.serial for d in cluster["standby"].drives)
    assert [s.split()[0] for s in free["evidence"]["stale"]["primary"]] == serials
    assert "last POST" in free["message"]
    assert result.exit_code == 0, [c for c in out["checks"] if c["status"] == "fail"]


def test_check_pair_lists_the_same_free_bays_verdict(
        failed_over: tuple[SimCluster, Path]) -> None:
    _cluster, config = failed_over
    result = run_cli("check", "pair", "--config", str(config), "--format", "nagios")
    [free] = [line for line in result.stdout.splitlines() if "free_bays" in line]
    assert "info: free_bays pass: " in free, free
    assert "last POST" in free
    assert "active node standby (from journal)" in result.stdout.splitlines()[0]


def test_a_foreign_drive_in_a_needed_bay_of_the_old_node_still_fails(
        failed_over: tuple[SimCluster, Path]) -> None:
    """A disk of its own in a bay the RAID1 needs, seen at the old node's last POST, is no
    stale entry: its serial is nowhere else."""
    cluster, config = failed_over
    bay = cluster["standby"].drives[0].bay
    cluster.insert_drive(DriveSpec(serial="FOREIGN-1"), "primary", bay)
    cluster["primary"].set_power("On")  # a POST sees it
    cluster["primary"].set_power("Off")
    result = run_cli("--json", "pair", "check", "--config", str(config))
    free = {c["name"]: c for c in json_of(result)["checks"]}["free_bays"]
    assert free["status"] == "fail" and bay in free["message"], free
    assert result.exit_code == 5
