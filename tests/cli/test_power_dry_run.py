"""``hamnhw power on|off|soft-off|cycle --dry-run``: the plan, and no write reaches the BMC."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli_helpers import json_out, run

from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name="dry", password="dry-run-pw-5c")]) as sim:
        yield sim


@pytest.fixture
def server(cluster: SimCluster) -> SimServer:
    sim = cluster["dry"]
    sim.set_power("On")
    sim.clear_requests()
    return sim


@pytest.fixture
def env(server: SimServer) -> dict[str, str]:
    return {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}


def resets(server: SimServer) -> list[str]:
    return [r.path for r in server.requests if r.method == "POST" and "Reset" in r.path]


@pytest.mark.parametrize(("command", "reset_types"), [
    ("off", ["ForceOff"]), ("soft-off", ["GracefulShutdown"]), ("cycle", ["PowerCycle"]),
])
def test_dry_run_prints_the_plan_and_sends_nothing(server: SimServer, env: dict[str, str],
                                                   command: str, reset_types: list[str]) -> None:
    result = run("--json", "power", command, "--dry-run", server.url, env=env)
    assert result.exit_code == 0, result.output
    payload = json_out(result)
    assert payload["dry_run"] is True and payload["changed"] is True
    assert payload["current"] == "on"
    assert [r["body"]["ResetType"] for r in payload["requests"]] == reset_types
    assert payload["requests"][0]["method"] == "POST"
    assert payload["requests"][0]["path"].endswith("/Actions/ComputerSystem.Reset")
    assert resets(server) == []
    assert server.power_state == "On"


def test_dry_run_of_a_node_already_in_state(server: SimServer, env: dict[str, str]) -> None:
    payload = json_out(run("--json", "power", "on", "--dry-run", server.url, env=env))
    assert (payload["changed"], payload["summary"], payload["requests"]) == (False, "already on",
                                                                            [])


def test_dry_run_text_and_escalation(server: SimServer, env: dict[str, str]) -> None:
    result = run("power", "soft-off", "--dry-run", "--escalate-after", "20", server.url, env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (f"{server.url}: would send GracefulShutdown, then ForceOff (now on) "
                        "(dry run: nothing sent)")
    assert "ForceOff" in lines[2] and "20 s" in lines[3]
    assert resets(server) == []


def test_dry_run_cycle_of_an_off_node_fails_like_the_cycle(server: SimServer,
                                                          env: dict[str, str]) -> None:
    server.set_power("Off")
    result = run("--json", "power", "cycle", "--dry-run", server.url, env=env)
    assert result.exit_code == 1
    assert "power cycle refused" in json_out(result)["error"]["message"]
    assert resets(server) == []
