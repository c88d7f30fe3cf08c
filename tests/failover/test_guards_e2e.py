"""What the CLI says and refuses while a failover or drill is unfinished: plain power
commands, the drill's "to go on" line, the partial-mirror stop (real ``hamnhw``
subprocesses against a simulated pair)."""

from __future__ import annotations

import pytest
from clirun import hamnhw
from pairsim import PairSim, mn_serials, ready

from hamnhw.config import load_config
from hamnhw.failover.journal import journal_path
from hamnhw.failover.overrides import overrides
from hamnhw.pair import open_journal
from hamnhw.sim.forward import TcpForwarder

pytestmark = pytest.mark.e2e


def test_power_on_or_cycle_during_an_unfinished_failover_is_refused(sim_pair: PairSim) -> None:
    config = ready(sim_pair)
    assert hamnhw("failover", "start", "--yes", "--config", config)[0] == 10
    for nodes in (("standby",), ("primary", "standby")):  # one node, and the fan-out
        code, out = hamnhw("power", "on", *nodes, "--config", config)
        assert code == 2, (nodes, out)
        message = out["error"]["message"]
        assert "run 1" in message and "awaiting_disks" in message, message
        assert "--yes" in message, message  # the suggestion carries the --config given:
        assert f"hamnhw failover resume --config {config}" in message, message
    code, out = hamnhw("power", "cycle", "primary", "--config", config)
    assert code == 2 and "run 1" in out["error"]["message"], out
    assert sim_pair.reset_posts("primary")[-1:] != [("On", 204)]
    assert sim_pair.accepted_resets("standby") == []
    assert sim_pair["primary"].power_state == "Off" and sim_pair["standby"].power_state == "Off"
    assert hamnhw("power", "off", "standby", "--config", config)[0] == 0  # off: allowed
    code, out = hamnhw("power", "on", "standby", "--yes", "--config", config)
    assert code == 0 and out["power_state"] == "on", out  # before the move: --yes goes on


def test_the_old_node_is_never_powered_on_after_the_disks_moved(sim_pair: PairSim) -> None:
    """Review 6 #10 and #2: one drive moved, the partial-mirror stop names what it needs
    (no stale-half warning yet); the old node cannot be powered on, --yes included; the
    missing drive moved, resume finishes without any stale-half warning (--disks-moved is
    not needed there, and the warning says why)."""
    config = ready(sim_pair)
    assert hamnhw("failover", "start", "--yes", "--config", config)[0] == 10
    first, second = mn_serials(sim_pair.cluster)[:2]
    sim_pair.move_mn_drives("primary", "standby", [first])
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 1 and out["state"] == "verify", out
    assert out["needs"]["kind"] == "partial_mirror" and out["needs"]["missing"] == [second]
    assert second in out["needs"]["resume"] and "--accept-degraded" in out["needs"]["resume"]
    assert not any("stale mirror half" in w for w in out["warnings"]), out["warnings"]
    for extra in ((), ("--yes",)):
        code, refused = hamnhw("power", "on", "primary", *extra, "--config", config)
        assert code == 2 and "disks" in refused["error"]["message"], refused
    code, refused = hamnhw("power", "cycle", "primary", "--yes", "--config", config)
    assert code == 2, refused
    assert sim_pair.accepted_resets("primary") == ["GracefulShutdown"]
    sim_pair.move_mn_drives("primary", "standby", [second])
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)  # a habit
    assert code == 0 and out["outcome"] == "done", out
    assert any("reads its drives again" in w for w in out["warnings"]), out["warnings"]
    assert not any("stale mirror half" in w for w in out["warnings"]), out["warnings"]
    code, out = hamnhw("power", "on", "primary", "--config", config)  # the run is done
    assert code == 0, out


def test_a_drill_stop_names_drill_resume(sim_pair: PairSim) -> None:
    """Review 6 #8: the drill's stops say `hamnhw drill resume`; `failover resume` on a
    drill's leg says that it finishes the leg only."""
    config = ready(sim_pair)
    code, out = hamnhw("drill", "--yes", "--config", config)
    assert code == 10, out
    leg = out["legs"][-1]
    assert leg["needs"]["resume"] == f"hamnhw drill resume --config {config} --disks-moved", \
        leg["needs"]
    assert "hamnhw drill resume" in leg["stop_reason"], leg["stop_reason"]
    assert "failover resume" not in leg["stop_reason"], leg["stop_reason"]
    sim_pair.move_mn_drives("primary", "standby")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 0 and out["kind"] == "drill-failover", out
    assert any("hamnhw drill resume" in w for w in out["warnings"]), out["warnings"]
    code, out = hamnhw("drill", "resume", "--config", config)  # the failback starts
    assert code == 10 and out["legs"][-1]["kind"] == "drill-failback", out


