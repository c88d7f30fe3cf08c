"""Smoke test of the benchmarks: each script runs with ``--quick --json --no-targets``,
exits 0 and prints one JSON object with the expected keys.

No timing is asserted (``--no-targets`` turns the timing targets off).  Request
counts are deterministic, so they are asserted: the scripts still enforce their
request budgets, and the exact request patterns are checked here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
NAMES = ("connect", "inventory", "power", "transport", "fanout")
REPORT_KEYS = {"benchmark", "params", "metrics", "targets", "ok", "wall_s"}
TARGET_KEYS = {"name", "value", "limit", "unit", "kind", "op", "met", "enforced"}
TIMEOUT_S = 120

# Long by nature: the module fixture runs every benchmark (each allowed TIMEOUT_S).
pytestmark = pytest.mark.timeout(TIMEOUT_S + 60)


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[int, str, str]]:
    """Start every benchmark at once (they are independent), wait for all."""
    flags = ["--quick", "--json", "--no-targets"]
    procs = {name: subprocess.Popen([sys.executable, str(BENCHMARKS / f"bench_{name}.py"),
                                     *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
             for name in NAMES}
    results = {}
    try:
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=TIMEOUT_S)
            results[name] = (proc.returncode, out, err)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


def report(runs: dict[str, tuple[int, str, str]], name: str) -> dict[str, Any]:
    code, out, err = runs[name]
    assert code == 0, f"bench_{name}.py exited {code}: {err[-2000:]}"
    return json.loads(out)


@pytest.mark.parametrize("name", NAMES)
def test_exits_0_with_one_json_report(runs, name: str) -> None:
    data = report(runs, name)
    assert data.keys() >= REPORT_KEYS
    assert data["benchmark"] == name
    assert data["ok"] is True
    assert data["params"]["quick"] is True
    assert data["targets"], "every benchmark states targets"
    for target in data["targets"]:
        assert target.keys() >= TARGET_KEYS
        assert target["enforced"] is (target["kind"] == "count"), target
    counts = [t for t in data["targets"] if t["kind"] == "count"]
    assert counts and all(t["met"] for t in counts), counts


def test_connect_request_pattern(runs) -> None:
    metrics = report(runs, "connect")["metrics"]
    log = metrics["request_log"]
    # The ServiceRoot and the login go side by side unless ServiceRoots answered quickly
    # in this process before (hamnhw.transport.redfish.ROOT_PACE): either may come first.
    assert sorted(log[:2]) == ["GET /redfish/v1/", "POST /redfish/v1/SessionService/Sessions"]
    assert log[-1].startswith("DELETE /redfish/v1/SessionService/Sessions/")
    requests = metrics["requests"]
    assert requests["ready"] - requests["connect"] == 1  # the System (chosen at connect)
    assert "GET /redfish/v1/Systems" in log[:requests["connect"]]
    assert requests["close"] == 1
    assert set(metrics["ready"]) >= {"p50_ms", "p95_ms"}


def test_inventory_costs_one_get_per_extra_member(runs) -> None:
    metrics = report(runs, "inventory")["metrics"]
    assert metrics["requests_per_extra_member"] == {"drive": 1.0, "nic": 1.0}
    per_call = metrics["requests_per_call"]
    # System, EthernetInterfaces, 2 NICs and the chassis (no NetworkAdapters); the Chassis
    # collection is not searched (the system links its chassis and NICs are shown):
    # adapters cost nothing when not linked
    assert per_call["nics_small"] == 5
    assert per_call["inventory_large"] - per_call["inventory_small"] == 6


def test_power_sends_one_post_per_action(runs) -> None:
    metrics = report(runs, "power")["metrics"]
    assert metrics["off_requests"]["posts_max"] == 1
    assert metrics["on_requests"]["posts_max"] == 1
    assert metrics["off_requests"]["gets_max"] >= 3  # read, then two Off reads at least


def test_transport_gets_are_sent_once_with_the_session(runs) -> None:
    metrics = report(runs, "transport")["metrics"]
    requests = metrics["requests"]
    assert requests["received"] == requests["sent"] == requests["session_auth"] > 0
    assert metrics["log_records"]["info"] == 0
    assert metrics["log_records"]["debug"] >= requests["sent"] // 2


def test_fanout_parallel_matches_sequential(runs) -> None:
    data = report(runs, "fanout")
    assert data["params"]["servers"] == 4 and data["params"]["workers"] == 8
    for scenario in ("cpu", "latency"):
        assert data["metrics"][scenario]["requests_per_server"] > 0
        assert set(data["metrics"][scenario]) >= {"sequential_s", "parallel_s", "speedup"}
    assert (data["metrics"]["cpu"]["requests_per_server"]
            == data["metrics"]["latency"]["requests_per_server"])
