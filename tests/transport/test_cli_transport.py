"""Transport rules as an operator meets them through the real ``hamnhw`` command (a
subprocess): refused connections are retried and say so on stderr at the default log level;
a BMC that never sends an HTTP answer is "unreachable" (exit 3); one that answered and then
hangs is exit 1."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from transport_loopback import hang, stall_after_headers

from hamnhw.procenv import child_env
from hamnhw.sim import ServerSpec, SimCluster, SimServer

HAMNHW = [sys.executable, "-c", "from hamnhw.cli.main import main; main()"]


def hamnhw(*args: str, username: str = "root",
           password: str = "pw-Sup3r-s3cret-value") -> subprocess.CompletedProcess:
    env = {**child_env(), "HAMNHW_USERNAME": username, "HAMNHW_PASSWORD": password}
    return subprocess.run([*HAMNHW, *args], capture_output=True, text=True, env=env,
                          timeout=50, cwd=Path(__file__).parent, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="node", power="On")]) as cluster:
        yield cluster["node"]


def test_refused_connection_is_retried_and_says_so_on_stderr(refused_url) -> None:
    result = hamnhw("--json", "power", "status", refused_url)

    assert result.returncode == 3, result.stderr
    assert json.loads(result.stdout)["error"]["type"] == "BmcUnreachable"
    assert "Connection refused; retrying in 1s, 2/3" in result.stderr
    assert "retrying in 1s, 3/3" in result.stderr


def test_bmc_that_accepts_tcp_but_never_answers_is_unreachable_exit_3(bmc) -> None:
    bmc.behave("GET", "/redfish/v1/", hang)

    result = hamnhw("--json", "power", "status", bmc.url, "--timeout", "1")

    assert result.returncode == 3, result.stdout + result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "BmcUnreachable" and "never sent an HTTP answer" in error["message"]


def test_bmc_stalling_after_status_line_and_headers_is_exit_1(bmc) -> None:
    bmc.behave("GET", "/redfish/v1/", stall_after_headers)

    result = hamnhw("--json", "power", "status", bmc.url, "--timeout", "1")

    assert result.returncode == 1, result.stdout + result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "BmcTimeout", error
    assert "never sent" not in error["message"] and "stalled" in error["message"]


def test_bmc_that_answered_then_hangs_stays_exit_1(sim: SimServer) -> None:
    sim.clear_faults()
    sim.inject("hang", method="GET", path="/redfish/v1/Systems/1")
    try:
        result = hamnhw("--json", "power", "status", sim.url, "--timeout", "1",
                        username=sim.username, password=sim.password)
    finally:
        sim.clear_faults()

    assert result.returncode == 1, result.stdout + result.stderr
    assert json.loads(result.stdout)["error"]["type"] == "BmcTimeout"
