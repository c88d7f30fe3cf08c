"""A power command's wait and its deadline come from one resolved timeout
(``--timeout``, else the config's, else the default): the command's deadline is that
timeout, the wait ends the logout's reserve before it; ``--escalate-after`` is checked
against the longest wait before anything is sent.  The simulator's clock is shared
with the poll policy: nothing sleeps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import json_out, run
from hamnhw_drivers.generic.power import RedfishPower

from hamnhw.cli import options
from hamnhw.cli.budget import LOGOUT_RESERVE_S
from hamnhw.cli.commands.power import check_escalation
from hamnhw.errors import ConfigError
from hamnhw.poll import LAST_READ_S
from hamnhw.sim import ManualClock, ServerSpec, SimCluster, SimServer

POWER_DELAY_S = 30.0
"""Seconds the simulated host spends in PoweringOn: longer than every timeout here."""


@pytest.fixture
def server(clock: ManualClock) -> Iterator[SimServer]:
    spec = ServerSpec(name="slow", power="Off", power_delay=POWER_DELAY_S)
    with SimCluster([spec], clock=clock) as cluster:
        yield cluster["slow"]


def _env(server: SimServer) -> dict[str, str]:
    return {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}


def _config(server: SimServer, tmp_path: Path, timeout: float) -> str:
    path = tmp_path / "hamnhw.toml"
    path.write_text(f'[nodes.slow]\nbmc = "{server.url}"\ntimeout = {timeout}\n')
    return str(path)


def _assert_still_powering_on(result) -> None:
    assert result.exit_code == 1, result.output
    error = json_out(result)["error"]
    assert error["type"] == "PowerStateTimeout", error
    assert "powering_on" in error["message"]


def test_wait_longer_than_timeout_is_power_state_timeout(server: SimServer) -> None:
    result = run("--json", "power", "on", "--timeout", "5", server.url, env=_env(server))
    _assert_still_powering_on(result)


def test_config_timeout_bounds_the_wait(server: SimServer, tmp_path: Path) -> None:
    config = _config(server, tmp_path, 6)
    result = run("--json", "power", "on", "--config", config, "slow", env=_env(server))
    _assert_still_powering_on(result)


def test_escalation_checked_against_config_timeout_before_connecting(
        server: SimServer, tmp_path: Path) -> None:
    server.set_power("On")
    config = _config(server, tmp_path, 12)
    result = run("--json", "power", "soft-off", "--escalate-after", "8", "--config", config,
                 "slow", env=_env(server))
    assert result.exit_code == 2, result.output
    assert "longest wait (7 s)" in json_out(result)["error"]["message"]  # 12 - 3 - 2
    assert server.requests == [], "nothing is sent"
    assert server.power_state == "On"


@pytest.mark.parametrize(("escalate", "timeout"), [(6.0, 6.0), (10.0, 6.0)])
def test_check_escalation_refuses_no_shorter_than_timeout(escalate: float,
                                                          timeout: float) -> None:
    with pytest.raises(ConfigError, match="must be shorter"):
        check_escalation(escalate, timeout)


def test_check_escalation_accepts_shorter_or_none() -> None:
    check_escalation(None, 6.0)
    check_escalation(5.0, 6.0)


@pytest.mark.parametrize("command", [("power", "on"), ("nics",)])
def test_one_deadline_of_timeout_started_before_connecting(monkeypatch: pytest.MonkeyPatch,
                                                           command: tuple[str, ...]) -> None:
    seen: list[tuple[float, float]] = []

    def connect(**kwargs):
        deadline = kwargs["deadline"]
        seen.append((deadline.seconds, deadline.logout_by - deadline.started))
        raise ConfigError("stop here")

    monkeypatch.setattr(options.hamnhw, "connect", connect)
    result = run("--json", *command, "--timeout", "7", "redfish+http://127.0.0.1:9",
                 env={"HAMNHW_USERNAME": "u", "HAMNHW_PASSWORD": "p"})
    assert result.exit_code == 2, result.output
    # no margin: connecting and the action end 1.75 s (a quarter of 7) before --timeout,
    # the logout by --timeout itself
    assert seen == [(5.25, 7.0)]


@pytest.mark.parametrize(("timeout", "wait"), [(30.0, 30.0 - LOGOUT_RESERVE_S - LAST_READ_S),
                                               (7.0, 7.0 - 1.75 - LAST_READ_S), (3.0, 0.0)])
def test_power_wait_ends_the_logout_reserve_before_the_deadline(
        monkeypatch: pytest.MonkeyPatch, server: SimServer, timeout: float,
        wait: float) -> None:
    asked: list[float] = []
    real_on = RedfishPower.on

    def on(self, *, wait: bool = True, timeout: float | None = None):
        asked.append(timeout)
        return real_on(self, wait=wait, timeout=timeout)

    monkeypatch.setattr(RedfishPower, "on", on)
    run("--json", "power", "on", "--timeout", str(timeout), server.url, env=_env(server))
    assert len(asked) == 1
    assert wait - 2.0 < asked[0] <= wait  # minus what connecting took


@pytest.mark.e2e
def test_timeout_bounds_a_power_change_on_a_hung_bmc() -> None:
    """``power on --timeout 2`` on a BMC that never answers the reset: the command's work
    ends at its deadline minus the logout's reserve (1 s: half of 2 s), and the session is still
    logged out within the rest.  The reset was sent and never answered, so the BMC may have
    acted on it: ``StateUnconfirmed`` (exit 1), never a re-send (issue 6)."""
    with SimCluster([ServerSpec(name="hung", power="Off")]) as cluster:
        server = cluster["hung"]
        server.inject("hang", method="POST", path="/redfish/v1/Systems/")
        result = run("--json", "power", "on", "--timeout", "2", server.url, env=_env(server))
        assert result.exit_code == 1, result.output
        error = json_out(result)["error"]
        # the reset was sent and never answered: the BMC may have acted on it (issue 6)
        assert error["type"] == "StateUnconfirmed"
        assert "got no answer before the operation deadline" in error["message"]
        elapsed = float(re.search(r"\(after ([0-9.]+)s\)", error["message"]).group(1))
        assert 1.0 <= elapsed < 2.0, error["message"]  # the work's own deadline, not 17 s
        assert server.state.sessions == {}


def test_readme_and_help_say_the_same_about_timeout() -> None:
    from pathlib import Path

    help_text = " ".join(run("power", "on", "--help").stdout.split())
    assert "Seconds for the whole command: connecting, the action, its wait and logging out" \
        in help_text
    assert (f"Connecting, every request and a wait end {LOGOUT_RESERVE_S:g} s before the "
            "deadline (a quarter of a timeout under 20 s, at least 1 s)") in help_text
    assert f"{LAST_READ_S:g} s more for its last read" in help_text
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text().split())
    assert ("bounds the whole one-shot command: connecting, the action, its wait and logging "
            "out") in readme
    assert f"end {LOGOUT_RESERVE_S:g} s before the deadline" in readme
    assert "(a quarter of a `--timeout` under 20 s, at least 1 s, half of one under 2 s)" \
        in readme
    assert f"a wait ends {LAST_READ_S:g} s earlier still" in readme
    assert f"the longest wait is S - {LOGOUT_RESERVE_S + LAST_READ_S:g} s" in readme
    assert "15 s" not in help_text and "WAIT_MARGIN" not in readme
