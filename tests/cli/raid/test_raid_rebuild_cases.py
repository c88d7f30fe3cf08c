"""``hamnhw raid rebuild`` in the cases an outside review found wrong, through the CLI
against the simulator: a rebuild under way is "unchanged" only for the drive it writes to;
a rebuild that stops (its drive pulled or failed) ends ``--wait``; a finished rebuild run
again is unchanged; the typed serial is compared as the pair protection compares it; a
``--wait-timeout`` says that the rebuild goes on; ``--wait`` says on stderr what it started.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import json_out, run
from click.testing import Result
from raid_bench import STORAGE, Bench
from test_raid_maint import replace_failed_member

from hamnhw.cli import options
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import DriveSpec, ManualClock, SimCluster, raid_docs
from hamnhw.sim.client_config import write_pair_config
from hamnhw.sim.mnpair import mn_pair_specs

VOLUME = "RAIDController1/Volume1"

pytestmark = pytest.mark.timeout(120)


def hot_spare_took_over(bench: Bench) -> str:
    """Bay3 a global spare, Bay1 fails: the controller rebuilds onto Bay3 by itself; the
    failed disk is pulled and a new one goes into Bay 1.  Returns the new disk's serial."""
    bench.server.set_hotspare(bench.serial(3))
    replace_failed_member(bench)
    return "REPLACEMENT01"


def test_a_new_disk_is_refused_while_the_controller_rebuilds_onto_a_hot_spare(
        cluster) -> None:
    """It said "already rebuilding ... unchanged" (exit 0) for any drive named."""
    bench = cluster(raid1=True, rebuild_seconds=100.0)
    serial = hot_spare_took_over(bench)
    for dry_run in ((), ("--dry-run",)):
        result = bench.cli("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", serial,
                           *dry_run)
        error = json_out(result)["error"]
        assert (result.exit_code, error["type"]) == (1, "RefusedOperation"), error
        assert "onto RAIDController1/Bay3, not onto RAIDController1/Bay1" in error["message"]
        assert "raid spare --drive RAIDController1/Bay1" in error["message"]
    survivor = bench.cli("rebuild", VOLUME, "--drive", "Bay2", "--confirm-serial",
                         bench.serial(2))
    assert survivor.exit_code == 1, survivor.output
    message = json_out(survivor)["error"]["message"]
    assert "not onto RAIDController1/Bay2: nothing to start; RAIDController1/Bay2 is a member " \
        "of it" in message
    target = bench.ok("rebuild", VOLUME, "--drive", "Bay3", "--confirm-serial",
                      bench.serial(3))
    assert target["changed"] is False and "already rebuilding" in target["summary"]
    assert bench.writes("PATCH", STORAGE) == []


def hide_the_rebuilt_drive(monkeypatch: pytest.MonkeyPatch, shows: dict[str, str]) -> None:
    """The drives show no rebuild (only the volume does); the drive rebuilt onto shows the
    ``Status`` ``shows`` instead (``{}``: as healthy and enabled as the surviving member)."""
    shown = raid_docs.drive_raid_properties

    def without_rebuild(state: Any, drive: DriveSpec) -> dict[str, Any]:
        found = {k: v for k, v in shown(state, drive).items() if k != "Operations"}
        if found["StatusIndicator"] != "Rebuild":
            return found
        return {**found, "StatusIndicator": "OK"} | ({"Status": shows} if shows else {})

    monkeypatch.setattr(raid_docs, "drive_raid_properties", without_rebuild)


def refuse_the_survivor(bench: Bench) -> None:
    """Bay2, the healthy surviving member, named: refused, not "already rebuilding"."""
    survivor = bench.cli("rebuild", VOLUME, "--drive", "Bay2", "--confirm-serial",
                         bench.serial(2))
    error = json_out(survivor)["error"]
    assert (survivor.exit_code, error["type"]) == (1, "RefusedOperation"), error
    assert "RAIDController1/Bay2 is a member of it that the BMC shows healthy: the " \
        "surviving member, not the drive rebuilt onto" in error["message"]
    assert "the BMC does not tell which drive it rebuilds onto" in error["message"]


