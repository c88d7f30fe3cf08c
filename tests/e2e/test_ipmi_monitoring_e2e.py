"""Monitoring a node that has an IPMI path (review 9-14 items 6 and 7), against the simulator
served over Redfish and IPMI: the SSE stream and the session stay visible through the fallback
wrapper, a Redfish BMC that never answers is CRITICAL for ``check raid`` even when the IPMI path
answers, and the exporter reports what it read over IPMI instead of marking the node down."""

from __future__ import annotations

import io
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import hamnhw
from hamnhw.cli.main import cli
from hamnhw.errors import BmcUnreachable, RedfishUnreachable, UnsupportedOperation
from hamnhw.ipmi_fallback import IpmiSettings
from hamnhw.monitor.events import NodeWatcher, Settings
from hamnhw.monitor.report import Reporter
from hamnhw.sim import SIM_PASSWORD, ServerSpec, SimCluster
from hamnhw.sim.ipmi import IpmiSim

USER, PASSWORD = "admin", SIM_PASSWORD  # the simulator-only account


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[SimCluster, IpmiSim]]:
    with (pytest.MonkeyPatch.context() as patch, SimCluster([ServerSpec(name="mn")]) as sim,
          IpmiSim(sim) as ipmi):
        patch.setenv("HAMNHW_IPMI_PACING_S", "0")
        yield sim, ipmi


def closed_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config(tmp_path: Path, bmc: str, ipmi_url: str) -> Path:
    path = tmp_path / "hamnhw.toml"
    path.write_text(f'[nodes.mn]\nbmc = "{bmc}"\nusername = "{USER}"\npassword_env = "MN_PW"\n'
                    f'[nodes.mn.ipmi]\nurl = "{ipmi_url}"\npacing = 0\n')
    return path


def value(text: str, name: str) -> float | None:
    match = re.search(rf"^{name}\{{[^}}]*\}} (\S+)$", text, re.MULTILINE)
    return float(match[1]) if match else None


def test_the_fallback_wrapper_keeps_the_stream_and_the_session(
        cluster: tuple[SimCluster, IpmiSim]) -> None:
    sim, ipmi = cluster
    with hamnhw.connect(sim["mn"].url, USER, PASSWORD,
                        ipmi=IpmiSettings(url=ipmi["mn"].url)) as node:
        client = node.driver.client
        assert callable(client.stream)  # SSE: what events listen looks for
        assert client.session_path is not None  # what the failover's session check reads
        assert client.session_path.startswith("/redfish/v1/SessionService/Sessions/")


def test_check_raid_with_redfish_dead_and_ipmi_alive_is_critical(
        cluster: tuple[SimCluster, IpmiSim], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _sim, ipmi = cluster
    path = config(tmp_path, f"redfish+http://127.0.0.1:{closed_tcp_port()}", ipmi["mn"].url)
    monkeypatch.setenv("MN_PW", PASSWORD)
    result = CliRunner().invoke(cli, ["check", "raid", "--config", str(path), "mn", "--format",
                                      "nagios", "--timeout", "20"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("RAID CRITICAL - mn: ")
    assert "unreachable" in result.output and "IPMI path answered" in result.output
    plain = CliRunner().invoke(cli, ["check", "raid", "--config", str(path), "mn"])
    assert plain.exit_code == 3, plain.output  # hamnhw's own code: unreachable


def test_power_only_refusals_are_unreachable_and_unsupported(
        cluster: tuple[SimCluster, IpmiSim]) -> None:
    _sim, ipmi = cluster
    dead = f"redfish+http://127.0.0.1:{closed_tcp_port()}"
    with hamnhw.connect(dead, USER, PASSWORD, ipmi=IpmiSettings(url=ipmi["mn"].url)) as node:
        for read in (node.raid.status, node.management.boot_marks, node.inventory.system):
            with pytest.raises(RedfishUnreachable, match="IPMI path answered") as caught:
                read()
            assert isinstance(caught.value, BmcUnreachable)
            assert isinstance(caught.value, UnsupportedOperation)


def test_exporter_reports_an_ipmi_node_up_with_its_power(
        cluster: tuple[SimCluster, IpmiSim], tmp_path: Path) -> None:
    sim, ipmi = cluster
    sim["mn"].set_power("On")
    out = tmp_path / "tf"
    out.mkdir()
    result = CliRunner().invoke(cli, ["exporter", ipmi["mn"].url, "--textfile", str(out)],
                                env={"HAMNHW_USERNAME": USER, "HAMNHW_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    text = (out / "hamnhw.prom").read_text()
    assert value(text, "hamnhw_bmc_up") == 1.0
    assert value(text, "hamnhw_power_on") == 1.0
    assert value(text, "hamnhw_volume_health") is None  # IPMI has no RAID: no metric


def test_exporter_keeps_the_power_read_over_ipmi_when_redfish_is_gone(
        cluster: tuple[SimCluster, IpmiSim], tmp_path: Path) -> None:
    sim, ipmi = cluster
    sim["mn"].set_power("On")
    path = config(tmp_path, f"redfish+http://127.0.0.1:{closed_tcp_port()}", ipmi["mn"].url)
    out = tmp_path / "tf"
    out.mkdir()
    result = CliRunner().invoke(cli, ["exporter", "--config", str(path), "--textfile", str(out)],
                                env={"MN_PW": PASSWORD})
    assert result.exit_code == 0, result.output
    text = (out / "hamnhw.prom").read_text()
    assert value(text, "hamnhw_bmc_up") == 0.0  # the Redfish BMC did not answer
    assert value(text, "hamnhw_power_on") == 1.0  # but the power was read over IPMI


def test_events_watcher_retries_a_redfish_bmc_that_is_gone(
        cluster: tuple[SimCluster, IpmiSim]) -> None:
    """Only the IPMI path answering is no reason to give the node up (``failed``): it is
    ``unreachable`` and retried, as a dead BMC is."""
    _sim, ipmi = cluster
    dead = f"redfish+http://127.0.0.1:{closed_tcp_port()}"
    out = io.StringIO()
    watcher = NodeWatcher("mn", lambda: hamnhw.connect(
        dead, USER, PASSWORD, timeout=20, ipmi=IpmiSettings(url=ipmi["mn"].url)),
        Reporter(out), Settings(retry_max=3600))
    watcher.start()
    deadline = time.monotonic() + 30
    while not out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    watcher.stop()
    watcher.join(30)
    first = json.loads(out.getvalue().splitlines()[0])
    assert first["event"] == "unreachable", first
    assert "IPMI path answered" in first["reason"]
    assert not watcher.failed
