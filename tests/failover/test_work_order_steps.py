"""``[failover] disk_move_steps``: the steps the operator does by hand at the disk move (Kea's
``lease4-del`` commands) are in the WORK ORDER the run prints (outside review: the runbook
made them part of the disk move, but the work order the operator follows never said so);
hamnhw never runs them."""

from __future__ import annotations

import pytest
from clirun import hamnhw
from pairsim import ready

from hamnhw.errors import ConfigError
from hamnhw.pairconfig import parse_failover

pytestmark = pytest.mark.e2e

STEP = ("echo '{\"command\": \"lease4-del\", \"arguments\": {\"ip-address\": \"127.0.0.9\"}}' "
        "| socat UNIX:/run/kea/kea4-ctrl-socket -")


def test_the_work_order_lists_the_disk_move_steps(start_pair) -> None:  # type: ignore[no-untyped-def]
    sim = start_pair(failover={"disk_move_steps": [STEP]})
    config = ready(sim)
    code, text = hamnhw("failover", "start", "--yes", "--config", config, json_output=False)
    assert code == 10, text
    order = text["_stdout"] + text["_stderr"]
    assert "WORK ORDER" in order
    assert "then, with primary off and before standby boots ([failover] disk_move_steps):" in (
        order), order
    assert f"    $ {STEP}" in order, order
    code, status = hamnhw("failover", "status", "--config", config)
    assert code == 0 and status["work_order"]["steps"] == [STEP], status


def test_disk_move_steps_are_checked() -> None:
    assert parse_failover({"disk_move_steps": [" a b "]}, "c.toml").disk_move_steps == ("a b",)
    for bad in ("one string", [""], [3]):
        with pytest.raises(ConfigError, match="disk_move_steps"):
            parse_failover({"disk_move_steps": bad}, "c.toml")