def test_where_the_bmc_does_not_tell_the_rebuilt_drive_only_a_member_is_unchanged(
        cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """The drives show no rebuild (only the volume does): a drive outside the volume is
    refused, saying so; so is the healthy surviving member (it was "already rebuilding ...
    Bay2 is in it", exit 0, and ``--wait`` followed the rebuild as if onto Bay2); a member
    whose status says it is written to (``Updating``) is unchanged."""
    hide_the_rebuilt_drive(monkeypatch, {"State": "Updating", "Health": "OK"})
    bench = cluster(raid1=True, rebuild_seconds=100.0)
    serial = hot_spare_took_over(bench)
    result = bench.cli("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", serial)
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "RefusedOperation"), error
    assert "RAIDController1/Bay1 is neither a member nor a spare of it" in error["message"]
    assert "the BMC does not tell which drive it rebuilds onto" in error["message"]
    refuse_the_survivor(bench)
    member = bench.ok("rebuild", VOLUME, "--drive", "Bay3", "--confirm-serial",
                      bench.serial(3))
    assert member["changed"] is False and "does not tell which drive" in member["summary"]
    assert bench.writes("PATCH", STORAGE) == []


def test_where_no_drive_status_tells_the_rebuilt_drive_every_member_is_refused(
        cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing tells the drive rebuilt onto from the survivor: both are refused (nothing
    sent), each saying that the BMC does not tell which drive it rebuilds onto."""
    hide_the_rebuilt_drive(monkeypatch, {})
    bench = cluster(raid1=True, rebuild_seconds=100.0)
    hot_spare_took_over(bench)
    refuse_the_survivor(bench)
    target = bench.cli("rebuild", VOLUME, "--drive", "Bay3", "--confirm-serial",
                       bench.serial(3), "--wait")
    error = json_out(target)["error"]
    assert (target.exit_code, error["type"]) == (1, "RefusedOperation"), error
    assert "the BMC does not tell which drive it rebuilds onto" in error["message"]
    assert bench.writes("PATCH", STORAGE) == []


def pull_at(bench: Bench, when: float, act: Callable[[], object]) -> Callable[[float], None]:
    """A sleep on the bench's clock that does ``act`` once the clock reaches ``when``."""
    done: list[bool] = []

    def sleep(seconds: float) -> None:
        bench.clock.sleep(seconds)
        if not done and bench.clock() >= when:
            done.append(True)
            act()

    return sleep


@pytest.mark.parametrize("mishap", ["pulled", "failed"])
def test_wait_ends_when_the_rebuilt_drive_is_lost(cluster, monkeypatch: pytest.MonkeyPatch,
                                                  mishap: str) -> None:
    """The volume goes back to degraded: the wait fails (JobFailed), naming why; it used to
    take degraded for "not started" and wait forever (here: until --wait-timeout)."""
    bench = cluster(raid1=True, rebuild_seconds=100.0)
    serial = replace_failed_member(bench)
    server = bench.server
    lose = (lambda: server.pull_drive(serial)) if mishap == "pulled" else (
        lambda: server.fail_drive(serial))
    start = bench.clock()
    sleep = pull_at(bench, start + 20, lose)
    monkeypatch.setattr(options, "poll_policy", lambda: PollPolicy(
        interval=5.0, timeout=600.0, clock=bench.clock, sleep=sleep))
    result = bench.cli("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", serial,
                       "--wait", "--wait-timeout", "3600")
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "JobFailed"), error
    assert f"the rebuild stopped: volume {VOLUME} is degraded" in error["message"]
    assert "RAIDController1/Bay1" in error["message"]
    assert bench.clock() - start < 100, "ended at the first read after the loss"
    volume = bench.ok("show")["volumes"][0]
    assert (volume["raid_health"]["state"], volume["operation"]) == ("degraded", None)


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """``hamnhw sim --pair`` in this process on a manual clock (the CLI's waits advance it):
    ``hamnhw --json ARGS --config pair.toml``, a pair snapshot taken."""
    clock = ManualClock()
    monkeypatch.setattr(options, "poll_policy", lambda: PollPolicy(
        interval=5.0, timeout=600.0, clock=clock, sleep=clock.sleep))
    with SimCluster(mn_pair_specs(0.0), clock=clock) as sim:
        config, _ = write_pair_config([sim["primary"], sim["standby"]], tmp_path / "pair.toml",
                                      None, "127.0.0.1:9")

        def hamnhw(*args: str) -> Result:
            return run("--json", *args, "--config", str(config))

        assert hamnhw("pair", "snapshot").exit_code == 0
        yield hamnhw


def new_disk(hamnhw: Callable[..., Result]) -> str:
    result = hamnhw("sim", "insert", "--new", "--to", "primary", "--bay", "2")
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["moved"][0]["serial"])


