"""The active MN when live state does not tell (its node crashed, is off, its BMC silent),
``failover status`` of a run whose coordinator was killed, and copy-pasteable hints: real
``hamnhw`` subprocesses against a simulated pair."""

from __future__ import annotations

import shlex

import pytest
from clirun import hamnhw
from pairsim import PairSim, mn_serials, ready

from hamnhw.config import load_config
from hamnhw.pair import open_journal
from hamnhw.sim.mnservice import MnService

pytestmark = pytest.mark.e2e

ACK = "primary is the active MN"


def snapshot(sim: PairSim) -> str:
    config = str(sim.config_path)
    code, out = hamnhw("pair", "snapshot", "--config", config)
    assert code == 0, out
    return config


def set_pair_active(sim: PairSim, name: str) -> None:
    """``[pair] active = NAME`` in the config."""
    text = sim.config_path.read_text()
    sim.config_path.write_text(text.replace("[pair]\n", f'[pair]\nactive = "{name}"\n', 1))


def runs(config: str) -> int:
    with open_journal(load_config(config)) as journal:
        return len(journal.runs())


def test_failover_from_an_off_primary_named_by_pair_active_ends_done(sim_pair: PairSim) -> None:
    config = snapshot(sim_pair)
    sim_pair["primary"].set_power("Off")  # the MN's node crashed; its BMC is up
    set_pair_active(sim_pair, "primary")
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 10 and out["error"]["type"] == "ActiveNodeUnknown", out
    assert "[pair] active in the config names primary" in out["error"]["message"]
    assert "primary: power off; standby: power off" in out["error"]["message"]
    assert out["needs"]["phrase"] == ACK
    assert out["needs"]["command"] == (f"hamnhw failover start --yes --config "
                                       f"{shlex.quote(config)} --acknowledge '{ACK}'")
    assert runs(config) == 0 and sim_pair.reset_posts("standby") == []
    code, out = hamnhw("failover", "start", "--yes", "--config", config, "--acknowledge", ACK)
    assert code == 10 and out["state"] == "awaiting_disks", out
    assert ("  active MN: primary (from [pair] active in the config; live state does not "
            "tell: primary: power off; standby: power off), confirmed by typing "
            f"'{ACK}'") in out["plan"]
    assert out["needs"]["resume"] == f"hamnhw failover resume --config {config} --disks-moved"
    sim_pair.move_mn_drives("primary", "standby")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 0 and out["outcome"] == "done" and out["active_node"] == "standby", out
    assert sorted(d.serial for d in sim_pair["standby"].drives) == sorted(mn_serials(
        sim_pair.cluster))


def test_the_snapshot_names_the_active_node_of_a_silent_bmc(start_pair) -> None:  # type: ignore[no-untyped-def]
    """A silent BMC can be named only where mn_addresses tell whether its host still runs
    the MN (diff review): without them the start is refused, with them (silent) it asks."""
    with MnService(None, (), up=lambda: False) as silent:  # type: ignore[arg-type]
        sim_pair = start_pair(failover={"mn_addresses": [silent.address], "probe_timeout": 1})
        _snapshot_names_a_silent_bmc(sim_pair)


def _snapshot_names_a_silent_bmc(sim_pair: PairSim) -> None:
    config = snapshot(sim_pair)
    sim_pair.pull_cords("primary")  # no [pair] active: the snapshot had the RAID1 in primary
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 10 and out["needs"]["phrase"] == ACK, out
    message = out["error"]["message"]
    assert "(the MN's RAID1 was in primary) names primary" in message, message
    assert "primary: BMC does not answer" in message
    code, out = hamnhw("failover", "start", "--yes", "--config", config, "--acknowledge", ACK)
    assert out.get("source") == "primary" and out.get("target") == "standby", out
    assert "from the pair snapshot of " in out["plan"], out


def test_pair_active_contradicted_by_live_state_is_refused(start_pair) -> None:
    with MnService(None, (), up=lambda: False) as silent:  # type: ignore[arg-type]
        sim = start_pair(failover={"mn_addresses": [silent.address], "probe_timeout": 1})
        config = snapshot(sim)
        set_pair_active(sim, "standby")  # wrong: the primary is on with the MN drives
        code, out = hamnhw("failover", "start", "--yes", "--config", config,
                           "--acknowledge", "standby is the active MN")
    assert code == 1 and out["error"]["type"] == "ActiveNodeUnknown", out
    assert "contradicts it: primary is on with the MN drives" in out["error"]["message"]
    assert "needs" not in out and runs(config) == 0
    assert sim.reset_posts("primary") == [] and sim.reset_posts("standby") == []


