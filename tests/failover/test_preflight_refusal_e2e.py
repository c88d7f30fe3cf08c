"""A run stopped in its preflight with nothing done ends ``refused`` (runbook: "at `start`
the run is refused with nothing touched: `start` again"), through the real ``hamnhw``
command against a simulated pair; one that journaled an action never does."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable

import pytest
from clirun import hamnhw
from pairsim import PairSim, ready

from hamnhw.config import load_config
from hamnhw.failover import Coordinator, ScriptedOperator
from hamnhw.pair import open_journal
from hamnhw.pair.runguard import RunInProgress, check_power_change

pytestmark = pytest.mark.e2e

SYSTEM = "/redfish/v1/Systems/1"


def wrong_passwords(sim: PairSim) -> str:
    """A copy of the config whose every password_file holds a wrong password."""
    bad = sim.config_path.with_name("wrong.pw")
    bad.write_text("not-the-password\n")
    os.chmod(bad, 0o600)
    text = re.sub(r'^password_file = ".*"$', f'password_file = "{bad}"',
                  sim.config_path.read_text(), flags=re.M)
    path = sim.config_path.with_name("wrong-passwords.toml")
    path.write_text(text)
    return str(path)


def test_a_run_refused_in_its_preflight_is_finished(sim_pair: PairSim) -> None:
    """Admin review #1: the standby's BMC rejecting the login at `start` (exit 4) left run 1
    unfinished in `preflight`: the next `start` exited 1 and `power on` was refused.  Now
    `start --yes`, `start --dry-run` and `drill` each end refused, the reason journaled and
    saying what to fix and to start again, nothing sent; the guard does not count them, and
    `start` again goes on."""
    good, bad = ready(sim_pair), wrong_passwords(sim_pair)
    since = {name: len(sim_pair[name].requests) for name in ("primary", "standby")}
    for command in (("failover", "start", "--yes"), ("failover", "start", "--dry-run"),
                    ("drill", "--yes")):
        code, out = hamnhw(*command, "--config", bad)
        run = out["legs"][-1] if "legs" in out else out
        assert code == 4 and out["outcome"] == "refused", (command, out)
        assert run["state"] == "refused", run
        assert "nothing was touched" in run["stop_reason"], run
        assert ("[standby] username and the password hamnhw reads for it (password_file "
                f"{sim_pair.config_path.with_name('wrong.pw')}; after a password change on the "
                "BMC, put the new one there)") in run["stop_reason"], run
    assert f"`hamnhw drill --config {bad}` again" in run["stop_reason"], run
    assert "DRILL REFUSED" in out["verdict"], out
    for name in ("primary", "standby"):
        assert [r for r in sim_pair[name].requests[since[name]:] if r.method != "GET" and
                "Session" not in r.path] == [], name  # no login was even accepted
    check_power_change(load_config(good), ["primary", "standby"], "on")  # nothing unfinished
    code, log = hamnhw("failover", "log", "--config", good)
    refusals = [e["run_id"] for e in log["events"] if e["kind"] == "stop"
                and "nothing was touched" in e["message"]]
    assert refusals == [1, 2, 3], log
    code, out = hamnhw("failover", "start", "--dry-run", "--config", good)
    assert code == 0 and out["outcome"] == "dry-run", out


def test_a_run_that_journaled_an_action_is_never_closed_as_refused(sim_pair: PairSim) -> None:
    """A run in `preflight` holding a journaled power action (here put there by hand) stays
    unfinished when its preflight stops: only a run that did nothing is refused."""
    good = load_config(ready(sim_pair))
    with open_journal(good) as journal:
        run_id = journal.create_run("failover", "primary", "standby", {})
        journal.intent(run_id, "fence", "graceful", "primary", {"reset": "GracefulShutdown"})
    report = Coordinator(load_config(wrong_passwords(sim_pair)), ScriptedOperator()).resume()
    assert report.outcome == "stopped" and report.state == "preflight", report.text()
    with open_journal(good) as journal:
        assert journal.unfinished_run() is not None


def policy_patches(sim: PairSim, name: str) -> list[int | None]:
    """The status of every PowerRestorePolicy PATCH ``name`` received (None: unanswered)."""
    return [r.status for r in sim[name].requests if r.method == "PATCH"
            and isinstance(r.body, dict) and "PowerRestorePolicy" in r.body]


@pytest.mark.parametrize("applied", [True, False])
def test_a_restore_policy_patch_left_unanswered_is_no_refusal(
        start_pair: Callable[..., PairSim], applied: bool) -> None:
    """Review: the preflight's PATCH of the target's restore policy timed out (the BMC may
    have applied it), and the run was closed ``refused`` as if nothing had been done, the
    policy it had before forgotten.  Now the run stops, resumable, naming the PATCH left
    unanswered; the resume re-reads the policy before anything is sent again: applied, it is
    not sent twice; not applied, it is sent once more.  Either way the policy from before the
    run is the one remembered."""
    sim = start_pair(standby={"power_restore_policy": "LastState"})
    config = ready(sim)
    sim.configure({"standby": {"read_timeout": 1.0}})
    standby = sim["standby"]
    if applied:  # answered (and applied) after the client stopped waiting
        standby.inject("latency", count=1, path=SYSTEM, method="PATCH", seconds=3.0)
    else:  # never answered, never applied
        standby.inject("hang", count=1, path=SYSTEM, method="PATCH")
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 1 and out["outcome"] == "stopped" and out["state"] == "preflight", out
    stop = out["stop_reason"]
    assert f"PATCH {SYSTEM}" in stop and "may have applied it" in stop, stop
    assert "hamnhw failover resume" in stop and "nothing was touched" not in stop, stop
    assert len(policy_patches(sim, "standby")) == 1  # answered late, or never
    with pytest.raises(RunInProgress):
        check_power_change(load_config(config), ["standby"], "on")
    if applied:
        wait_for(lambda: standby.state.restore_policy == "AlwaysOff")
    code, out = hamnhw("failover", "resume", "--config", config)
    assert code == 10 and out["state"] == "awaiting_disks", out
    assert policy_patches(sim, "standby") == ([200] if applied else [None, 200])
    with open_journal(load_config(config)) as journal:
        run = journal.latest_run()
        assert run is not None and run.facts["target_policy_before"] == "LastState", run.facts
        events = [e.message for e in journal.events(run.id) if e.kind == "resume"]
    assert any("preflight.target_restore_policy: intent without outcome" in m
               for m in events), events


def wait_for(condition: Callable[[], bool], limit: float = 30.0) -> None:
    """Until ``condition()`` holds (the simulator applying a request it answers late)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the simulator never got there"
        time.sleep(0.05)


def test_the_fences_restore_policy_patch_left_unanswered_is_read_before_any_resend(
        start_pair: Callable[..., PairSim]) -> None:
    """The fence's PATCH of the old node's restore policy timed out, answered and applied
    after the client stopped waiting: the resume reads the policy and does not send the
    PATCH again (it was re-sent unread: only the preflight's write was judged so)."""
    sim = start_pair()
    config = ready(sim)
    sim.configure({"primary": {"read_timeout": 1.0}})
    primary = sim["primary"]
    primary.inject("latency", count=1, path=SYSTEM, method="PATCH", seconds=3.0)
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 1 and out["state"] == "fence", out
    assert len(policy_patches(sim, "primary")) == 1
    wait_for(lambda: primary.state.restore_policy == "AlwaysOff")
    code, out = hamnhw("failover", "resume", "--config", config)
    assert code == 10 and out["state"] == "awaiting_disks", out
    assert policy_patches(sim, "primary") == [200]  # read back, never sent twice
