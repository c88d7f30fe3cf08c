"""A run stopped in its preflight with nothing done ends ``refused`` (runbook: "at `start`
the run is refused with nothing touched: `start` again"), through the real ``hamnhw``
command against a simulated pair; one that journaled an action never does."""

from __future__ import annotations

import os
import re

import pytest
from clirun import hamnhw
from pairsim import PairSim, ready

from hamnhw.config import load_config
from hamnhw.failover import Coordinator, ScriptedOperator
from hamnhw.pair import open_journal
from hamnhw.pair.runguard import check_power_change

pytestmark = pytest.mark.e2e


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
        assert "[standby] username and password_file" in run["stop_reason"], run
    assert "`hamnhw drill` again" in run["stop_reason"], run
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