def test_with_nothing_naming_a_node_the_operator_names_it(sim_pair: PairSim) -> None:
    config = snapshot(sim_pair)
    with open_journal(load_config(config)) as journal:  # a snapshot with no RAID1 in it
        row = journal.latest_snapshot()
        data = row[2]
        for node in data["nodes"].values():
            node["volumes"] = []
        journal.save_snapshot(data)
    sim_pair["primary"].set_power("Off")
    code, out = hamnhw("failover", "start", "--yes", "--config", config, json_output=False)
    assert code == 10, out
    err = out["_stderr"]
    base = f"hamnhw failover start --yes --config {config}"
    assert f"to go on: {base} --acknowledge '{ACK}'\n" in err, err
    assert f"      or: {base} --acknowledge 'standby is the active MN'\n" in err, err
    assert "set [pair] active in the config" in err and runs(config) == 0


def test_status_of_a_killed_coordinator_says_it_is_gone(sim_pair: PairSim) -> None:
    config = str(sim_pair.config_path)
    ready(sim_pair)
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 10, out
    sim_pair.move_mn_drives("primary", "standby")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       env={"HAMNHW_FAILOVER_KILL_AT": "verify.power_on:sent"})
    assert code == -9, out
    code, status = hamnhw("failover", "status", "--config", config)
    assert code == 10 and status["outcome"] == "not-running", status
    assert status["state"] == "verify" and status["coordinator_alive"] is False
    assert isinstance(status["coordinator_pid"], int)
    assert status["needs"] == {"kind": "resume", "phrase": "",
                               "resume": f"hamnhw failover resume --config {config}"}
    code, text = hamnhw("failover", "status", "--config", config, json_output=False)
    assert code == 10
    assert (f"not running: the coordinator (pid {status['coordinator_pid']}) is gone"
            in text["_stdout"]), text
    assert f"to go on: hamnhw failover resume --config {config}\n" in text["_stdout"]
    with open_journal(load_config(config)) as journal, journal.lock():  # a live coordinator
        code, alive = hamnhw("failover", "status", "--config", config)
    assert code == 0 and alive["outcome"] == "running" and alive["coordinator_alive"] is True
    assert alive["needs"] is None


def test_status_carries_what_the_last_stop_needs(sim_pair: PairSim) -> None:
    config = str(sim_pair.config_path)
    ready(sim_pair)
    code, started = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 10 and started["outcome"] == "waiting", started
    code, status = hamnhw("failover", "status", "--config", config)
    assert code == 0 and status["outcome"] == "waiting"
    assert status["needs"] == started["needs"] == {
        "kind": "disks_moved", "phrase": "",
        "resume": f"hamnhw failover resume --config {config} --disks-moved"}
    assert status["coordinator_alive"] is False
    code, text = hamnhw("failover", "status", "--config", config, json_output=False)
    assert f"to go on: hamnhw failover resume --config {config} --disks-moved" in \
        text["_stdout"], text


def test_status_carries_the_phrase_a_stop_asks_for(sim_pair: PairSim) -> None:
    config = str(sim_pair.config_path)
    ready(sim_pair)
    sim_pair.pull_cords("primary")
    code, stopped = hamnhw("failover", "start", "--yes", "--config", config)
    needs = stopped.get("needs") or {}
    assert code in (1, 10) and needs.get("phrase"), stopped
    code, status = hamnhw("failover", "status", "--config", config)
    assert code == 0 and status["needs"] == needs, status
    assert status["outcome"] == stopped["outcome"]
    assert f"hamnhw failover resume --config {config} --acknowledge" in needs["resume"]


def test_the_drill_hint_names_its_flags(sim_pair: PairSim) -> None:
    config = snapshot(sim_pair)
    code, out = hamnhw("drill", "--yes", "--config", config)
    assert code == 10, out
    assert out["needs"]["command"] == (f"hamnhw drill --yes --config {config} "
                                       f"--acknowledge '{ACK}'")
    code, out = hamnhw("failover", "start", "--dry-run", "--config", config)
    assert code == 10 and out["needs"]["command"] == (
        f"hamnhw failover start --dry-run --config {config} --acknowledge '{ACK}'")


