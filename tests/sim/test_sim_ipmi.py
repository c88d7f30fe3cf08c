"""``hamnhw sim --ipmi``: a third column per server, the IPMI endpoint answers with the same
power state as the Redfish side, and stopping the simulator stops its BMC child processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import hamnhw
from hamnhw.models import PowerState
from hamnhw.sim import SIM_PASSWORD

LAUNCH = "from hamnhw.cli.main import main; main()"


def test_sim_ipmi_serves_both_protocols_and_stops_its_children() -> None:
    env = {**os.environ, "HAMNHW_IPMI_PACING_S": "0"}
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "--json", "sim", "--names",
                             "primary,standby", "--ipmi"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        summary = json.loads(proc.stdout.readline() if proc.stdout else "{}")
        servers = {s["name"]: s for s in summary["servers"]}
        assert set(servers) == {"primary", "standby"}
        primary = servers["primary"]
        assert primary["ipmi_url"].startswith("ipmi://127.0.0.1:")
        with hamnhw.connect(primary["ipmi_url"], "admin", SIM_PASSWORD) as node:
            assert node.power.on(wait=False).changed
        with hamnhw.connect(primary["url"], "admin", SIM_PASSWORD) as redfish:
            assert redfish.power.state() in (PowerState.ON, PowerState.POWERING_ON)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                  text=True, check=False).stdout.split()
        assert len(children) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    assert code == 0
    assert [child for child in children if still_running(int(child))] == []


def still_running(pid: int, seconds: float = 10.0) -> bool:
    """True when ``pid`` is still a live process (not gone, not a zombie) after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ", 1)[1].startswith("Z"):
                    return False
        except FileNotFoundError:
            return False
        time.sleep(0.1)
    return True


def test_ipmi_bmc_children_end_with_a_killed_simulator() -> None:
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "sim", "--count", "1", "--ipmi"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.split()[2].startswith("ipmi://"), line
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                  text=True, check=False).stdout.split()
        assert len(children) == 1
    finally:
        proc.kill()  # no chance to stop its children
        proc.wait(timeout=30)
    assert [child for child in children if still_running(int(child))] == []
