"""``hamnhw pair setup-raid`` keeps the pair's protections: it refuses (exit 2, nothing sent,
no run journaled) on the active MN, on a standby that may run an OS (unless ``--yes``), and
on the pair's recorded RAID1 drives without the RAID guard's confirmations; a volume it
takes over is reported as existing, never as created."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from raid_bench import drives
from setup_bench import SetupPair, setup_pair

from hamnhw.config import load_config
from hamnhw.pair import open_journal
from hamnhw.sim import ServerSpec

START = ("pair", "setup-raid", "--drives", "Bay1,Bay2")


def assert_refused(pair: SetupPair, *args: str, reason: str) -> None:
    """Exit 2 with ``reason`` in the message; the standby got no write; no run journaled."""
    result = pair.invoke(*START, *args)
    assert result.exit_code == 2, result.output
    assert reason in result.output, result.output
    assert pair.sent("standby") == []
    code, none = pair.run("pair", "setup-raid", "--abort")
    assert code == 1 and "no unfinished RAID1 setup" in none["error"]["message"], none


@pytest.fixture
def mn_on_standby(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SetupPair]:
    """The MN runs on the standby (its RAID1, on); the primary is off."""
    lines = 'active = "standby"\n' if request.param == "config" else ""
    specs = [ServerSpec(name="primary", drives=drives("primary", 2), raid1=False),
             ServerSpec(name="standby", drives=drives("standby", 2), power="On",
                        post_time=0, boot_time=0)]
    for pair in setup_pair(tmp_path, specs, pair_lines=lines):
        if request.param == "journal":
            with open_journal(load_config(pair.config)) as journal:
                journal.set_active_node("standby", "test")
        yield pair


@pytest.mark.parametrize("mn_on_standby", ["config", "journal"], indirect=True)
def test_the_active_mn_is_refused_even_with_yes(mn_on_standby: SetupPair) -> None:
    assert_refused(mn_on_standby, "--yes", reason="standby is the active MN")
    assert mn_on_standby.cluster["standby"].power_state == "On"


@pytest.fixture
def running_standby(tmp_path: Path) -> Iterator[SetupPair]:
    """A standby with two blank disks, on, its OS running; the primary off."""
    yield from setup_pair(tmp_path, [
        ServerSpec(name="primary", drives=(), raid1=False),
        ServerSpec(name="standby", drives=drives("standby", 2), raid1=False, power="On",
                   post_time=0, boot_time=0)])


def test_a_running_standby_is_powered_off_only_with_yes(running_standby: SetupPair) -> None:
    assert_refused(running_standby, reason="--yes")
    assert running_standby.cluster["standby"].power_state == "On"
    assert running_standby.cluster.bays.volumes == []

    code, waiting = running_standby.run(*START, "--yes")
    assert (code, waiting["outcome"]) == (10, "waiting"), waiting
    assert running_standby.cluster["standby"].power_state == "Off"


def test_a_standby_in_firmware_setup_needs_no_yes(running_standby: SetupPair) -> None:
    """The seed standby sits in its setup utility (no OS yet): the setup goes on."""
    standby = running_standby.cluster["standby"]
    standby.set_power("Off")
    standby.state.boot_target, standby.state.boot_enabled = "BiosSetup", "Once"
    standby.set_power("On")
    code, waiting = running_standby.run(*START)
    assert (code, waiting["outcome"]) == (10, "waiting"), waiting
    assert standby.power_state == "Off"


@pytest.fixture
def recorded_standby(tmp_path: Path) -> Iterator[SetupPair]:
    """The standby's RAID1 over Bay1/Bay2 recorded by a pair snapshot; both nodes off."""
    for pair in setup_pair(tmp_path, [
            ServerSpec(name="primary", drives=(), raid1=False),
            ServerSpec(name="standby", drives=drives("standby", 2))]):
        code, snap = pair.run("pair", "snapshot")
        assert code == 0, snap
        yield pair


