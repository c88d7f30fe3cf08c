"""A drill whose old node an operator powers on with ``hamnhw power on primary --yes``
while the run waits for the disks (admin review): the override is journaled and named by
the stop that follows; real ``hamnhw`` subprocesses against a simulated pair."""

from __future__ import annotations

import time

import pytest
from clirun import hamnhw
from pairsim import PairSim, ready

from hamnhw.config import load_config
from hamnhw.pair import open_journal

pytestmark = pytest.mark.e2e

POWER_ON = "`hamnhw power on primary --yes`"
CORDS = "primary power cords pulled"
ACTIVE = "primary is the active MN"


def since(sim: PairSim) -> str:
    """When the journal recorded the active node, as the warnings say it."""
    with open_journal(load_config(str(sim.config_path))) as journal:
        recorded = journal.active_node()
    assert recorded is not None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(recorded.set_at))


def test_a_drill_whose_old_node_was_powered_on_by_hand(sim_pair: PairSim) -> None:
    config = ready(sim_pair)  # the active node is journaled: the phrase is not needed
    code, out = hamnhw("drill", "--yes", "--acknowledge", ACTIVE, "--config", config,
                       json_output=False)  # as an operator reads it
    ignored = (f"--acknowledge {ACTIVE!r} ignored: the journal records primary as the active "
               f"MN already (since {since(sim_pair)}, test): that phrase is asked for only "
               "when it does not")  # admin review #6: said, as an early --disks-moved is
    assert code == 10 and f"WARNING: {ignored}" in out["_stdout"], out  # in the report
    assert out["_stderr"].count(ignored) == 1, out["_stderr"]  # review #7: once on stderr
    code, out = hamnhw("power", "on", "primary", "--yes", "--config", config)
    assert code == 0 and sim_pair["primary"].power_state == "On", out
    sim_pair.move_mn_drives("primary", "standby")
    code, out = hamnhw("drill", "resume", "--disks-moved", "--config", config)
    leg = out["legs"][-1]
    assert code == 1 and leg["needs"]["phrase"] == CORDS, out
    assert f"primary powered on by {POWER_ON} at " in leg["stop_reason"], leg["stop_reason"]
    assert "itself" not in leg["stop_reason"], leg["stop_reason"]
    assert [POWER_ON in o and "run 1" in o for o in leg["overrides"]] == [True], leg
    code, log = hamnhw("failover", "log", "--config", config)
    assert [e["data"]["command"] for e in log["events"] if e["kind"] == "override"] == [
        POWER_ON.strip("`")], log
    code, out = hamnhw("drill", "resume", "--disks-moved", "--acknowledge", CORDS,
                       "--config", config)
    assert code == 10 and out["legs"][-1]["kind"] == "drill-failback", out
    sim_pair.move_mn_drives("standby", "primary")
    code, out = hamnhw("drill", "resume", "--disks-moved", "--config", config)
    assert code == 0 and out["outcome"] == "passed", out  # every check passed...
    verdict = out["verdict"].splitlines()
    assert verdict[0].startswith("DRILL PASSED with 3 warning(s)"), verdict  # ...but
    assert f"leg 1 (failover): --acknowledge {ACTIVE!r} ignored" in verdict[1], verdict
    assert "leg 1 (failover): primary reads on after its fence" in verdict[2], verdict
    assert "leg 1 (failover): override: " in verdict[3] and POWER_ON in verdict[3], verdict
    assert [w["leg"] for w in out["warnings"]] == ["drill-failover"] * 3, out["warnings"]
