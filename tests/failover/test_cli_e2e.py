"""The failover, drill and pair commands as a user runs them: real ``hamnhw`` subprocesses
against a simulated pair."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
from clirun import HAMNHW, hamnhw
from pairsim import PairSim, mn_serials

from hamnhw.config import load_config
from hamnhw.pair import open_journal

pytestmark = pytest.mark.e2e


def snapshot(sim: PairSim) -> str:
    config = str(sim.config_path)
    code, out = hamnhw("pair", "snapshot", "--config", config)
    assert code == 0, out
    return config


def test_start_without_yes_and_without_a_terminal_is_a_usage_error(sim_pair: PairSim) -> None:
    code, out = hamnhw("failover", "start", "--config", snapshot(sim_pair))
    assert code == 2 and "--yes" in out["error"]["message"]
    assert sim_pair.reset_posts("primary") == []


def test_failover_start_waits_for_the_disks_then_resume_finishes(sim_pair: PairSim) -> None:
    config = snapshot(sim_pair)
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 10 and out["error"]["type"] == "ActiveNodeUnknown"  # waiting for you
    assert "primary is the active MN" in out["error"]["message"]
    assert out["needs"]["kind"] == "active_node"
    assert out["needs"]["phrase"] == "primary is the active MN"
    assert "--acknowledge 'primary is the active MN'" in out["needs"]["command"]
    assert sim_pair.reset_posts("primary") == []  # nothing was started
    code, out = hamnhw("failover", "start", "--yes", "--config", config,
                       "--acknowledge", "primary is the active MN")
    assert code == 10, out
    assert out["outcome"] == "waiting" and out["state"] == "awaiting_disks"
    assert {d["serial"] for d in out["work_order"]["drives"]} == set(mn_serials(
        sim_pair.cluster))
    code, again = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 1 and "unfinished" in again["error"]["message"]
    code, status = hamnhw("failover", "status", "--config", config)
    assert code == 0 and status["state"] == "awaiting_disks" and status["run_id"] == 1
    code, text = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                        json_output=False)  # admin review #4: the disks were not moved
    report = text["_stdout"]
    assert code == 1 and "[   FAIL   ] verify: MN drives in the target: standby shows none " \
                         "of the MN drives" in report, text
    assert "  step verify " in report and "  earlier attempt: override_biossetup, power_on, " \
                                          "power_off_again" in report, report
    sim_pair.move_mn_drives("primary", "standby")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 0, out
    assert out["outcome"] == "done" and out["active_node"] == "standby"
    assert [s["step"] for s in out["steps"]][-1] == "finish"
    assert all(c["passed"] is not False for c in out["checks"])
    code, log = hamnhw("failover", "log", "--config", config)
    assert code == 0 and any(e["kind"] == "ack" for e in log["events"])
    sent = [(e["data"]["action"], e["data"]["superseded"]) for e in log["events"]
            if e["kind"] == "action" and e["data"]["step"] == "verify"]
    assert sent == [("override_biossetup", True), ("power_on", True),
                    ("power_off_again", True), ("override_biossetup", False),
                    ("power_on", False)], sent  # the standby powered up and off: shown


def test_dry_run_changes_nothing(sim_pair: PairSim) -> None:
    config = snapshot(sim_pair)
    code, out = hamnhw("failover", "start", "--dry-run", "--config", config,
                       "--acknowledge", "primary is the active MN")
    assert code == 0 and out["outcome"] == "dry-run"
    assert "PLAN" in out["plan"]
    for name in ("primary", "standby"):
        assert [r for r in sim_pair[name].requests
                if r.method in ("POST", "PATCH") and "Sessions" not in r.path] == []


def test_a_second_coordinator_exits_1_naming_the_holder(sim_pair: PairSim) -> None:
    config = snapshot(sim_pair)
    with open_journal(load_config(config)) as journal, journal.lock():
        code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 1 and out["error"]["type"] == "JournalBusy"
    assert f"pid {os.getpid()}" in out["error"]["message"]


def test_sigterm_journals_interrupted_and_the_run_resumes(start_pair) -> None:
    sim = start_pair(failover={"graceful_timeout": 8})
    config = snapshot(sim)
    with open_journal(load_config(config)) as journal:
        journal.set_active_node("primary", "test")
    sim["primary"].inject("ignore_reset", count=1)  # the OS ignores the graceful shutdown
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMNHW_")}
    proc = subprocess.Popen([HAMNHW, "--json", "failover", "start", "--yes", "--config", config],
                            stdout=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not sim.reset_posts("primary") and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    report = json.loads(out.strip().splitlines()[-1])
    assert proc.returncode == 143 and report["outcome"] == "interrupted"  # as every command
    code, status = hamnhw("failover", "status", "--config", config)
    assert "interrupted" in status["stop_reason"]
    code, out = hamnhw("failover", "resume", "--config", config)
    assert code == 10 and out["state"] == "awaiting_disks"


def test_drill_fails_over_and_back_with_a_report(sim_pair: PairSim) -> None:
    config = snapshot(sim_pair)
    ack = ("--acknowledge", "primary is the active MN")
    code, out = hamnhw("drill", "--yes", "--config", config, *ack)
    assert code == 10 and out["outcome"] == "waiting"
    sim_pair.move_mn_drives("primary", "standby")
    code, out = hamnhw("drill", "resume", "--disks-moved", "--config", config)
    assert code == 10, out  # the failover leg is done; the failback waits for its move
    assert [leg["kind"] for leg in out["legs"]] == ["drill-failover", "drill-failback"]
    assert out["legs"][0]["outcome"] == "done" and out["legs"][0]["passed"] is True
    assert out["legs"][0]["active_node"] == "standby"
    assert sim_pair["standby"].power_state == "Off"  # fenced by the failback leg
    sim_pair.move_mn_drives("standby", "primary")
    code, out = hamnhw("drill", "resume", "--disks-moved", "--config", config)
    assert code == 0, out
    assert out["outcome"] == "passed" and out["passed"] is True
    assert [leg["active_node"] for leg in out["legs"]] == ["standby", "primary"]  # review 13
    assert {c["leg"] for c in out["checks"]} == {"drill-failover", "drill-failback"}
    assert sim_pair["primary"].boot_progress == "OSRunning"
    assert sim_pair["standby"].power_state == "Off"


def test_a_killed_reset_is_never_resent_while_the_old_node_is_on(sim_pair: PairSim) -> None:
    """Review 2b: killed right after the reset's intent; the old node powers on meanwhile.
    Resume asks to confirm the re-send, and once confirmed, the checks before a power-on
    run again: the old node is forced off and nothing is sent to the standby."""
    config = snapshot(sim_pair)
    with open_journal(load_config(config)) as journal:
        journal.set_active_node("primary", "test")
    assert hamnhw("failover", "start", "--yes", "--config", config)[0] == 10
    sim_pair.move_mn_drives("primary", "standby")
    code, _ = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                     env={"HAMNHW_FAILOVER_KILL_AT": "boot.reset:intent"})
    assert code == -9
    sim_pair["primary"].set_power("On")
    sim_pair["primary"].inject("ignore_reset")
    code, out = hamnhw("failover", "resume", "--config", config)
    assert code == 1 and out["needs"]["phrase"] == "resend reset to standby", out
    code, out = hamnhw("failover", "resume", "--config", config,
                       "--acknowledge", "resend reset to standby")
    assert code == 1 and out["needs"]["kind"] == "cords_pulled", out
    code, out = hamnhw("failover", "resume", "--config", config,
                       "--acknowledge", "primary power cords pulled")
    assert code == 1 and out["state"] == "boot", out
    assert sim_pair.accepted_resets("standby") == ["On"]  # the power-on into setup only
    assert "ForceOff" in sim_pair.accepted_resets("primary")