def test_the_recorded_raid1_needs_the_guards_confirmations(recorded_standby: SetupPair) -> None:
    assert_refused(recorded_standby, "--yes", reason="--confirm-serial")
    typed = [arg for serial in recorded_standby.serials()
             for arg in ("--confirm-serial", serial)]
    code, waiting = recorded_standby.run(*START, *typed)
    assert (code, waiting["outcome"]) == (10, "waiting"), waiting
    [check] = waiting["checks"]
    assert (check["name"], check["passed"]) == ("setup: RAID1 already on the standby", True)
    assert "existed before this run" in check["detail"], check
    assert "the requested drives" in check["detail"], check
    [volume] = recorded_standby.cluster.bays.volumes
    assert set(volume.members) == set(recorded_standby.serials())


def test_a_resume_before_the_create_checks_again(running_standby: SetupPair) -> None:
    """A run stopped before the create (the primary was on) is checked again on resume: the
    standby became the active MN meanwhile, so the resume is refused and nothing is sent."""
    pair = running_standby
    pair.cluster["primary"].set_power("On")
    code, stopped = pair.run(*START, "--yes")
    assert (code, stopped["outcome"]) == (1, "stopped"), stopped
    pair.cluster["primary"].set_power("Off")
    with open_journal(load_config(pair.config)) as journal:
        journal.set_active_node("standby", "test")
    result = pair.invoke("pair", "setup-raid", "--resume", "--yes")
    assert result.exit_code == 2 and "standby is the active MN" in result.output, result.output
    assert pair.sent("standby") == [] and pair.cluster.bays.volumes == []
    assert pair.cluster["standby"].power_state == "On"


@pytest.mark.parametrize("verb", ["resume", "abort"])
def test_nothing_to_resume_is_its_own_error_as_for_failover_resume(
        running_standby: SetupPair, verb: str) -> None:
    """Review: ``pair setup-raid --resume`` without a run said "driver 'pair' does not
    support setup-raid": it is ``NothingToResume``, exit 1, as ``failover resume``."""
    code, out = running_standby.run("pair", "setup-raid", f"--{verb}")
    assert code == 1, out
    assert out["error"] == {
        "type": "NothingToResume", "exit_code": 1,
        "message": f"no unfinished RAID1 setup run in the journal: nothing to {verb}; start "
                   f"one with `hamnhw pair setup-raid --config {running_standby.config} "
                   "--drives ID,ID`"}, out  # the command suggested carries the --config given
    code, failover = running_standby.run("failover", verb)
    assert (code, failover["error"]["type"]) == (1, "NothingToResume"), failover
    with open_journal(load_config(running_standby.config)) as journal:
        journal.create_run("failover", "primary", "standby", {}, state="awaiting_disks")
    code, other = running_standby.run("pair", "setup-raid", f"--{verb}")
    assert (code, other["error"]["type"]) == (1, "RunUnfinished"), other
    message = other["error"]["message"]
    assert message.startswith("the journal's unfinished run is failover run 1 (primary -> "
                              "standby, state awaiting_disks), not a RAID1 setup"), message
    assert f"`hamnhw failover resume --config {running_standby.config}`" in message, message


def test_a_drive_the_standby_does_not_show_is_named_with_the_standby(tmp_path: Path) -> None:
    """Review: "pair: no drive 'Bay1' on this node (drives: none)" did not say which node;
    refused before anything is sent or journaled."""
    for pair in setup_pair(tmp_path, [ServerSpec(name="primary", drives=(), raid1=False),
                                      ServerSpec(name="standby", drives=(), raid1=False)]):
        code, out = pair.run(*START)
        assert code == 2, out
        assert out["error"]["message"] == "standby: no drive 'Bay1' on this node (drives: none)"
        assert pair.sent("standby") == []
        code, none = pair.run("pair", "setup-raid", "--abort")
        assert (code, none["error"]["type"]) == (1, "NothingToResume"), none
