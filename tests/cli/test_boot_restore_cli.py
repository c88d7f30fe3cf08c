"""``hamnhw boot`` and ``hamnhw restore-policy`` against the simulator: show, set and read
back, "already" without a request, and ``--dry-run`` printing the plan with no write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli_helpers import json_out, run

from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name="bootcli", password="boot-cli-pw-3d")]) as sim:
        yield sim


@pytest.fixture
def server(cluster: SimCluster) -> SimServer:
    sim = cluster["bootcli"]
    sim.clear_faults()
    return sim


@pytest.fixture
def env(server: SimServer) -> dict[str, str]:
    return {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}


def patches(server: SimServer) -> list[object]:
    return [r.body for r in server.requests if r.method == "PATCH"]


def test_boot_set_show_again_and_dry_run(server: SimServer, env: dict[str, str]) -> None:
    assert run("boot", server.url, "none", env=env).exit_code == 0
    server.clear_requests()
    dry = json_out(run("--json", "boot", server.url, "pxe", "--dry-run", env=env))
    assert (dry["dry_run"], dry["changed"], dry["wanted"]) == (True, True, "Pxe/Once")
    assert dry["requests"][0]["body"] == {"Boot": {"BootSourceOverrideTarget": "Pxe",
                                                   "BootSourceOverrideEnabled": "Once"}}
    assert patches(server) == []
    done = json_out(run("--json", "boot", server.url, "pxe", env=env))
    assert (done["boot_override"], done["changed"]) == ("Pxe/Once", True)
    assert patches(server) == [dry["requests"][0]["body"]]
    server.clear_requests()
    again = run("boot", server.url, "pxe", env=env)
    assert again.stdout.strip() == f"{server.url}: Pxe/Once (unchanged)"
    assert patches(server) == []
    shown = json_out(run("--json", "boot", server.url, env=env))
    assert shown == {"node": server.url, "boot_override": "Pxe/Once"}
    persistent = json_out(run("--json", "boot", server.url, "bios-setup", "--persistent",
                              env=env))
    assert persistent["boot_override"] == "BiosSetup/Continuous"


def test_restore_policy_set_show_again_and_dry_run(server: SimServer,
                                                   env: dict[str, str]) -> None:
    assert run("restore-policy", server.url, "always-on", env=env).exit_code == 0
    server.clear_requests()
    dry = run("restore-policy", server.url, "always-off", "--dry-run", env=env)
    assert dry.stdout.splitlines()[0] == (f"{server.url}: would set AlwaysOff (now AlwaysOn) "
                                          "(dry run: nothing sent)")
    assert patches(server) == []
    done = json_out(run("--json", "restore-policy", server.url, "always-off", env=env))
    assert (done["restore_policy"], done["changed"]) == ("AlwaysOff", True)
    assert patches(server) == [{"PowerRestorePolicy": "AlwaysOff"}]
    server.clear_requests()
    again = json_out(run("--json", "restore-policy", server.url, "always-off", env=env))
    assert (again["changed"], again["plan"]["summary"]) == (False, "already AlwaysOff")
    assert patches(server) == []
    assert json_out(run("--json", "restore-policy", server.url, env=env)) == {
        "node": server.url, "restore_policy": "AlwaysOff"}


def test_a_refused_patch_is_a_typed_failure(server: SimServer, env: dict[str, str]) -> None:
    run("restore-policy", server.url, "always-on", env=env)
    server.inject("refuse_restore_policy")
    result = run("--json", "restore-policy", server.url, "last-state", env=env)
    assert result.exit_code == 1
    error = json_out(result)["error"]
    assert error["type"] == "BadRequestError"
    assert "PATCH /redfish/v1/Systems/1 returned HTTP 400" in error["message"]


@pytest.mark.parametrize("args", [["boot", "--dry-run"], ["boot", "--persistent"],
                                  ["restore-policy", "--dry-run"]])
def test_dry_run_without_a_value_is_a_usage_error(server: SimServer, env: dict[str, str],
                                                  args: list[str]) -> None:
    server.clear_requests()
    result = run(args[0], server.url, *args[1:], env=env)
    assert result.exit_code == 2
    assert server.requests == []          # refused before connecting
