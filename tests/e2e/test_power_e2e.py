"""Power semantics end to end: hamnhw.connect and the CLI against the simulator over loopback,
the simulator's clock shared with the driver's poll policy (no real sleeping).

A power cycle is believed only with evidence of the reset (a transition, or a new
``LastResetTime``, or ``BootProgress`` back in POST after a warm reset; a BMC with none of
these marks is cycled as off, then on); ``--no-wait`` results say they are unconfirmed and
why; an escalation that leaves ``ForceOff`` no time is refused before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

import hamnhw
from hamnhw import errors
from hamnhw.cli import options
from hamnhw.cli.budget import logout_reserve
from hamnhw.cli.main import cli
from hamnhw.interfaces import PollPolicy
from hamnhw.models import PowerState
from hamnhw.node import Node
from hamnhw.poll import LAST_READ_S
from hamnhw.sim import ManualClock, ServerSpec, SimCluster, SimServer

RESET_SUFFIX = "ComputerSystem.Reset"
WARM_RESETS = ("On", "ForceOff", "GracefulShutdown", "ForceRestart")
"""What iLO 5 and Supermicro offer: no PowerCycle; ForceRestart leaves PowerState On."""
DELAY = 1.0
"""``power_delay`` of the "slow" node: seconds in PoweringOff and in PoweringOn."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def cluster(clock: ManualClock) -> Iterator[SimCluster]:
    specs = [ServerSpec(name="instant", power="On", power_delay=0.0),
             ServerSpec(name="slow", power="On", power_delay=DELAY),
             ServerSpec(name="bootprogress", power="On", last_reset_time=False,
                        reset_types=WARM_RESETS),
             ServerSpec(name="blind", power="On", last_reset_time=False, boot_progress=False,
                        reset_types=WARM_RESETS)]
    with SimCluster(specs, clock=clock) as running:
        yield running


def poll(clock: ManualClock, timeout: float = 20.0) -> PollPolicy:
    return PollPolicy(interval=0.25, timeout=timeout, clock=clock, sleep=clock.sleep)


def connect(server: SimServer, clock: ManualClock, timeout: float = 20.0) -> Node:
    return hamnhw.connect(server.url, username=server.username, password=server.password,
                          poll=poll(clock, timeout), timeout=30.0)


def resets(server: SimServer) -> list[tuple[str, int | None]]:
    return [(r.body["ResetType"], r.status) for r in server.requests
            if r.method == "POST" and r.path.endswith(RESET_SUFFIX)]


def test_instant_cycle_is_confirmed_by_last_reset_time(cluster: SimCluster,
                                                       clock: ManualClock) -> None:
    server = cluster["instant"]
    before = server.state.last_reset_time
    clock.advance(5.0)
    with connect(server, clock) as node:
        result = node.power.cycle()
    assert (result.power_state, result.changed, result.confirmed) == (PowerState.ON, True, True)
    assert resets(server) == [("PowerCycle", 204)]
    assert server.state.last_reset_time > before  # PowerState never left On: the mark did it


def test_slow_cycle_waits_for_the_transition_back_to_on(cluster: SimCluster,
                                                        clock: ManualClock) -> None:
    server = cluster["slow"]
    with connect(server, clock) as node:
        result = node.power.cycle()
    assert (result.power_state, result.confirmed) == (PowerState.ON, True)
    assert result.elapsed_s >= 2 * DELAY  # PoweringOff then PoweringOn, on the manual clock
    assert resets(server) == [("PowerCycle", 204)]
    assert server.power_state == "On"


@pytest.mark.parametrize(("name", "reset_type"), [
    ("instant", "PowerCycle"), ("slow", "PowerCycle"), ("bootprogress", "ForceRestart")])
def test_ignored_reset_fails_the_cycle_after_exactly_one_post(cluster: SimCluster,
                                                              clock: ManualClock,
                                                              name: str, reset_type: str) -> None:
    server = cluster[name]
    server.inject("ignore_reset", count=1)
    with connect(server, clock, timeout=5.0) as node, \
            pytest.raises(errors.OperationFailed, match="never showed a reset"):
        node.power.cycle()
    assert resets(server) == [(reset_type, 204)]


def test_cycle_after_an_expired_session_resends_once(cluster: SimCluster,
                                                     clock: ManualClock) -> None:
    server = cluster["instant"]
    with connect(server, clock) as node:
        server.inject("expire_session", count=1, method="POST")
        result = node.power.cycle()
    assert (result.power_state, result.confirmed) == (PowerState.ON, True)
    assert resets(server) == [("PowerCycle", 401), ("PowerCycle", 204)]


def test_off_no_wait_is_unconfirmed_and_the_flap_shows_why(cluster: SimCluster,
                                                           clock: ManualClock) -> None:
    server = cluster["instant"]
    server.inject("power_flap", after=0.5)
    with connect(server, clock) as node:
        result = node.power.off(wait=False)
        assert (result.power_state, result.confirmed) == (PowerState.OFF, False)
        clock.advance(1.0)
        assert node.power.state() is PowerState.ON


