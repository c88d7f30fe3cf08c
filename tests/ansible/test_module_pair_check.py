"""The ``pair_check`` module's ``snapshot`` check, its ``main()`` run in this process (as
Ansible would run it) against a simulated pair on loopback: a pair snapshot whose RAID1
serial is in no bay of either node (a disk replaced, no new ``pair snapshot``) fails the
task as ``hamnhw pair check`` exits 5, with the same check; a fresh snapshot passes it;
without a snapshot there is no such check.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ansiblerun import REPO, run_module

pytest.importorskip("ansible", reason="ansible-core is a test dependency (make venv)")

from click.testing import CliRunner

from hamnhw import pair
from hamnhw.cli.main import cli
from hamnhw.config import load_config
from hamnhw.pair.snapshot import take_snapshot
from hamnhw.sim import DriveSpec, ServerSpec, SimCluster

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from ansible_collections.hamnhw.bmc.plugins.modules import pair_check

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

PASSWORD = "pair-check-pw-3f"
PW_ENV = "T_PAIR_CHECK_PW"
GONE = "OLD-DISK-2"
"""A RAID1 member the stale snapshot records and no bay holds."""


@pytest.fixture(scope="module")
def sim() -> Iterator[SimCluster]:
    """``primary`` on with its RAID1 over two drives, ``standby`` off with empty bays."""
    drives = tuple(DriveSpec(serial=f"PRIMARY-SN{i}", bay=f"Bay {i}") for i in (1, 2))
    specs = [ServerSpec(name="primary", power="On", password=PASSWORD, drives=drives,
                        post_time=0.0),
             ServerSpec(name="standby", password=PASSWORD, drives=(), raid1=False)]
    with SimCluster(specs) as cluster:
        yield cluster


@pytest.fixture
def config(sim: SimCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The pair's config, its journal in ``tmp_path`` (no snapshot yet)."""
    text = [f'[pair]\nname = "mn"\njournal_dir = "{tmp_path / "journal"}"\n']
    text += [f'[{n}]\nbmc = "{sim[n].url}"\nusername = "admin"\npassword_env = "{PW_ENV}"\n'
             for n in ("primary", "standby")]
    path = tmp_path / "hamnhw.toml"
    path.write_text("\n".join(text))
    monkeypatch.setenv(PW_ENV, PASSWORD)
    return str(path)


def save_stale_snapshot(config: str) -> None:
    """A snapshot in which the primary's RAID1 is PRIMARY-SN1 and :data:`GONE`."""
    node = pair.NodeSnapshot(
        name="primary", system_serial=None, model=None, power_state="on",
        drives=({"serial": "PRIMARY-SN1", "bay": "Bay 1"}, {"serial": GONE, "bay": "Bay 2"}),
        volumes=({"id": "V", "name": "mn", "raid_type": "RAID1",
                  "members": ["PRIMARY-SN1", GONE]},),
        nics=None, restore_policy=None, boot_override=None, boot_mode=None)
    with pair.open_journal(load_config(config)) as journal:
        journal.save_snapshot(pair.PairSnapshot({"primary": node}, time.time()).to_json())


def snapshot_checks(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in report["checks"] if c["name"] == "snapshot"]


def test_a_stale_snapshot_fails_the_task_as_pair_check_exits_5(
        config: str, capsys: pytest.CaptureFixture[str]) -> None:
    save_stale_snapshot(config)
    result = run_module(pair_check, {"config": config, "timeout": 60}, capsys)
    assert result["failed"] is True and result["changed"] is False, result
    assert result["failed_checks"] == ["snapshot"], result["checks"]
    assert "snapshot" in result["msg"]
    assert (result["error"]["exit_code"], result["error"]["exit_code_name"]) == (5, "UNHEALTHY")
    (check,) = snapshot_checks(result)
    assert check["status"] == "fail" and check["evidence"]["missing"] == [GONE], check
    assert check["evidence"]["found"] == {"PRIMARY-SN1": "primary Bay 1"}
    assert "run `hamnhw pair snapshot`" in check["message"]
    names = [c["name"] for c in result["checks"]]
    assert names.index("snapshot") == names.index("raid1") + 1

    command = CliRunner().invoke(cli, ["--json", "pair", "check", "--config", config],
                                 catch_exceptions=False)
    assert command.exit_code == 5, command.output
    assert snapshot_checks(json.loads(command.stdout)) == [check]


def test_a_fresh_snapshot_passes_and_none_adds_no_check(
        config: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = run_module(pair_check, {"config": config, "timeout": 60}, capsys)
    assert snapshot_checks(before) == [], before["checks"]
    take_snapshot(load_config(config))
    result = run_module(pair_check, {"config": config, "timeout": 60}, capsys)
    (check,) = snapshot_checks(result)
    assert check["status"] == "pass", check
    assert check["evidence"]["serials"] == ["PRIMARY-SN1", "PRIMARY-SN2"]
    assert "snapshot" not in result["failed_checks"]
