"""``hamnhw sim fault NODE KIND`` / ``--clear``: the simulator's fault injection from the
command line, against a running simulator: one node's BMC hangs (a read of it times out with
a typed error while the other node answers) or refuses the password, until cleared."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hamnhw.cli.commands.simfault import fault as fault_command
from hamnhw.cli.main import cli
from hamnhw.sim import FAULT_KINDS, SimCluster
from hamnhw.simfaults import FAULT_DESCRIPTIONS


def hamnhw(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def as_json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    result = hamnhw("--json", *args)
    return result.exit_code, [json.loads(line) for line in result.stdout.strip().splitlines()]


def power(config: str, *nodes: str) -> dict[str, dict[str, Any]]:
    """``hamnhw --json power status NODE...`` (3 s each): each node's line."""
    _code, lines = as_json("power", "status", *nodes, "--config", config, "--timeout", "3")
    return {line["node"]: line for line in lines if "node" in line}


def test_a_hung_bmc_times_out_with_a_typed_error_while_the_other_answers(
        cluster: SimCluster, config: str) -> None:
    code, (out,) = as_json("sim", "fault", "standby", "hang", "--config", config)
    assert code == 0, out
    assert (out["node"], out["fault"]["kind"], out["fault"]["count"]) == ("standby", "hang", None)
    assert out["next"] == "`hamnhw sim fault standby --clear` ends it"
    read = power(config, "primary", "standby")
    assert read["primary"]["power_state"] == "on"
    error = read["standby"]["error"]
    assert (error["type"], error["exit_code"]) == ("BmcUnreachable", 3), error
    assert "the BMC never sent an HTTP answer" in error["message"]
    listed = hamnhw("sim", "fault", "standby", "--config", config)
    assert listed.exit_code == 0 and listed.stdout.startswith("standby: hang on every request (")
    cleared = hamnhw("sim", "fault", "standby", "--clear", "--config", config)
    assert cleared.exit_code == 0, cleared.output
    assert cleared.stdout.strip() == "standby: 1 fault(s) cleared: hang on every request"
    assert cluster["standby"].faults.active() == []
    assert power(config, "standby")["standby"]["power_state"] == "off"
    again = hamnhw("sim", "fault", "standby", "--clear", "--config", config)
    assert again.stdout.strip() == "standby: no fault was active"


def test_a_refused_password_until_cleared_and_the_options_limit_a_fault(
        cluster: SimCluster, config: str) -> None:
    result = hamnhw("sim", "fault", "primary", "refuse_password", "--config", config)
    assert result.exit_code == 0, result.output
    error = power(config, "primary")["primary"]["error"]
    assert (error["type"], error["exit_code"]) == ("AuthenticationError", 4), error
    assert hamnhw("sim", "fault", "primary", "--clear", "--config", config).exit_code == 0
    assert power(config, "primary")["primary"]["power_state"] == "on"
    result = hamnhw("sim", "fault", "primary", "error_5xx", "--param", "status=502", "--count",
                    "2", "--method", "get", "--path", "/redfish/v1/Systems/1", "--config",
                    config)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "primary: fault error_5xx (status=502) on the next 2 GET requests under "
        "/redfish/v1/Systems/1")
    (active,) = cluster["primary"].faults.active()
    assert (active.kind, active.count, active.method, active.path, active.params) == (
        "error_5xx", 2, "GET", "/redfish/v1/Systems/1", {"status": 502})


@pytest.mark.parametrize(("args", "says"), [
    (("hang", "--clear"), "--clear takes no KIND"),
    (("--count", "2"), "go with a KIND"),
    (("latency", "--param", "secs=3"), "latency takes NAME=VALUE with NAME one of: seconds"),
    (("latency", "--param", "seconds=soon"), "VALUE must be a number"),
    (("meteor",), "'meteor' is not one of"),
])
def test_usage_errors_send_nothing(cluster: SimCluster, config: str, args: tuple[str, ...],
                                   says: str) -> None:
    result = hamnhw("sim", "fault", "primary", *args, "--config", config)
    assert result.exit_code == 2 and says in result.stderr, result.output
    assert cluster["primary"].faults.active() == []


def test_help_lists_every_kind_the_simulator_serves() -> None:
    assert set(FAULT_DESCRIPTIONS) == set(FAULT_KINDS)
    shown = hamnhw("sim", "fault", "--help").stdout
    for kind in FAULT_KINDS:
        assert f"\n    {kind}" in shown, kind
    assert "refuses the account's password" in shown
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert f"[bays|move|pull|insert|fail|cords|{fault_command.name}]" in hamnhw(
        "sim", "--help").stdout