def test_a_second_new_disk_after_the_first_was_pulled_is_rebuilt_onto(pair) -> None:
    """The review's repro on `hamnhw sim --pair`: the rebuild onto disk A stops when A is
    pulled; disk B, in A's bay, is then rebuilt onto (it said "already rebuilding ...
    unchanged" while `raid show` listed Bay2 unassigned)."""
    bays = json.loads(pair("sim", "bays").stdout)["servers"]["primary"]
    assert pair("sim", "fail", bays["Bay 2"]).exit_code == 0
    assert pair("sim", "pull", bays["Bay 2"]).exit_code == 0
    rebuild = ("raid", "rebuild", "primary", VOLUME, "--drive", "Bay2", "--confirm-node",
               "primary", "--confirm-serial")
    first = new_disk(pair)
    assert json_out(pair(*rebuild, first))["changed"] is True
    assert pair("sim", "pull", first).exit_code == 0
    shown = json_out(pair("raid", "show", "primary"))
    assert shown["volumes"][0]["raid_health"]["state"] == "degraded"
    second = new_disk(pair)
    result = pair(*rebuild, second, "--wait")
    done = json_out(result)
    assert (result.exit_code, done["changed"]) == (0, True), done
    assert "onto RAIDController1/Bay2 (serial " + second in done["summary"]
    assert done["job"]["state"] == "completed"
    members = json_out(pair("raid", "show", "primary"))["volumes"][0]["drives"]
    assert members == ["RAIDController1/Bay1", "RAIDController1/Bay2"]


def test_a_finished_rebuild_run_again_is_unchanged(cluster) -> None:
    """Idempotent as during the rebuild (it was refused "volume is optimal", exit 1); a
    drive that is not a member is still refused."""
    bench = cluster(raid1=True, rebuild_seconds=60.0)
    serial = replace_failed_member(bench)
    args = ("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", serial, "--wait")
    assert bench.ok(*args)["changed"] is True
    again = bench.ok(*args)
    assert (again["changed"], again["job"]["state"]) == (False, "completed")
    assert "is optimal" in again["summary"] and "RAIDController1/Bay1 a member" in again[
        "summary"]
    assert len(bench.writes("PATCH", STORAGE)) == 1
    other = bench.cli("rebuild", VOLUME, "--drive", "Bay3", "--confirm-serial", bench.serial(3))
    assert other.exit_code == 1 and "is optimal" in json_out(other)["error"]["message"]


def test_the_serial_is_compared_without_spaces_and_case(cluster) -> None:
    """As the pair protection compares serials (README); it was refused, exit 2."""
    bench = cluster(raid1=True)
    replace_failed_member(bench)
    plan = bench.ok("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial",
                    " replacement 01 ", "--dry-run")
    assert plan["changed"] is True


def test_wait_timeout_says_the_rebuild_goes_on(cluster, tmp_path: Path) -> None:
    bench = cluster(raid1=True, rebuild_seconds=10_000.0)
    serial = replace_failed_member(bench)
    result = bench.cli("rebuild", VOLUME, "--drive", "Bay1", "--confirm-serial", serial,
                       "--wait", "--wait-timeout", "60")
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "WaitTimeout")
    assert "not reached after 60.0s (last read: running 0%)" in error["message"]
    assert ("; the rebuild goes on in the controller; watch it with `hamnhw raid show "
            f"--check {bench.server.url}`") in error["message"]


@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
def test_wait_says_on_stderr_what_it_started(cluster, json_mode: bool) -> None:
    """Without a terminal, --wait printed nothing until the end; the plan line now goes to
    stderr first (never into the JSON on stdout)."""
    bench = cluster(raid1=True, rebuild_seconds=60.0)
    serial = replace_failed_member(bench)
    result = run(*(["--json"] if json_mode else []), "raid", "rebuild", bench.server.url,
                 VOLUME, "--drive", "Bay1", "--confirm-serial", serial, "--wait",
                 "--wait-timeout", "600", env=bench.env)
    assert result.exit_code == 0, result.output
    started = (f"{bench.server.url}: rebuild {VOLUME} onto RAIDController1/Bay1 (serial "
               f"{serial}): sent; rebuild running 0%; waiting for its end (up to 600s)")
    assert started in result.stderr.splitlines()
    if json_mode:
        assert json_out(result)["job"]["state"] == "completed"
    else:
        assert started not in result.stdout and "completed" in result.stdout
