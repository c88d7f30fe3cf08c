"""The runbook's dead-primary rehearsal, through the real ``hamnhw`` commands only: ``hamnhw
sim cords pull primary`` (its BMC silent, its host off), the failover stopped for "primary
power cords pulled", the acknowledgement typed once (it stands for every later check that
finds the primary silent), the dead primary's disks moved with
``hamnhw sim move --all-mn`` (through the standby's control port: the primary's is silent),
and the run done on the standby."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from clirun import hamnhw
from pairsim import SILENT_NODE, PairSim, mn_serials
from runs import ready

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(180)
def test_a_failover_from_a_primary_whose_cords_sim_pulled(
        start_pair: Callable[..., PairSim]) -> None:
    sim = start_pair(failover={"power_off_timeout": 0.5})
    config = str(sim.config_path)
    ready(sim)
    sim.configure({"primary": SILENT_NODE})  # silent reads cut short (see SILENT_NODE)
    code, pulled = hamnhw("sim", "cords", "pull", "primary", "--config", config)
    assert code == 0, pulled
    assert sim["primary"].cords.pulled and sim["primary"].power_state == "Off"
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 1 and out["needs"]["situation"] == "fence:unreachable", out
    assert out["needs"]["phrase"] == pulled["acknowledge"]
    stops = []
    for _ in range(8):  # stops in order (the acknowledgement asked for once)
        stops.append((out["state"], (out["needs"] or {}).get("situation", "").split("#")[0]))
        if code == 10:  # the WORK ORDER: the dead primary's disks into the standby
            code, moved = hamnhw("sim", "move", "--all-mn", "--config", config)
            assert code == 0 and {m["from"] for m in moved["moved"]} == {"primary"}, moved
        elif out["outcome"] == "done":
            break
        else:
            assert code == 1 and out["needs"]["phrase"] == pulled["acknowledge"], out
        disks = ["--disks-moved"] if out["state"] == "awaiting_disks" else []
        code, out = hamnhw("failover", "resume", *disks, "--acknowledge",
                           pulled["acknowledge"], "--config", config)
    assert out["outcome"] == "done" and out["active_node"] == "standby", out
    assert stops == [("fence", "fence:unreachable"), ("awaiting_disks", ""), ("done", "")]
    assert sorted(d.serial for d in sim["standby"].drives) == sorted(
        mn_serials(sim.cluster))
    assert sim.accepted_resets("primary") == [] and sim["primary"].cords.pulled
