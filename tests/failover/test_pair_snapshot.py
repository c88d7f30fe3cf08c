"""``hamnhw pair snapshot`` / ``pair status`` and the library API other features use."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from pairsim import PairSim, mn_serials

from hamnhw import pair
from hamnhw.cli.main import cli
from hamnhw.config import load_config
from hamnhw.failover.journal import journal_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_snapshot_records_both_nodes_and_status_shows_it(sim_pair: PairSim) -> None:
    config = str(sim_pair.config_path)
    assert pair.load_latest_snapshot(load_config(config)) is None
    result = run("--json", "pair", "snapshot", "--config", config)
    assert result.exit_code == 0, result.output
    snap = json.loads(result.stdout)["snapshot"]
    primary = snap["nodes"]["primary"]
    assert primary["power_state"] == "on"
    assert primary["restore_policy"] == "AlwaysOn"
    assert primary["boot_mode"] == "UEFI"
    assert {d["serial"] for d in primary["drives"]} == set(mn_serials(sim_pair.cluster))
    assert len(snap["nodes"]["standby"]["nics"]) == 2
    spec = sim_pair["primary"].spec  # what identifies it (hamnhw.pair.oldnode)
    assert (primary["system_serial"], primary["system_uuid"], primary["system_serials"]) == (
        spec.serial, spec.uuid, {"SerialNumber": spec.serial})

    loaded = pair.load_latest_snapshot(load_config(config))
    assert loaded is not None
    assert [s for s, _bay in loaded.raid1_members("primary")] == list(mn_serials(
        sim_pair.cluster))
    assert loaded.raid1_members("primary")[0][1] == "Bay 1"
    assert sim_pair["primary"].spec.nics[0].mac in loaded.macs()

    status = run("pair", "status", "--config", config)
    assert status.exit_code == 0
    assert "active node: unknown" in status.stdout
    assert "RAID1 members" in status.stdout


def test_pair_commands_take_no_node_and_no_timeout(sim_pair: PairSim) -> None:
    result = run("pair", "snapshot", "--config", str(sim_pair.config_path), "--timeout", "5")
    assert result.exit_code == 2
    result = run("pair", "status", "--config", str(sim_pair.config_path), "primary")
    assert result.exit_code == 2


def test_snapshot_without_pair_tables_is_a_config_error(tmp_path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[nodes.a]\nbmc = "redfish://127.0.0.1:1"\n')
    result = run("--json", "pair", "snapshot", "--config", str(path))
    assert result.exit_code == 2
    assert "[primary]" in json.loads(result.stdout)["error"]["message"]


@pytest.mark.parametrize("how,why", [("garbage", "file is not a database"),
                                     ("directory", "Is a directory")])
def test_status_of_an_unreadable_journal_says_so(sim_pair: PairSim, how: str, why: str) -> None:
    """Review: a journal that exists but cannot be read is no "no failover recorded, no
    snapshot yet": ``pair status`` fails (exit 1) naming the file and why."""
    config = str(sim_pair.config_path)
    assert run("pair", "snapshot", "--config", config).exit_code == 0
    loaded = load_config(config)
    path = journal_path(loaded.pair.journal_dir, loaded.pair.journal_name)
    if how == "garbage":
        path.write_bytes(b"garbage, not a journal " * 200)
    else:
        path.unlink()
        path.mkdir()
    result = run("--json", "pair", "status", "--config", config)
    assert result.exit_code == 1, result.output
    message = json.loads(result.stdout)["error"]["message"]
    assert f"journal {path} cannot be read: {why}" in message, message
    text = run("pair", "status", "--config", config)
    assert text.exit_code == 1 and "no snapshot yet" not in text.stdout
    assert "unknown" not in text.stdout
