"""``hamnhw record`` over real HTTP against the simulator (started and stopped here)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import hamnhw
from hamnhw.cli.main import cli
from hamnhw.fixturetools.leaks import find_leaks
from hamnhw.fixturetools.replay import replay
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import ServerSpec, SimCluster

pytestmark = pytest.mark.e2e
ENV = {"HAMNHW_USERNAME": "admin", "HAMNHW_PASSWORD": "password"}  # simulator-only values


@pytest.fixture(scope="module")
def sim():
    with SimCluster([ServerSpec(name="rec", power="On")]) as cluster:
        yield cluster["rec"]


@pytest.fixture
def fast_poll(monkeypatch):
    monkeypatch.setattr("hamnhw.cli.commands.record.poll_policy",
                        lambda: PollPolicy(interval=0.05, timeout=20))


def _record(*args):
    return CliRunner().invoke(cli, ["--json", "record", *args], env=ENV, catch_exceptions=False)


def test_record_walk_writes_scrubbed_fixture(sim, tmp_path):
    result = _record(sim.url, str(tmp_path))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    out = tmp_path / "contoso" / "contoso-bmc_1.00" / "walk"
    assert payload["directory"] == str(out)
    assert payload["kind"] == "walk" and payload["exchanges"] > 10
    assert payload["scrubbed"]["serial"] >= 3
    text = (out / "exchanges.json").read_text()
    assert sim.spec.serial not in text
    assert find_leaks(tmp_path) == []


def test_record_session_power_cycle_and_overrides(sim, tmp_path, fast_poll):
    result = _record("--session", "power-cycle", "--vendor", "Acme", "--model", "X1",
                     "--firmware", "9.9", sim.url, str(tmp_path))
    assert result.exit_code == 0, result.output
    out = tmp_path / "acme" / "x1_9.9" / "power-cycle"
    meta = json.loads((out / "meta.json").read_text())
    assert (meta["kind"], meta["session"], meta["vendor"]) == ("session", "power-cycle", "Acme")
    posts = [e["request_json"] for e in json.loads((out / "exchanges.json").read_text())
             if e["method"] == "POST"]
    assert posts == [{"ResetType": "ForceOff"}, {"ResetType": "On"}]
    assert sim.power_state == "On"


def test_recorded_walk_replays(sim, tmp_path):
    assert _record(sim.url, str(tmp_path)).exit_code == 0
    with replay(tmp_path / "contoso" / "contoso-bmc_1.00" / "walk") as bmc, \
            hamnhw.connect(bmc.url, "admin", "x") as node:
        assert node.inventory.system().serial == "FAKE-SN-0001"


def test_unknown_session_is_a_usage_error(sim, tmp_path):
    result = _record("--session", "launch-missiles", sim.url, str(tmp_path))
    assert result.exit_code == 2
    assert not any(tmp_path.iterdir())


def test_unreachable_bmc_exits_3(tmp_path):
    result = _record("--timeout", "0.3", "redfish+http://127.0.0.1:9", str(tmp_path))
    assert result.exit_code == 3
    assert json.loads(result.output)["error"]["exit_code"] == 3