def test_a_drill_on_a_terminal_asks_for_drill_resume(sim_pair: PairSim) -> None:
    """The terminal's prompt at the disk move names the command of the run's kind (library
    level: a terminal operator whose prompt answers empty, i.e. "stop here")."""
    from hamnhw.failover.drill import Drill
    from hamnhw.failover.operator import TtyOperator

    config = ready(sim_pair)
    asked: list[str] = []
    operator = TtyOperator(prompt=lambda text: asked.append(text) or "", say=lambda _t: None)
    report = Drill(load_config(config), operator).start(yes=True)
    assert report.outcome == "waiting", report.text()
    assert "`hamnhw drill resume --disks-moved`" in asked[-1], asked


def disks_said_moved(sim: PairSim) -> str:
    """A failover stopped for the disks, the operator's word that they were moved recorded
    (the run's ``disks_moved_by`` fact); the config's path."""
    config = ready(sim)
    assert hamnhw("failover", "start", "--yes", "--config", config)[0] == 10
    with open_journal(load_config(config)) as journal:
        run = journal.unfinished_run()
        assert run is not None
        journal.update_facts(run.id, {"disks_moved_by": "test"})
    return config


def test_the_old_node_named_by_another_url_or_an_alias_is_refused(sim_pair: PairSim) -> None:
    """Review: the run guard recognises the old node however it is named: its BMC URL as
    given, spelt another way (scheme case, trailing slash), another config entry for its
    BMC; --yes included, nothing sent."""
    config = disks_said_moved(sim_pair)
    url = sim_pair["primary"].url
    scheme, rest = url.split("://", 1)
    with open(config, "a", encoding="utf-8") as out:
        out.write(f'\n[nodes.mn1]\nbmc = "{url}"\nusername = "admin"\n')
    sim_pair["primary"].clear_requests()
    for node in (url, scheme.upper() + "://" + rest + "/", "mn1"):
        for action, extra in (("on", ()), ("on", ("--yes",)), ("cycle", ("--yes",))):
            code, out = hamnhw("power", action, node, *extra, "--username", "admin",
                               "--config", config,
                               env={"HAMNHW_PASSWORD": sim_pair["primary"].password})
            assert code == 2, (node, action, out)
            message = out["error"]["message"]
            assert "primary" in message and "disks were said moved" in message, message
    assert [r for r in sim_pair["primary"].requests if r.method == "POST"
            and "Session" not in r.path] == []
    assert sim_pair["primary"].power_state == "Off"


def test_the_old_node_at_an_address_the_config_does_not_know_is_refused_by_its_serial(
        sim_pair: PairSim) -> None:
    """Review: an IPv4-mapped IPv6 spelling of the old node's BMC got past the run guard
    and powered it on after its disks were said moved.  Such a spelling is now the IPv4
    host; and an address the config cannot know (here a forwarded port: a NAT, an alias)
    is caught by the node's System serial, read before anything is sent: --yes and the dry
    run included, nothing is sent to it; the standby (another serial) is not refused so."""
    config = disks_said_moved(sim_pair)
    primary = sim_pair["primary"]
    primary.clear_requests()
    scheme = primary.url.split("://", 1)[0]
    env = {"HAMNHW_PASSWORD": primary.password}
    mapped = f"{scheme}://[::ffff:127.0.0.1]:{primary.port}"
    code, out = hamnhw("power", "on", mapped, "--yes", "--username", "admin", "--insecure",
                       "--config", config, env=env)
    assert code == 2 and "disks were said moved" in out["error"]["message"], out
    with TcpForwarder(("127.0.0.1", primary.port)) as forwarder:
        elsewhere = f"{scheme}://127.0.0.1:{forwarder.port}"
        for action, extra in (("on", ("--yes",)), ("cycle", ("--yes",)),
                              ("on", ("--yes", "--dry-run"))):
            code, out = hamnhw("power", action, elsewhere, *extra, "--username", "admin",
                               "--insecure", "--config", config, env=env)
            assert code == 2, (action, extra, out)
            message = out["error"]["message"]
            assert "System serial" in message and "is primary's in the pair snapshot" in (
                message), message
            assert "never powered" in message and "--yes included" in message, message
    assert [r for r in primary.requests if r.method == "POST"
            and "Session" not in r.path] == []
    assert primary.power_state == "Off"
    code, out = hamnhw("power", "on", "standby", "--yes", "--config", config)
    assert code == 0, out  # another serial: the address guard's --yes rule alone