# -- the CLI ----------------------------------------------------------------------------------

@pytest.fixture
def cli_poll(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    monkeypatch.setattr(options, "poll_policy", lambda: poll(clock))


def hamnhw_cli(server: SimServer, *args: str) -> Result:
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    return CliRunner().invoke(cli, [*args, server.url], env=env, catch_exceptions=False)


@pytest.mark.usefixtures("cli_poll")
def test_cli_no_wait_json_says_unconfirmed(cluster: SimCluster) -> None:
    server = cluster["slow"]
    result = hamnhw_cli(server, "--json", "power", "off", "--no-wait")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"node", "power_state", "changed", "elapsed_s", "confirmed",
                            "method", "unconfirmed_reason", "protocol"}
    assert (payload["power_state"], payload["confirmed"]) == ("powering_off", False)
    assert (payload["method"], payload["unconfirmed_reason"]) == ("reset", "no-wait")
    assert payload["elapsed_s"] == round(payload["elapsed_s"], 3)


@pytest.mark.usefixtures("cli_poll")
def test_cli_human_output_marks_no_wait(cluster: SimCluster, clock: ManualClock) -> None:
    server = cluster["slow"]
    unconfirmed = hamnhw_cli(server, "power", "off", "--no-wait")
    assert unconfirmed.stdout.rstrip().endswith(
        "(unconfirmed: --no-wait, the state was read once)")
    clock.advance(DELAY)
    confirmed = hamnhw_cli(server, "--json", "power", "off")
    assert confirmed.exit_code == 0, confirmed.output
    payload = json.loads(confirmed.stdout)
    assert (payload["confirmed"], payload["method"]) == (True, "reset")
    assert "unconfirmed_reason" not in payload


@pytest.mark.usefixtures("cli_poll")
@pytest.mark.parametrize(("escalate", "timeout"), [("10", "10"), ("15", "10")])
def test_cli_escalation_not_before_the_timeout_is_a_usage_error(cluster: SimCluster,
                                                                 escalate: str,
                                                                 timeout: str) -> None:
    server = cluster["instant"]
    result = hamnhw_cli(server, "--json", "power", "soft-off", "--escalate-after", escalate,
                        "--timeout", timeout)
    assert result.exit_code == 2, result.output
    message = json.loads(result.stdout)["error"]
    # --timeout minus the logout's reserve and the last read's time
    longest_wait = float(timeout) - logout_reserve(float(timeout)) - LAST_READ_S
    assert f"({escalate} s)" in str(message)
    assert f"longest wait ({longest_wait:g} s)" in str(message)
    assert resets(server) == []
    assert server.power_state == "On"


# -- warm resets (iLO 5, Supermicro: ForceRestart only, PowerState stays On) ------------------

def test_warm_reset_confirmed_by_boot_progress_back_in_post(cluster: SimCluster,
                                                            clock: ManualClock) -> None:
    server = cluster["bootprogress"]
    clock.advance(5.0)
    with connect(server, clock) as node:
        result = node.power.cycle()
    assert (result.power_state, result.changed, result.confirmed) == (PowerState.ON, True, True)
    assert resets(server) == [("ForceRestart", 204)]


def test_cycle_on_a_bmc_without_marks_is_off_then_on_confirmed(cluster: SimCluster,
                                                               clock: ManualClock) -> None:
    server = cluster["blind"]
    with connect(server, clock, timeout=5.0) as node:
        result = node.power.cycle()
    assert (result.power_state, result.changed, result.confirmed) == (PowerState.ON, True, True)
    assert result.method == "off-on"
    assert resets(server) == [("ForceOff", 204), ("On", 204)]
    assert server.power_state == "On"


@pytest.mark.usefixtures("cli_poll")
def test_cli_cycle_on_a_bmc_without_marks_says_off_on(cluster: SimCluster) -> None:
    server = cluster["blind"]
    result = hamnhw_cli(server, "--json", "power", "cycle")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["method"], payload["confirmed"], payload["power_state"]) == (
        "off-on", True, "on")
    assert "unconfirmed_reason" not in payload
    human = hamnhw_cli(server, "power", "cycle")
    assert human.exit_code == 0, human.output
    assert "off then on" in human.stdout and "unconfirmed" not in human.stdout
    assert [t for t, _ in resets(server)] == ["ForceOff", "On", "ForceOff", "On"]


def test_cycle_while_powering_off_is_refused_before_any_post(cluster: SimCluster,
                                                            clock: ManualClock) -> None:
    server = cluster["slow"]
    with connect(server, clock) as node:
        node.power.off(wait=False)
        assert server.power_state == "PoweringOff"
        with pytest.raises(errors.OperationFailed, match="powering off; wait for it"):
            node.power.cycle()
    assert resets(server) == [("ForceOff", 204)]
