"""``hamnhw pair setup-raid`` on a simulated pair: the RAID1 built on the standby, the
operator moving its disks into the primary (exit 10, then ``--resume --disks-moved``), the
primary's controller taking the array, all in the pair's journal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from raid_bench import drives
from setup_bench import PW_ENV, SetupPair, setup_pair

from hamnhw.cli.main import cli
from hamnhw.sim import RaidSpec, ServerSpec


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[SetupPair]:
    """A standby (off) holding the two MN disks, no volume; an empty primary (off)."""
    yield from setup_pair(tmp_path, [
        ServerSpec(name="primary", drives=(), raid1=False),
        ServerSpec(name="standby", drives=drives("standby", 2), raid1=False)])


def test_standby_first_then_the_disks_into_the_primary(cluster: SetupPair) -> None:
    code, waiting = cluster.run("pair", "setup-raid", "--drives", "Bay1,Bay2", "--name", "mn")
    assert (code, waiting["outcome"]) == (10, "waiting"), waiting
    assert waiting["needs"]["resume"] == (f"hamnhw pair setup-raid --config {cluster.config} "
                                          "--resume --disks-moved")
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


@pytest.fixture
def dell_pair(tmp_path: Path) -> Iterator[SetupPair]:
    """Two ``idrac`` personalities: the standby (PERC H755, realtime jobs) holds the two MN
    disks; the primary's PERC H330 runs RAID jobs only at the next POST (staged)."""
    specs = [ServerSpec(name="primary", personality="idrac", drives=(), raid1=False,
                        controller_model="PERC H330 Mini", post_time=0.2, power_delay=0.1,
                        raid=RaidSpec(task_seconds=0.2)),
             ServerSpec(name="standby", personality="idrac", drives=drives("standby", 2),
                        raid1=False, post_time=0.2, power_delay=0.1,
                        raid=RaidSpec(task_seconds=0.2))]
    yield from setup_pair(tmp_path, specs, post_timeout=8)


def primary_sequence(pair: SetupPair) -> list[str]:
    """ImportForeignConfig and the accepted ResetTypes the primary received, in order."""
    found = []
    for r in pair.cluster["primary"].requests:
        if r.method == "POST" and r.path.endswith("ImportForeignConfig"):
            found.append("ImportForeignConfig")
        elif r.method == "POST" and r.path.endswith("ComputerSystem.Reset") and \
                r.status and r.status < 300:
            found.append(r.body["ResetType"])
    return found


def move_and_resume(pair: SetupPair) -> tuple[int, dict[str, Any]]:
    code, waiting = pair.run("pair", "setup-raid", "--drives", ",".join(pair.serials()),
                             "--name", "mn")
    assert (code, waiting["outcome"]) == (10, "waiting"), waiting
    for serial in pair.serials():
        pair.cluster.move_drive(serial, "standby", "primary")
    return pair.run("pair", "setup-raid", "--resume", "--disks-moved")


def test_a_staged_import_runs_at_a_reset_of_the_primary(dell_pair: SetupPair) -> None:
    """The PERC 9 keeps the import job Scheduled until a POST: the primary is reset into its
    setup again and the job followed to its end (waiting on it alone never ended)."""
    code, done = move_and_resume(dell_pair)
    assert (code, done["outcome"]) == (0, "done"), done
    assert primary_sequence(dell_pair) == ["On", "ImportForeignConfig", "PowerCycle"]
    checks = {c["name"]: c["passed"] for c in done["checks"]}
    assert checks["setup: the primary takes the array"] is True


def test_a_failed_import_stops_the_setup_with_its_reason(dell_pair: SetupPair) -> None:
    from hamnhw.sim.personalities import of

    personality = of(dell_pair.cluster["primary"].state)
    assert personality is not None
    personality.import_failure = "STOR038: Unable to import the foreign configuration."  # type: ignore[attr-defined]
    code, stopped = move_and_resume(dell_pair)
    assert code != 0 and stopped["outcome"] == "stopped", stopped
    assert "foreign import did not give one" in stopped["stop_reason"]
    assert "STOR038" in stopped["stop_reason"] and "JID_" in stopped["stop_reason"]
