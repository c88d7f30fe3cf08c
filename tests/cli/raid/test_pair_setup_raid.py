"""``hamnhw pair setup-raid`` on a simulated pair: the RAID1 built on the standby, the
operator moving its disks into the primary (exit 10, then ``--resume --disks-moved``), the
primary's controller taking the array, all in the pair's journal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from raid_bench import drives

from hamnhw.cli.main import cli
from hamnhw.sim import ServerSpec, SimCluster

PW_ENV = "SETUP_RAID_PW"


class SetupPair:
    def __init__(self, cluster: SimCluster, config: Path) -> None:
        self.cluster, self.config = cluster, config

    def run(self, *args: str) -> tuple[int, dict[str, Any]]:
        result: Result = CliRunner().invoke(
            cli, ["--json", *args, "--config", str(self.config)],
            env={PW_ENV: self.cluster["standby"].password}, catch_exceptions=False)
        return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])

    def serials(self) -> list[str]:
        return [d.serial for d in self.cluster["standby"].spec.drives or ()]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[SetupPair]:
    """A standby (off) holding the two MN disks, no volume; an empty primary (off)."""
    specs = [ServerSpec(name="primary", drives=(), raid1=False),
             ServerSpec(name="standby", drives=drives("standby", 2), raid1=False)]
    with SimCluster(specs) as sim:
        lines = [f'[pair]\nname = "mn"\njournal_dir = "{tmp_path / "journal"}"\n',
                 "[failover]\npoll_interval = 0.05\npost_timeout = 4\npower_off_timeout = 10\n"]
        lines += [f'[{n}]\nbmc = "{sim[n].url}"\nusername = "admin"\npassword_env = "{PW_ENV}"\n'
                  for n in ("primary", "standby")]
        config = tmp_path / "hamnhw.toml"
        config.write_text("\n".join(lines))
        yield SetupPair(sim, config)


def test_standby_first_then_the_disks_into_the_primary(cluster: SetupPair) -> None:
    code, waiting = cluster.run("pair", "setup-raid", "--drives", "Bay1,Bay2", "--name", "mn")
    assert (code, waiting["outcome"]) == (10, "waiting"), waiting
    assert waiting["needs"]["resume"] == "hamnhw pair setup-raid --resume --disks-moved"
    order = waiting["work_order"]
    assert [d["serial"] for d in order["drives"]] == cluster.serials()
    assert (order["source"], order["target"]) == ("standby", "primary")
    [volume] = cluster.cluster.bays.volumes
    assert (volume.name, set(volume.members)) == ("mn", set(cluster.serials()))
    assert cluster.cluster["standby"].power_state == "Off"

    code, refused = cluster.run("failover", "resume")
    assert code == 1 and "RAID1 setup" in refused["error"]["message"]

    for serial in cluster.serials():
        cluster.cluster.move_drive(serial, "standby", "primary")
    code, done = cluster.run("pair", "setup-raid", "--resume", "--disks-moved")
    assert (code, done["outcome"]) == (0, "done"), done
    checks = {c["name"]: c["passed"] for c in done["checks"]}
    assert checks == {"setup: RAID1 created on the standby": True,
                      "setup: the primary takes the array": True}
    shown = CliRunner().invoke(cli, ["--json", "raid", "show", "primary", "--config",
                                     str(cluster.config)],
                               env={PW_ENV: cluster.cluster["primary"].password})
    [on_primary] = json.loads(shown.stdout)["volumes"]
    assert (on_primary["name"], on_primary["raid_health"]["state"]) == ("mn", "optimal")


def test_a_running_primary_stops_the_setup_before_anything_is_built(cluster: SetupPair) -> None:
    cluster.cluster["primary"].set_power("On")
    code, stopped = cluster.run("pair", "setup-raid", "--drives", "Bay1,Bay2")
    assert (code, stopped["outcome"]) == (1, "stopped")
    assert "primary is not off" in stopped["stop_reason"]
    assert cluster.cluster.bays.volumes == []
    code, aborted = cluster.run("pair", "setup-raid", "--abort")
    assert (code, aborted["outcome"]) == (0, "aborted")


def test_disks_not_moved_yet_keeps_waiting(cluster: SetupPair) -> None:
    assert cluster.run("pair", "setup-raid", "--drives", "Bay1,Bay2")[0] == 10
    code, again = cluster.run("pair", "setup-raid", "--resume")
    assert (code, again["outcome"]) == (10, "waiting")
    code, stopped = cluster.run("pair", "setup-raid", "--resume", "--disks-moved")
    assert code == 1 and "WaitTimeout" in stopped["stop_reason"]
