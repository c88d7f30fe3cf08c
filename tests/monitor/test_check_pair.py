"""``hamnhw check pair`` against a simulated pair: the active node's source is stated, the
standby's power and policies, the spare, the snapshot age and NIC parity are judged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import run
from monitor_helpers import PASSWORD, assert_no_secret, specs, write_config

from hamnhw import pair
from hamnhw.config import load_config
from hamnhw.failover.journal import journal_path
from hamnhw.pair import NodeSnapshot, PairSnapshot
from hamnhw.sim import DriveSpec, ServerSpec, SimCluster

pytestmark = pytest.mark.e2e


def config_for(tmp_path: Path, cluster: SimCluster, pair_extra: str = "") -> Path:
    return write_config(tmp_path, cluster, f'[pair]\njournal_dir = "{tmp_path / "journal"}"\n'
                        f'{pair_extra}\n')


def check(config: Path) -> tuple[int, list[str]]:
    result = run("check", "pair", "--config", str(config), "--format", "nagios")
    assert_no_secret(result.stdout, result.stderr)
    return result.exit_code, result.stdout.splitlines()


def save_snapshot(config: Path, cluster: SimCluster, holder: str, age_s: float = 0.0,
                  members: tuple[str, ...] | None = None) -> None:
    """A snapshot in which ``holder`` has the RAID1 over ``members`` (default: its first two
    drives)."""
    drives = cluster[holder].drives
    node = NodeSnapshot(
        name=holder, system_serial=None, model=None, power_state="on",
        drives=tuple({"serial": d.serial, "bay": d.bay} for d in drives),
        volumes=({"id": "V", "name": "mn", "raid_type": "RAID1",
                  "members": list(members or (d.serial for d in drives[:2]))},),
        nics=None, restore_policy=None, boot_override=None, boot_mode=None)
    snapshot = PairSnapshot({holder: node}, time.time() - age_s)
    with pair.open_journal(load_config(config)) as journal:
        journal.save_snapshot(snapshot.to_json())


def ready_pair(spare_health: str = "OK") -> SimCluster:
    """A ready pair: the primary on (AlwaysOn) with its RAID1 and a third (spare) drive as
    large as the members, the standby off (AlwaysOff) with empty bays."""
    base = specs()
    drives = (*(base[0].drives or ()), DriveSpec(serial="SPARE-1", bay="Bay 3",
                                                 health=spare_health))
    primary = ServerSpec(name="primary", power="On", password=PASSWORD, post_time=0.0,
                         boot_time=0.0, drives=drives, power_restore_policy="AlwaysOn")
    standby = ServerSpec(name="standby", password=PASSWORD, drives=())
    return SimCluster([primary, standby])


@pytest.fixture
def spare_cluster() -> Iterator[SimCluster]:
    with ready_pair() as sim:
        yield sim


def test_ready_pair_is_ok_from_live_state(spare_cluster: SimCluster, tmp_path: Path) -> None:
    config = config_for(tmp_path, spare_cluster)
    save_snapshot(config, spare_cluster, "primary")
    code, lines = check(config)
    assert code == 0, lines
    assert lines[0].startswith("PAIR OK - active node primary (from live state")
    assert "snapshot_age=" in lines[0] and "degraded=0" in lines[0]
    assert any("spare drive SPARE-1" in line for line in lines)


def test_critical_unused_drive_is_no_spare(tmp_path: Path) -> None:
    """Review 9-14 item 9: a failed drive outside the volumes is no spare."""
    with ready_pair("Critical") as sim:
        config = config_for(tmp_path, sim)
        save_snapshot(config, sim, "primary")
        code, lines = check(config)
    assert code == 1, lines
    assert "no healthy spare drive" in lines[0] and "SPARE-1 Critical" in lines[0]


def test_config_fallback_and_warnings(cluster: SimCluster, tmp_path: Path) -> None:
    config = config_for(tmp_path, cluster, 'active = "primary"')
    code, lines = check(config)
    assert code == 1, lines
    assert "(from config [pair] active)" in lines[0]
    assert "no pair snapshot" in lines[0]
    assert "no spare drive of at least 1.2 TB (1200000000000 bytes)" in lines[0]
    assert "restore policy AlwaysOff, configured AlwaysOn" in lines[0]


def test_journal_wins_and_standby_on_is_critical(spare_cluster: SimCluster,
                                                  tmp_path: Path) -> None:
    config = config_for(tmp_path, spare_cluster, 'active = "standby"')
    save_snapshot(config, spare_cluster, "primary")
    with pair.open_journal(load_config(config)) as journal:
        journal.set_active_node("primary", "test")
    spare_cluster["standby"].set_power("On")
    code, lines = check(config)
    assert code == 2, lines
    assert "active node primary (from journal)" in lines[0]
    assert "CRITICAL: standby: on" in "\n".join(lines)


def test_old_snapshot_and_degraded_raid_warn(spare_cluster: SimCluster, tmp_path: Path) -> None:
    config = config_for(tmp_path, spare_cluster)
    save_snapshot(config, spare_cluster, "primary", age_s=30 * 24 * 3600)
    primary = spare_cluster["primary"]
    spare_cluster.bays.volumes[0].operation = ("Rebuilding", 60)
    code, lines = check(config)
    assert code == 1, lines
    assert "h old" in lines[0] and "rebuilding 60%" in lines[0]
    assert "rebuild=60%" in lines[0]
    assert primary.power_state == "On"


def test_unreachable_standby_bmc_is_critical(cluster: SimCluster, tmp_path: Path) -> None:
    config = config_for(tmp_path, cluster, 'active = "primary"')
    text = config.read_text().replace(cluster["standby"].url, "redfish+http://127.0.0.1:9")
    config.write_text(text)
    code, lines = check(config)
    assert code == 2 and lines[0].startswith("PAIR CRITICAL - "), lines


def test_missing_config_is_unknown(tmp_path: Path) -> None:
    result = run("check", "pair", "--config", str(tmp_path / "none.toml"), "--format", "nagios")
    assert result.exit_code == 3 and result.stdout.startswith("PAIR UNKNOWN - ")


def test_an_unreadable_journal_is_unknown_naming_it(spare_cluster: SimCluster,
                                                    tmp_path: Path) -> None:
    """Review: a journal that exists but cannot be read (here: garbage bytes) is no "no
    snapshot, nothing recorded": UNKNOWN, naming the file and why; the checks go on with
    ``[pair] active``."""
    config = config_for(tmp_path, spare_cluster, 'active = "primary"')
    save_snapshot(config, spare_cluster, "primary")
    loaded = load_config(config)
    path = journal_path(loaded.pair.journal_dir, loaded.pair.journal_name)
    path.write_bytes(b"garbage, not a journal " * 200)
    code, lines = check(config)
    assert code == 3, lines
    assert lines[0].startswith("PAIR UNKNOWN - active node primary (from config [pair] "
                               "active): "), lines
    assert f"journal {path} cannot be read: file is not a database" in lines[0], lines
    assert "no pair snapshot" not in "\n".join(lines)


def test_a_stale_snapshot_warns_and_fails_pair_check(spare_cluster: SimCluster,
                                                    tmp_path: Path) -> None:
    """Review: a disk replaced and rebuilt (here: the snapshot records a serial no bay holds,
    the RAID1 optimal) without a new ``pair snapshot``.  ``check pair`` warns naming the
    serial and what to run, not "no snapshot match"; ``pair check``'s ``snapshot`` check
    fails, the only one (exit 5): the failover would stop at its preflight."""
    config = config_for(tmp_path, spare_cluster)
    kept = spare_cluster["primary"].drives[0].serial
    save_snapshot(config, spare_cluster, "primary", members=(kept, "OLD-DISK-2"))
    code, lines = check(config)
    assert code == 1, lines
    assert ("pair snapshot stale: its RAID1 serial(s) OLD-DISK-2 no longer in any bay of "
            "either node") in lines[0], lines
    assert "run `hamnhw pair snapshot` (runbook, Disk replacement step 4)" in lines[0]
    assert ("active node unknown (no journal, pair snapshot stale: OLD-DISK-2 in no bay, "
            "no [pair] active)") in lines[0]
    assert "degraded=0" in lines[0]
    result = run("--json", "pair", "check", "--config", str(config))
    assert result.exit_code == 5, result.output
    checks = json.loads(result.stdout)["checks"]
    assert [(c["name"], c["evidence"].get("missing")) for c in checks
            if c["status"] == "fail"] == [("snapshot", ["OLD-DISK-2"])]
