"""SIGINT and SIGTERM during a one-shot command, in a real ``hamnhw`` process against the
simulator on loopback: the wait stops, the session is logged out, the error says whether a
request was sent, the exit code is 130 / 143.  Servers exit 0 on either signal."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

RESET = "/Actions/ComputerSystem.Reset"


@pytest.fixture
def server() -> Iterator[SimServer]:
    """A host that stays in PoweringOn for a minute: a power-on wait is under way."""
    spec = ServerSpec(name="slow", power="Off", power_delay=60.0)
    with SimCluster([spec]) as cluster:
        yield cluster["slow"]


def start(server: SimServer, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "HAMNHW_USERNAME": server.username,
           "HAMNHW_PASSWORD": server.password}
    env.pop("HAMNHW_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "hamnhw.cli.main", *args, server.url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            stdin=subprocess.DEVNULL)


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    """Until ``condition()`` holds (a guard against a hang, not a timing assertion)."""
    give_up = time.monotonic() + 60
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"exited early: {proc.communicate()}")
        if time.monotonic() > give_up:
            proc.kill()
            pytest.fail("condition never held")
        time.sleep(0.05)


def stop(proc: subprocess.Popen[str], sig: int) -> tuple[int, str, str]:
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out, err


def sent(server: SimServer, method: str, fragment: str) -> bool:
    return any(r.method == method and fragment in r.path for r in server.requests)


def signal_a_hung_request(server: SimServer, sig: int, hang_path: str,
                          *args: str) -> tuple[int, str, str]:
    """Run ``hamnhw ARGS URL`` with requests under ``hang_path`` hanging; signal it once
    one hangs."""
    server.inject("hang", path=hang_path)
    proc = start(server, *args, "--timeout", "300")
    wait_for(lambda: any(r.status is None for r in server.requests), proc)
    return stop(proc, sig)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_during_power_wait_logs_out_and_reports_the_sent_request(
        server: SimServer, sig: int, code: int) -> None:
    proc = start(server, "--json", "power", "on", "--timeout", "300")
    wait_for(lambda: sent(server, "POST", RESET) and len(server.requests) > 4, proc)
    returncode, out, err = stop(proc, sig)
    assert returncode == code, (out, err)
    payload = json.loads(out)
    assert payload["node"] == server.url
    error = payload["error"]
    assert error["type"] == "Interrupted"
    assert error["exit_code"] == code
    assert error["signal"] == signal.Signals(sig).name
    assert error["request_sent"] is True
    assert "last_state" in error
    assert "Traceback" not in err
    assert sent(server, "DELETE", "/SessionService/Sessions/"), "logged out"
    assert server.state.sessions == {}


def test_sigint_on_a_hung_read_is_one_line_and_nothing_was_sent(server: SimServer) -> None:
    returncode, out, err = signal_a_hung_request(server, signal.SIGINT, "/redfish/v1/Systems/",
                                                 "power", "status")
    assert returncode == 130
    assert out == ""
    messages = [line for line in err.splitlines() if not line.startswith("WARNING")]
    assert messages == [f"hamnhw: {server.url}: interrupted by SIGINT"]
    assert not sent(server, "POST", RESET)
    assert sent(server, "DELETE", "/SessionService/Sessions/")
    assert server.state.sessions == {}


def test_sigterm_while_connecting_exits_143(server: SimServer) -> None:
    returncode, out, _ = signal_a_hung_request(server, signal.SIGTERM,
                                               "/redfish/v1/SessionService", "--json", "nics")
    assert returncode == 143
    error = json.loads(out)["error"]
    assert (error["type"], error["request_sent"], error["last_state"]) == (
        "Interrupted", False, None)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sim_server_stops_cleanly_with_exit_0(sig: int) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "hamnhw.cli.main", "sim", "--count", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("node1 redfish+http://127.0.0.1:")
    returncode, _, err = stop(proc, sig)
    assert returncode == 0, err
    assert "Traceback" not in err


def test_logout_of_an_interrupted_command_gets_only_its_short_grace(server: SimServer) -> None:
    server.inject("hang", method="DELETE")
    returncode, _, err = signal_a_hung_request(server, signal.SIGTERM, "/redfish/v1/Systems/",
                                               "power", "status")
    assert returncode == 143
    logout = [line for line in err.splitlines() if "logout failed" in line]
    assert len(logout) == 1, err
    # The deadline of the logout is the grace (5 s), not what was left of --timeout 300 (the
    # figure reported is the time measured, a little over 5 s on a loaded machine).
    after = re.search(r"operation deadline exceeded \(after (\d+(?:\.\d+)?)", logout[0])
    assert after is not None, logout[0]
    assert 5.0 <= float(after.group(1)) < 60.0, logout[0]


def _answered(server: SimServer, method: str, fragment: str) -> bool:
    return any(r.method == method and fragment in r.path and r.status is not None
               for r in server.requests)


def test_sigterm_while_the_login_answer_arrives_still_logs_out(server: SimServer) -> None:
    """The login's headers (with the token) came, its body drips: a SIGTERM then must not
    leave the session it made open on the BMC."""
    server.inject("byte_drip", method="POST", path="/redfish/v1/SessionService/Sessions",
                  interval=0.3)
    proc = start(server, "--json", "power", "on", "--timeout", "300")
    wait_for(lambda: _answered(server, "POST", "/SessionService/Sessions"), proc)
    time.sleep(0.1)  # the headers are on their way; the body's first byte comes at 0.3 s
    returncode, out, err = stop(proc, signal.SIGTERM)
    assert returncode == 143, (out, err)
    error = json.loads(out)["error"]
    assert (error["type"], error["request_sent"]) == ("Interrupted", False)
    assert sent(server, "DELETE", "/SessionService/Sessions/")
    assert server.state.sessions == {}, "the session the login made was deleted"


def test_sigterm_during_the_logout_of_a_finished_change_prints_its_result() -> None:
    with SimCluster([ServerSpec(name="quick", power="Off")]) as cluster:
        quick = cluster["quick"]
        quick.inject("latency", method="DELETE", path="/redfish/v1/SessionService/Sessions/",
                     seconds=2.0)
        proc = start(quick, "--json", "power", "on", "--timeout", "300")
        wait_for(lambda: sent(quick, "DELETE", "/SessionService/Sessions/"), proc)
        returncode, out, err = stop(proc, signal.SIGTERM)
        assert returncode == 0, (out, err)
        payload = json.loads(out)
        assert (payload["power_state"], payload["changed"], payload["confirmed"]) == (
            "on", True, True)
        assert "SIGTERM while logging out, after the command had ended" in err
        assert _answered(quick, "DELETE", "/SessionService/Sessions/")
        assert quick.state.sessions == {}, "the logout completed within its grace"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_a_slow_login_still_deletes_its_session(sig: int, code: int) -> None:
    """The login is slow to answer: the signal is held until it is (within the logout
    grace), so the session the BMC made is known and deleted (cut, nobody could)."""
    with SimCluster([ServerSpec(name="slowlogin")]) as cluster:
        bmc = cluster["slowlogin"]
        bmc.inject("latency", method="POST", path="/redfish/v1/SessionService/Sessions",
                   seconds=2.0)
        proc = start(bmc, "--json", "inventory", "--timeout", "300")
        wait_for(lambda: any(r.method == "POST" and r.status is None for r in bmc.requests),
                 proc)
        returncode, out, err = stop(proc, sig)
        assert returncode == code, (out, err)
        error = json.loads(out)["error"]
        assert (error["type"], error["request_sent"]) == ("Interrupted", False)
        assert [r.status for r in bmc.requests if r.method == "POST"] == [201]
        assert bmc.state.sessions == {}, "the slow login's session was left"
        assert [r.status for r in bmc.requests if r.method == "DELETE"] == [204]
