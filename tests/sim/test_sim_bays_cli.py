"""``hamnhw sim bays|move|pull|insert|fail``: the operator's hands on a running simulator,
as README's and the runbook's walkthroughs use them (the drill, ``pair setup-raid``, a disk
replacement), and their refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from runningsim import RunningSim, placed

from hamnhw.cli.commands.simbays import bay_name
from hamnhw.cli.main import cli
from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.sim.client_config import write_client_config


@pytest.mark.timeout(180)
def test_the_drill_walkthrough_finishes_with_sim_move(running: RunningSim) -> None:
    """README's "Try it" / runbook's drill on `hamnhw sim --pair`: each WORK ORDER is done
    by `hamnhw sim move --all-mn`, and the drill passes (it dead-ended at exit 10)."""
    assert running.run("pair", "snapshot")[0] == 0
    code, out = running.run("drill", "--yes", "--acknowledge", "primary is the active MN")
    assert code == 10, out
    serials = sorted(placed(running)["primary"].values())
    for leg, (source, target) in enumerate((("primary", "standby"), ("standby", "primary"))):
        code, moved = running.run("sim", "move", "--all-mn")
        assert code == 0, moved
        assert sorted(m["serial"] for m in moved["moved"]) == serials
        assert {(m["from"], m["to"]) for m in moved["moved"]} == {(source, target)}
        assert moved["next"].startswith("hamnhw drill resume --disks-moved --config ")
        bays = placed(running)
        assert sorted(bays[target].values()) == serials and bays[source] == {}
        code, out = running.run("drill", "resume", "--disks-moved")
        assert code == (10 if leg == 0 else 0), out
    assert out["passed"] is True, out


@pytest.mark.timeout(180)
def test_pair_setup_raid_can_be_rehearsed_with_new_drives(running: RunningSim) -> None:
    """The standby's bays are empty: `sim insert --new` gives it two blank disks, the setup
    builds its RAID1 there and `sim move --all-mn` carries them into the primary."""
    code, out = running.run("sim", "insert", "--new", "--count", "2", "--to", "standby")
    assert code == 0, out
    new = [m["serial"] for m in out["moved"]]
    assert len(set(new)) == 2 and all(s.startswith("SIMNEW") for s in new)
    assert sorted(placed(running)["standby"]) == ["Bay 1", "Bay 2"]
    for args in (("power", "off", "primary", "--yes"), ("boot", "standby", "bios-setup"),
                 ("power", "on", "standby")):
        assert running.run(*args)[0] == 0, args
    code, out = running.run("pair", "setup-raid", "--drives", "Bay1,Bay2", "--name", "mn")
    assert code == 10, out
    code, moved = running.run("sim", "move", "--all-mn")
    assert code == 0, moved
    assert sorted(m["serial"] for m in moved["moved"]) == sorted(new)
    assert moved["next"].startswith("hamnhw pair setup-raid --resume --disks-moved")
    code, out = running.run("pair", "setup-raid", "--resume", "--disks-moved")
    assert code == 0, out
    assert out["outcome"] == "done", out


def test_a_disk_replacement_can_be_rehearsed(running: RunningSim) -> None:
    """The runbook's disk replacement: a disk fails, is pulled, a blank one goes into its
    bay and the RAID1 rebuilds onto it."""
    assert running.run("pair", "snapshot")[0] == 0
    failed = placed(running)["primary"]["Bay 2"]
    assert running.run("sim", "fail", failed)[0] == 0
    assert running.run("raid", "show", "--check", "primary")[0] == 5
    code, out = running.run("sim", "pull", failed)
    assert code == 0 and out["pulled"] == [{"serial": failed, "from": "primary",
                                             "from_bay": "Bay 2"}], out
    code, out = running.run("sim", "insert", "--new", "--to", "primary", "--bay", "2")
    assert code == 0, out
    (new,) = out["moved"]
    assert new["bay"] == "Bay 2" and new["serial"] != failed
    code, out = running.run("raid", "rebuild", "primary", "RAIDController1/Volume1", "--drive",
                            "Bay2", "--confirm-serial", new["serial"], "--confirm-node",
                            "primary")
    assert code == 0, out
    code, shown = running.run("raid", "show", "--check", "primary")
    assert code == 5 and shown["check"]["state"] == "rebuilding", shown  # a simulated minute
    assert new["serial"] in {d["serial"] for d in shown["drives"]}


# -- in-process: the commands' output and refusals ------------------------------------------

def hamnhw(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_bays_shows_each_node_and_the_pulled_drives(cluster: SimCluster, config: str) -> None:
    first, second = (d.serial for d in cluster["primary"].drives)
    result = hamnhw("sim", "bays", "--config", config)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NODE", "BAY", "SERIAL"]
    assert lines[1].split() == ["primary", "Bay", "1", first]
    assert lines[3].split() == ["standby", "-", "(no", "drive)"]
    assert lines[-2:] == ["pulled (held by the operator): none", "power cords pulled: none"]
    assert hamnhw("sim", "pull", second, "--config", config).exit_code == 0
    assert hamnhw("sim", "bays", "--config", config).stdout.splitlines()[-2] == (
        f"pulled (held by the operator): {second}")


def test_move_insert_and_their_refusals(cluster: SimCluster, config: str) -> None:
    first, second = (d.serial for d in cluster["primary"].drives)
    result = hamnhw("sim", "move", first, "--to", "standby", "--bay", "bay5", "--config", config)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{first}: from primary Bay 1 -> standby Bay 5"
    assert cluster.bays.locate(first) == ("standby", "Bay 5")
    again = hamnhw("sim", "move", first, "--to", "standby", "--config", config)
    assert again.exit_code == 0 and "already in standby Bay 5" in again.stdout
    taken = hamnhw("sim", "move", second, "--to", "standby", "--bay", "5", "--config", config)
    assert taken.exit_code == 1 and "bay 'Bay 5' of 'standby' holds" in taken.stderr
    assert cluster.bays.locate(second) == ("primary", "Bay 2"), "put back where it was"
    unknown = hamnhw("sim", "move", "NOSUCH", "--to", "standby", "--config", config)
    assert unknown.exit_code == 1 and "no drive with serial 'NOSUCH'" in unknown.stderr
    no_order = hamnhw("sim", "move", "--all-mn", "--config", config)
    assert no_order.exit_code == 2 and "no work order to follow" in no_order.stderr


def test_insert_new_gives_a_blank_drive_a_new_serial(cluster: SimCluster, config: str) -> None:
    result = hamnhw("--json", "sim", "insert", "--new", "--to", "standby", "--config", config)
    assert result.exit_code == 0, result.output
    (drive,) = json.loads(result.stdout)["moved"]
    assert drive["bay"] == "Bay 1" and drive["to"] == "standby"
    assert [d.serial for d in cluster["standby"].drives] == [drive["serial"]]
    assert drive["serial"] not in {d.serial for d in cluster["primary"].drives}
    both = hamnhw("sim", "insert", "X", "--new", "--to", "standby", "--config", config)
    assert both.exit_code == 2


def test_server_options_with_a_subcommand_are_refused(config: str) -> None:
    result = hamnhw("sim", "--tls", "bays", "--config", config)
    assert result.exit_code == 2 and "--tls starts a simulator" in result.stderr


def test_a_config_without_a_simulated_bmc_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "real.toml"
    path.write_text('[primary]\nbmc = "redfish://10.0.0.5"\n')
    result = hamnhw("sim", "bays", "--config", str(path))
    assert result.exit_code == 2 and "no simulated BMC" in result.stderr


def test_a_stopped_simulator_is_unreachable(tmp_path: Path) -> None:
    with SimCluster([ServerSpec(name="primary")]) as sim:
        path, _secret = write_client_config(sim, tmp_path / "gone.toml")
    result = hamnhw("sim", "bays", "--config", str(path))
    assert result.exit_code == 3 and "is `hamnhw sim` still running?" in result.stderr


@pytest.mark.parametrize(("given", "name"), [("3", "Bay 3"), ("Bay3", "Bay 3"),
                                             ("bay 12", "Bay 12"), ("Front-1", "Front-1")])
def test_bay_names(given: str, name: str) -> None:
    assert bay_name(given) == name


def test_the_personality_choice_names_every_personality() -> None:
    from hamnhw.cli.commands.sim import PERSONALITY_NAMES
    from hamnhw.sim.personalities import PERSONALITIES

    assert tuple(PERSONALITIES) == PERSONALITY_NAMES