def test_an_unreadable_journal_refuses_power_on_of_either_pair_node(sim_pair: PairSim
                                                                     ) -> None:
    """Review: a journal that exists but cannot be read (here: garbage bytes) does not turn
    the guard off: on and cycle of a pair node are refused, --yes included, saying the
    journal cannot be read; off works with --yes (either node may be the active MN)."""
    config = ready(sim_pair)
    loaded = load_config(config)
    journal_path(loaded.pair.journal_dir, loaded.pair.journal_name).write_bytes(
        b"garbage, not a journal " * 200)
    for node, action in (("primary", "on"), ("standby", "on"), ("standby", "cycle")):
        for extra in ((), ("--yes",)):
            code, out = hamnhw("power", action, node, *extra, "--config", config)
            assert code == 2, (node, action, extra, out)
            message = out["error"]["message"]
            assert "journal cannot be read" in message and "--yes included" in message, message
            assert "the file is damaged: restore it from a backup" in message, message
            assert "do not delete or move it aside" in message, message
    assert sim_pair.accepted_resets("primary") == [] and sim_pair.accepted_resets("standby") == []
    code, out = hamnhw("power", "off", "standby", "--config", config)
    assert code == 2 and "possibly: the failover journal cannot be read" in out["error"][
        "message"], out
    code, out = hamnhw("power", "off", "standby", "--yes", "--config", config)
    assert code == 0, out


def override_events(config: str) -> list[str]:
    """The commands of the override events the journal holds (every run)."""
    with open_journal(load_config(config)) as journal:
        return [e.data["command"] for e in overrides(journal.events())]


def test_a_dry_run_with_yes_during_an_unfinished_failover_journals_no_override(
        sim_pair: PairSim) -> None:
    """Review: ``power on|cycle NODE --yes --dry-run`` over an unfinished run sends nothing,
    so it journals no override (the run would later blame that command for a power-on);
    without --yes the dry run still predicts the refusal; the real --yes journals one.
    (The cycle's plan fails, the node being off, after the guard let it through.)"""
    config = ready(sim_pair)
    assert hamnhw("failover", "start", "--yes", "--config", config)[0] == 10
    code, out = hamnhw("power", "on", "standby", "--dry-run", "--config", config)
    assert code == 2 and "run 1" in out["refused"]["message"], out  # refusal predicted
    code, out = hamnhw("power", "on", "standby", "--yes", "--dry-run", "--config", config)
    assert code == 0 and out["refused"] is None, out
    assert out["summary"] == "would send On (now off)", out
    code, out = hamnhw("power", "cycle", "standby", "--yes", "--dry-run", "--config", config)
    assert code == 1 and "the node is off" in out["error"]["message"], out  # guard passed
    assert sim_pair.accepted_resets("standby") == []
    assert sim_pair["standby"].power_state == "Off"
    assert override_events(config) == []
    code, log = hamnhw("failover", "log", "--config", config)
    assert code == 0 and [e for e in log["events"] if e["kind"] == "override"] == [], log
    code, out = hamnhw("power", "on", "standby", "--yes", "--config", config)
    assert code == 0 and out["power_state"] == "on", out
    assert override_events(config) == ["hamnhw power on standby --yes"]


def test_the_old_node_matched_only_in_doubt_is_left_to_the_serial_check(
        sim_pair: PairSim, hung_names: set[str]) -> None:
    """A pair BMC name not resolved in time matches in doubt: power on without --yes is
    refused (the run is unfinished), naming the doubt; with --yes the address guard does not
    refuse "--yes included" (it cannot tell), and the System serial check, which reads the
    node itself, refuses the old node (the test above)."""
    from hamnhw.pair.runguard import RunInProgress, check_power_change

    config_path = disks_said_moved(sim_pair)
    url = sim_pair["primary"].url
    address = url.split("://", 1)[1].rstrip("/")
    with open(config_path, encoding="utf-8") as source:
        text = source.read()
    with open(config_path, "w", encoding="utf-8") as out:
        out.write(text.replace(f'"{url}', f'"{url.replace("127.0.0.1", "mn.hung.test")}'))
    config = load_config(config_path)
    assert "mn.hung.test" in config.nodes["primary"].bmc and address in url
    hung_names.add("mn.hung.test")
    with pytest.raises(RunInProgress) as refused:
        check_power_change(config, [url], "on", dry_run=True)
    check_power_change(config, [url], "on", yes=True, dry_run=True)
    message = str(refused.value)
    assert "possibly: mn.hung.test did not resolve within 0.05 s" in message, message
    assert "or add --yes" in message and "--yes included" not in message, message
