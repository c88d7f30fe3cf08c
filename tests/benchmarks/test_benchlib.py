"""The benchmarks' shared helpers: percentiles, targets and the exit code."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "benchlib.py"
_SPEC = importlib.util.spec_from_file_location("benchlib", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
benchlib = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("benchlib", benchlib)
_SPEC.loader.exec_module(benchlib)


def test_percentile_interpolates_between_ranks() -> None:
    samples = [4.0, 1.0, 3.0, 2.0, 5.0]
    assert benchlib.percentile(samples, 0.5) == 3.0
    assert benchlib.percentile(samples, 0.95) == pytest.approx(4.8)
    assert benchlib.percentile([7.0], 0.95) == 7.0


def test_summary_is_in_milliseconds() -> None:
    summary = benchlib.summary_ms([0.001, 0.002, 0.003])
    assert (summary["p50_ms"], summary["min_ms"], summary["max_ms"], summary["n"]) == (
        2.0, 1.0, 3.0, 3)


def test_same_count_refuses_a_count_that_varies() -> None:
    assert benchlib.same_count([11, 11, 11], "inventory") == 11
    with pytest.raises(SystemExit, match=r"\[11, 12\]"):
        benchlib.same_count([11, 12], "inventory")


def _report(argv: list[str]):
    report = benchlib.Report("unit", benchlib.parse_args("unit", argv))
    report.target("latency", 90.0, 50.0, "ms")
    return report


def test_missed_timing_target_fails_unless_no_targets(capsys) -> None:
    assert _report(["--json"]).finish() == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False
    assert _report(["--json", "--no-targets"]).finish() == 0
    data = json.loads(capsys.readouterr().out)
    assert data["targets"][0]["met"] is False and data["targets"][0]["enforced"] is False


def test_missed_count_target_fails_even_with_no_targets(capsys) -> None:
    report = _report(["--no-targets"])
    report.target("requests", 12, 11, "requests", kind=benchlib.COUNT)
    assert report.finish() == 1
    assert "MISSED" in capsys.readouterr().out


def _adapter_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records
            if record.name == "hamnhw.transport.adapter"]


def test_the_simulated_servers_plain_http_warning_is_left_out_and_nothing_else(
        caplog: pytest.LogCaptureFixture) -> None:
    """``make bench`` printed one per simulated BMC; the warning stays for any other
    address, and for those too once the simulator is stopped (users see it as ever)."""
    from hamnhw.sim import ServerSpec
    from hamnhw.transport import adapter

    caplog.set_level("WARNING", logger="hamnhw")
    plain = "%s: plain HTTP (%s://): credentials will cross the network in clear text"
    with benchlib.simulated([ServerSpec(name="a", power="On")]) as cluster:
        netloc = cluster["a"].url.split("://", 1)[1].rstrip("/")
        benchlib.connect(cluster["a"]).close()
        adapter.LOG.warning(plain, "10.9.0.1:80", "redfish+http")
        adapter.LOG.warning("%s: something else", netloc)
    assert _adapter_warnings(caplog) == [
        "10.9.0.1:80: plain HTTP (redfish+http://): credentials will cross the network in "
        "clear text", f"{netloc}: something else"]
    caplog.clear()
    adapter.LOG.warning(plain, netloc, "redfish+http")
    assert _adapter_warnings(caplog) == [
        f"{netloc}: plain HTTP (redfish+http://): credentials will cross the network in "
        "clear text"]
