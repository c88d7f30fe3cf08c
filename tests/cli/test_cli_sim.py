"""The real CLI against the built-in simulator over loopback HTTP: the JSON contract."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import json_out, run

from hamnhw.sim import ServerSpec, SimCluster, SimServer

NIC_KEYS = {"id", "mac", "permanent_mac", "link", "speed_mbps"}
DRIVE_KEYS = {"id", "serial", "model", "capacity_bytes", "media", "protocol", "health", "state",
              "location"}
VOLUME_KEYS = {"id", "name", "raid_type", "capacity_bytes", "health", "state", "drives",
               "operation"}
POWER_STATES = {"on", "off", "powering_on", "powering_off", "unknown"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    specs = [ServerSpec(name=n, password="s3cr3t-sim-pw-9f") for n in ("primary", "standby")]
    with SimCluster(specs) as sim:
        yield sim


@pytest.fixture
def server(cluster: SimCluster) -> SimServer:
    """The primary, powered off, with an empty request log."""
    primary = cluster["primary"]
    primary.set_power("Off")
    primary.clear_faults()
    primary.clear_requests()
    return primary


@pytest.fixture
def env(server: SimServer) -> dict[str, str]:
    return {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}


def test_power_status(server: SimServer, env: dict[str, str]) -> None:
    result = run("--json", "power", "status", server.url, env=env)
    assert result.exit_code == 0, result.output
    assert json_out(result) == {"node": server.url, "power_state": "off", "protocol": "redfish"}


@pytest.mark.usefixtures("no_sleep")
def test_power_on_then_again(server: SimServer, env: dict[str, str]) -> None:
    first = json_out(run("--json", "power", "on", server.url, env=env))
    assert set(first) == {"node", "power_state", "changed", "elapsed_s", "confirmed", "method",
                          "protocol"}
    assert first["protocol"] == "redfish"
    assert first["power_state"] == "on"
    assert first["confirmed"] is True
    assert first["changed"] is True
    assert isinstance(first["elapsed_s"], float)
    assert server.power_state == "On"
    again = json_out(run("--json", "power", "on", server.url, env=env))
    assert again["changed"] is False


@pytest.mark.usefixtures("no_sleep")
@pytest.mark.parametrize("action", ["off", "soft-off", "cycle"])
def test_power_changes_from_on(server: SimServer, env: dict[str, str], action: str) -> None:
    server.set_power("On")
    result = run("--json", "power", action, "--timeout", "20", server.url, env=env)
    assert result.exit_code == 0, result.output
    payload = json_out(result)
    assert {"node", "power_state", "changed", "elapsed_s"} <= set(payload)
    assert payload["power_state"] in POWER_STATES
    assert payload["power_state"] == ("on" if action == "cycle" else "off")
    assert payload["changed"] is True


def test_power_no_wait(server: SimServer, env: dict[str, str]) -> None:
    result = run("--json", "power", "on", "--no-wait", server.url, env=env)
    assert result.exit_code == 0, result.output
    assert json_out(result)["power_state"] in POWER_STATES
    posts = [r for r in server.requests if r.method == "POST" and "Reset" in r.path]
    assert len(posts) == 1


def test_cycle_refused_when_off_is_an_error_object(server: SimServer,
                                                   env: dict[str, str]) -> None:
    result = run("--json", "power", "cycle", server.url, env=env)
    assert result.exit_code == 1
    error = json_out(result)["error"]
    assert error["exit_code"] == 1
    assert error["type"]


def test_nics(server: SimServer, env: dict[str, str]) -> None:
    payload = json_out(run("--json", "nics", server.url, env=env))
    assert set(payload) >= {"node", "nics", "bmc_nics"}
    assert all(set(nic) >= NIC_KEYS for nic in payload["nics"])
    assert [n["mac"] for n in payload["nics"]] == [n.mac for n in server.spec.nics]
    assert [n["mac"] for n in payload["bmc_nics"]] == [server.spec.bmc_mac]


def test_inventory(server: SimServer, env: dict[str, str]) -> None:
    payload = json_out(run("--json", "inventory", server.url, env=env))
    assert set(payload) >= {"node", "system", "manager", "controllers", "drives", "volumes"}
    assert {"manufacturer", "model", "serial", "uuid"} <= set(payload["system"])
    assert payload["system"]["serial"] == server.spec.serial
    assert payload["system"]["uuid"] == server.spec.uuid
    assert {"model", "firmware"} <= set(payload["manager"])
    assert payload["manager"]["firmware"] == server.spec.firmware
    assert all(set(d) >= DRIVE_KEYS for d in payload["drives"])
    assert sorted(d["serial"] for d in payload["drives"]) == sorted(
        d.serial for d in server.drives)
    assert all(set(v) >= VOLUME_KEYS for v in payload["volumes"])


def test_raid_show(server: SimServer, env: dict[str, str]) -> None:
    payload = json_out(run("--json", "raid", "show", server.url, env=env))
    assert set(payload) >= {"node", "volumes", "drives"}
    (volume,) = payload["volumes"]
    assert set(volume) >= VOLUME_KEYS
    assert volume["raid_type"] == "RAID1"
    assert sorted(volume["drives"]) == sorted(d["id"] for d in payload["drives"])
    assert volume["operation"] is None
    assert all(set(d) >= DRIVE_KEYS for d in payload["drives"])


def test_detect(server: SimServer, env: dict[str, str]) -> None:
    assert json_out(run("--json", "detect", server.url, env=env)) == {
        "node": server.url, "driver": "generic",
        "reason": "ServiceRoot Vendor 'Contoso' names no installed driver's vendor; "
                  "generic DMTF Redfish", "warning": None}


@pytest.mark.parametrize("args", [["nics"], ["inventory"], ["raid", "show"], ["detect"],
                                  ["power", "status"]])
def test_human_output_is_a_table_not_json(server: SimServer, env: dict[str, str],
                                          args: list[str]) -> None:
    result = run(*args, server.url, env=env)
    assert result.exit_code == 0, result.output
    assert not result.stdout.startswith("{")
    assert server.url in result.stdout


def test_wrong_password_exits_4(server: SimServer) -> None:
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": "wrong-pw-xyz"}
    result = run("--json", "detect", server.url, env=env)
    assert result.exit_code == 4, result.output
    error = json_out(result)["error"]
    assert error == {"type": error["type"], "message": error["message"], "exit_code": 4}
    assert "wrong-pw-xyz" not in result.output
    assert error["type"] == "AuthenticationError"
    assert error["message"].endswith(f": credentials rejected (HTTP 401) for user "
                                      f"'{server.username}' (password from $HAMNHW_PASSWORD)")


def test_a_password_rotated_during_a_basic_auth_command_exits_4_naming_it() -> None:
    """Basic auth (no SessionService): the BMC accepts the credentials, then its password is
    changed within the command; the 401 is the credentials refused (exit 4, the password to
    update named), not an account lacking a right (exit 1), and they are not sent again."""
    spec = ServerSpec(name="basic", power="Off", session_service=False)
    with SimCluster([spec]) as sim:
        server = sim["basic"]
        server.inject("rotate_password", path="/redfish/v1/Systems/1", method="GET", count=1)
        env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
        result = run("--json", "power", "status", server.url, env=env)
        refused = [(r.method, r.path) for r in server.requests
                   if r.status == 401 and not r.path.endswith("/Sessions")]
        accepted = [r.path for r in server.requests if r.status == 200 and r.auth == "basic"]
    assert result.exit_code == 4, result.output
    error = json_out(result)["error"]
    assert error["type"] == "AuthenticationError"
    assert "accepted them on this connection" in error["message"]
    assert "password_file or password_env" in error["message"]
    assert accepted == ["/redfish/v1/Systems"]  # the credentials worked first
    assert refused == [("GET", "/redfish/v1/Systems/1")]


def test_node_from_config_with_password_file(server: SimServer, tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    pw = tmp_path / "primary.pw"
    pw.write_text(server.password + "\n")
    os.chmod(pw, 0o600)
    (tmp_path / "hamnhw.toml").write_text(
        f'[primary]\nbmc = "{server.url}"\nusername = "{server.username}"\n'
        'password_file = "primary.pw"\n')
    caplog.set_level(logging.DEBUG)
    result = run("--json", "--log-level", "debug", "power", "status", "primary")
    assert result.exit_code == 0, result.output
    assert json_out(result) == {"node": "primary", "power_state": "off", "protocol": "redfish"}
    assert server.password not in result.output + caplog.text
    assert f"primary.password_file {pw}" in caplog.text  # where the password came from, not what


def test_demo_json(no_retry_sleep: list[float]) -> None:
    result = run("--json", "demo", "--power-delay", "0.1")
    assert result.exit_code == 0, result.output
    report = json_out(result)
    assert set(report["snapshot"]["nodes"]) == {"primary", "standby"}
    assert report["passed"] is True
    drill = report["drill"]
    assert drill["outcome"] == "passed"
    assert [leg["direction"] for leg in drill["legs"]] == ["primary -> standby",
                                                           "standby -> primary"]
    assert all(c["passed"] is not False for c in drill["checks"])
    assert any(c["name"] == "verify: fresh POST" and c["passed"] for c in drill["checks"])
    assert report["standby_off"] is True, "the standby stays off until a failover"


def test_demo_human() -> None:
    result = run("demo", "--power-delay", "0.1")
    assert result.exit_code == 0, result.output
    for text in ("WORK ORDER", "(simulated operator) moved", "=== drill report ===",
                 "DRILL PASSED"):
        assert text in result.stdout
    assert result.stdout.rstrip().endswith(
        "Simulator stopped: both simulated BMCs are shut down.")


@pytest.mark.usefixtures("clock")
def test_soft_off_escalates_to_force_off(server: SimServer, env: dict[str, str]) -> None:
    # --escalate-after counts from the command's start: 0.05 s could pass while connecting on
    # a loaded machine, and then no GracefulShutdown is sent at all (ForceOff at once, as
    # documented).  The waits run on a manual clock, so 10 s of grace cost no real time.
    server.set_power("On")
    server.inject("ignore_reset", count=1)  # the OS ignores the graceful shutdown
    result = run("--json", "power", "soft-off", "--escalate-after", "10", "--timeout", "30",
                 server.url, env=env)
    assert result.exit_code == 0, result.output
    assert (json_out(result)["power_state"], json_out(result)["escalation"]) == (
        "off", "still-on")
    resets = [r.body.get("ResetType") for r in server.requests
              if r.method == "POST" and r.path.endswith("ComputerSystem.Reset")]
    assert resets == ["GracefulShutdown", "ForceOff"]


def test_nics_of_a_collection_without_members_are_unknown_not_none(
        server: SimServer, env: dict[str, str]) -> None:
    """null is "the BMC did not tell": the EthernetInterfaces collection lists no Members."""
    server.inject("no_members", method="GET", path="/redfish/v1/Systems/1/EthernetInterfaces")
    result = run("--json", "nics", server.url, env=env)
    payload = json_out(result)
    assert payload["nics"] is None and payload["incomplete"] is True
    assert any("/redfish/v1/Systems/1/EthernetInterfaces has no Members" in w
               for w in payload["warnings"])
    human = run("nics", server.url, env=env)
    assert "(none reported)" not in human.stdout.split("BMC NICs")[0]
    assert "(the BMC does not tell)" in human.stdout.split("BMC NICs")[0]


def test_nics_of_a_paged_collection_are_every_page_read(
        server: SimServer, env: dict[str, str]) -> None:
    """A BMC paging its EthernetInterfaces (``Members@odata.nextLink``), one NIC a page:
    ``nics`` reads every page (before, the first page's NIC was shown as all of them)."""
    nics = "/redfish/v1/Systems/1/EthernetInterfaces"
    server.inject("paged_members", method="GET", path=nics, page=1)
    payload = json_out(run("--json", "nics", server.url, env=env))
    assert payload["incomplete"] is False, payload["warnings"]
    host_macs = {nic["mac"] for nic in payload["nics"]}
    assert host_macs == {nic.mac.lower() for nic in server.spec.nics or ()}
    assert len(host_macs) == 2
    assert any(r.path == f"{nics}?$skip=1" for r in server.requests)


def test_nics_of_a_collection_whose_pages_never_end_are_said_incomplete(
        server: SimServer, env: dict[str, str]) -> None:
    """The last page links back to the first: what was read is shown, and said incomplete
    (JSON and the human output name the collection and why)."""
    nics = "/redfish/v1/Systems/1/EthernetInterfaces"
    server.inject("paged_members", method="GET", path=nics, page=1, loop=1)
    payload = json_out(run("--json", "nics", server.url, env=env))
    assert payload["incomplete"] is True and len(payload["nics"]) == 2
    [warning] = [w for w in payload["warnings"] if nics in w]
    assert "page already read" in warning
    human = run("nics", server.url, env=env)
    assert "answered only in part" in human.stdout and "page already read" in human.stdout


@pytest.mark.usefixtures("no_retry_sleep")
def test_nics_of_a_collection_whose_second_page_fails_are_the_first_page_s_and_incomplete(
        server: SimServer, env: dict[str, str]) -> None:
    """Page 2 answers 503 (every retry): the NIC of page 1 is shown, and the output says the
    list is incomplete naming the collection and the page.  Old: the whole collection was
    dropped (``nics`` null) on page 2's error."""
    nics = "/redfish/v1/Systems/1/EthernetInterfaces"
    server.inject("paged_members", method="GET", path=nics, page=1, fail=2)
    payload = json_out(run("--json", "nics", server.url, env=env))
    assert payload["incomplete"] is True
    assert [nic["mac"] for nic in payload["nics"]] == [server.spec.nics[0].mac.lower()]
    [warning] = [w for w in payload["warnings"] if nics in w]
    assert f"page 2 {nics}?$skip=1 failed" in warning and "HTTP 503" in warning
    human = run("nics", server.url, env=env)
    assert "answered only in part" in human.stdout and "page 2" in human.stdout


def test_nics_listed_again_on_the_next_page_are_read_once_with_a_warning(
        server: SimServer, env: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    """The second page lists the first page's NIC again (the list changed between the two
    reads): each NIC is shown once, the list is complete (the count agrees), and a warning
    names the BMC, the collection and the repeated member (old: no warning)."""
    nics = "/redfish/v1/Systems/1/EthernetInterfaces"
    server.inject("paged_members", method="GET", path=nics, page=1, repeat=1)
    caplog.set_level(logging.WARNING, "hamnhw.members")
    payload = json_out(run("--json", "nics", server.url, env=env))
    assert payload["incomplete"] is False, payload["warnings"]
    assert len(payload["nics"]) == 2 and len({nic["mac"] for nic in payload["nics"]}) == 2
    [line] = [r.getMessage() for r in caplog.records if "more than once" in r.getMessage()]
    assert server.url.split("//")[1] in line and f"{nics} lists 1 member(s)" in line
    assert f"({nics}/" in line
