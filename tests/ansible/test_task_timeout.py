"""A module is never left sending: the task's ``timeout`` keyword bounds it, and a module whose
caller is gone stops at once, logged out (review of issue 15, item 1); a task that fails after
its write was sent reports ``changed: true`` (item 2).

One simulated BMC on loopback, whose reads of the system answer late (a ``latency`` fault):
the power change would send its ForceOff after that read, so any POST Reset in the request
log is a write sent after the caller had given up.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ansiblerun import COLLECTION, REPO, ansible_env, run

from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

SYSTEM = "/redfish/v1/Systems/1"
RESET = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
LATE_S = 8.0
"""How late the system's reads answer: past the task's timeout (6 s) and the time an
orphaned module is given to stop."""


@pytest.fixture(scope="module")
def sim() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name="late", power="On"),
                     ServerSpec(name="slow", power="Off", power_delay=60.0)]) as cluster:
        yield cluster


@pytest.fixture
def late(sim: SimCluster) -> Iterator[SimServer]:
    """The BMC whose system reads answer :data:`LATE_S` late (its first one, at login, not)."""
    server = sim["late"]
    server.set_power("On")
    server.clear_requests()
    server.inject("latency", path=SYSTEM, method="GET", seconds=LATE_S)
    yield server
    server.faults.clear()
    server.set_power("On")


def writes_and_sessions(server: SimServer) -> tuple[list[str], dict[str, str]]:
    """The Reset requests the BMC received and the sessions still open."""
    return ([r.path for r in server.requests if r.path == RESET], dict(server.state.sessions))


def test_the_task_timeout_keyword_bounds_the_module(late: SimServer, tmp_path: Path) -> None:
    """``timeout: 6`` on the task and 60 s on the module: the module ends by itself, the task
    failed with the hamnhw error, logged out; nothing reaches the BMC afterwards."""
    playbook = tmp_path / "off.yml"
    playbook.write_text(f"""
- hosts: localhost
  gather_facts: false
  tasks:
    - hamnhw.bmc.power:
        bmc: "{late.url}"
        username: "{late.username}"
        password: "{late.password}"
        state: "off"
        timeout: 60
      timeout: 6
""")
    started = time.monotonic()
    result = run("ansible-playbook", ["-i", "localhost,", "-c", "local", str(playbook)],
                 ansible_env(tmp_path / "home"))
    assert result.returncode != 0
    assert "Timed out after" not in result.stdout        # the module ended first
    assert '"request_sent": false' in result.stdout
    time.sleep(max(0.0, started + LATE_S + 2 - time.monotonic()))  # past the late answer
    assert writes_and_sessions(late) == ([], {})


def start_module(server: SimServer, tmp_path: Path, *, under_shell: bool
                 ) -> tuple[subprocess.Popen[bytes], int]:
    """Run the power module (ForceOff, 60 s) as Ansible does, under ``sh -c`` when
    ``under_shell``; returns the process started and the module's pid."""
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
        "bmc": server.url, "username": server.username, "password": server.password,
        "state": "off", "timeout": 60}}))
    module = [sys.executable, str(COLLECTION / "plugins" / "modules" / "power.py"), str(args)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if not under_shell:
        proc = subprocess.Popen(module, env=env, stdout=subprocess.PIPE)
        return proc, proc.pid
    proc = subprocess.Popen(["/bin/sh", "-c", '"$@"; exit $?', "sh", *module], env=env,
                            stdout=subprocess.PIPE)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 10
    while not children.read_text().split():
        assert time.monotonic() < deadline, "the shell started no module"
        time.sleep(0.05)
    return proc, int(children.read_text().split()[0])


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("how", ["parent killed", "result pipe closed"])
def test_an_orphaned_module_stops_and_logs_out(late: SimServer, tmp_path: Path,
                                               how: str) -> None:
    """The Ansible worker ending (its ``sh -c`` killed, or the pipe it read closed) while
    the module waits for the BMC: the module stops within a second or so, sends no
    ForceOff, and logs its session out."""
    proc, module_pid = start_module(late, tmp_path, under_shell=how == "parent killed")
    try:
        deadline = time.monotonic() + 15
        while not any(r.path == SYSTEM for r in late.requests[1:]):
            assert time.monotonic() < deadline, "the module never read the system"
            time.sleep(0.05)
        if how == "parent killed":
            proc.kill()
        else:
            assert proc.stdout is not None
            proc.stdout.close()
        deadline = time.monotonic() + LATE_S / 2
        while not gone(module_pid):
            assert time.monotonic() < deadline, "the orphaned module is still running"
            time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()
        if not gone(module_pid):
            os.kill(module_pid, signal.SIGKILL)
    time.sleep(LATE_S / 2 + 1)     # past the late answer: a module still there would write
    assert writes_and_sessions(late) == ([], {})


def test_a_task_failing_after_its_write_reports_changed(sim: SimCluster, tmp_path: Path
                                                        ) -> None:
    """Power on accepted, the host still powering on when the timeout ends: the task fails
    (PowerStateTimeout) with ``changed: true``: the BMC acts on the request."""
    slow = sim["slow"]
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
        "bmc": slow.url, "username": slow.username, "password": slow.password,
        "state": "on", "timeout": 6, "poll_interval": 0.2}}))
    done = subprocess.run([sys.executable, str(COLLECTION / "plugins" / "modules" / "power.py"),
                           str(args)], env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=60, check=False)
    result = json.loads(done.stdout)
    assert result["failed"] is True, result
    assert result["error"]["type"] == "PowerStateTimeout"
    assert (result["changed"], result["request_sent"]) == (True, True)
    assert slow.power_state == "PoweringOn"