def test_a_silent_bmc_is_not_named_without_mn_addresses(sim_pair: PairSim) -> None:
    """Diff review: with the primary's BMC silent its host may still run the MN; without
    mn_addresses nothing would tell, so no node is named and nothing is journaled."""
    config = snapshot(sim_pair)
    sim_pair.pull_cords("primary")
    code, out = hamnhw("failover", "start", "--yes", "--config", config, "--acknowledge", ACK)
    assert code == 1 and "without [failover] mn_addresses" in out["error"]["message"], out
    assert runs(config) == 0 and sim_pair.reset_posts("standby") == []
    with open_journal(load_config(config)) as journal:
        assert journal.active_node() is None


def test_mn_addresses_answering_while_no_node_qualifies_refuse_naming(start_pair) -> None:  # type: ignore[no-untyped-def]
    """Diff review: an MN address answering means an MN runs; when live state cannot say
    where (here: the primary off, so neither node qualifies), no node is named from the
    config."""
    with MnService(None, (), up=lambda: True) as running:  # type: ignore[arg-type]
        sim = start_pair(failover={"mn_addresses": [running.address], "probe_timeout": 1})
        config = snapshot(sim)
        sim["primary"].set_power("Off")
        set_pair_active(sim, "primary")
        code, out = hamnhw("failover", "start", "--yes", "--config", config,
                           "--acknowledge", ACK)
    assert code == 1 and "an MN runs" in out["error"]["message"], out
    assert running.address in out["error"]["message"]
    assert runs(config) == 0 and sim.reset_posts("standby") == []


def test_the_named_active_node_is_journaled_only_once_the_preflight_passed(
        sim_pair: PairSim) -> None:
    """Diff review: the node named from the config was journaled as the active MN at once,
    so a dry run or a run refused at preflight left it recorded (and the guards read the
    journal first)."""
    config = snapshot(sim_pair)
    sim_pair["primary"].set_power("Off")
    set_pair_active(sim_pair, "primary")
    code, out = hamnhw("failover", "start", "--dry-run", "--config", config, "--acknowledge", ACK)
    assert out.get("outcome") == "dry-run", out
    with open_journal(load_config(config)) as journal:
        assert journal.active_node() is None
    sim_pair["standby"].set_power("On")  # the target on: the preflight refuses
    code, out = hamnhw("failover", "start", "--yes", "--config", config, "--acknowledge", ACK)
    assert out.get("outcome") == "refused", out
    with open_journal(load_config(config)) as journal:
        assert journal.active_node() is None
    sim_pair["standby"].set_power("Off")
    code, out = hamnhw("failover", "start", "--yes", "--config", config, "--acknowledge", ACK)
    assert code == 10 and out["state"] == "awaiting_disks", out
    with open_journal(load_config(config)) as journal:
        recorded = journal.active_node()
    assert recorded is not None and recorded.name == "primary"
    assert "[pair] active in the config" in recorded.source


def test_a_node_on_whose_drives_cannot_be_told_contradicts_naming_the_other() -> None:
    """Diff review: unknown drives (the BMC did not list them) were read as none, so a node
    on, maybe running the MN, did not stop the other from being named."""
    from hamnhw.failover.active import LiveNode, _holds, contradiction
    from hamnhw.models import PowerState

    live = {"primary": LiveNode("power off", PowerState.OFF),
            "standby": LiveNode("on, but its drives cannot be told", PowerState.ON, None)}
    assert "standby is on and its drives cannot be told" in (contradiction("primary", live)
                                                            or "")

    class Drive:
        def __init__(self, serial: str | None) -> None:
            self.serial = serial

    assert _holds({"A"}, None) is None
    assert _holds({"A"}, [Drive("B"), Drive(None)]) is None
    assert _holds({"A"}, [Drive("A"), Drive(None)]) is True
    assert _holds({"A"}, [Drive("B")]) is False
    assert _holds({"A"}, []) is False


def test_a_node_whose_storage_read_was_incomplete_is_not_known_without_the_mn_drives() -> None:
    """A drive the read missed may be an MN drive: "does not hold them" is not known (old:
    False, the node on with the MN drives could be ruled out as the active MN); one seen is
    still seen."""
    from hamnhw.failover.active import _holds

    class Drive:
        def __init__(self, serial: str | None) -> None:
            self.serial = serial

    assert _holds({"A"}, [Drive("B")], incomplete=True) is None
    assert _holds({"A"}, [], incomplete=True) is None
    assert _holds({"A"}, [Drive("A")], incomplete=True) is True
