"""The simulator served over IPMI too (``IpmiSim``: pyghmi's Bmc in child processes) and a
Redfish node's IPMI path: one node, one state, whichever protocol drives it; power goes over
IPMI only when Redfish is unreachable, and results say which protocol served them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import hamnhw
from hamnhw.cli.main import cli
from hamnhw.errors import ConfigError, UnsupportedOperation
from hamnhw.interfaces import PollPolicy
from hamnhw.ipmi_fallback import IpmiSettings
from hamnhw.models import BootSource, PowerRestorePolicy, PowerState
from hamnhw.sim import SIM_PASSWORD, ServerSpec, SimCluster
from hamnhw.sim.ipmi import IpmiSim

QUICK = PollPolicy(interval=0.1, timeout=20.0)
USER, PASSWORD = "admin", SIM_PASSWORD  # the simulator-only account


@pytest.fixture(autouse=True)
def quick_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAMNHW_IPMI_PACING_S", "0")


@pytest.fixture
def cluster() -> Iterator[tuple[SimCluster, IpmiSim]]:
    specs = [ServerSpec(name="primary", power_delay=0.3), ServerSpec(name="standby")]
    with SimCluster(specs) as running, IpmiSim(running) as ipmi:
        yield running, ipmi


def closed_tcp_port() -> int:
    """A loopback TCP port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_one_power_state_over_redfish_and_ipmi(cluster: tuple[SimCluster, IpmiSim]) -> None:
    sim, ipmi = cluster
    primary = sim["primary"]
    with hamnhw.connect(ipmi["primary"].url, USER, PASSWORD, poll=QUICK) as node:
        assert node.power.on().power_state is PowerState.ON
        assert primary.power_state == "On"
        with hamnhw.connect(primary.url, USER, PASSWORD, poll=QUICK) as redfish:
            assert redfish.power.off().power_state is PowerState.OFF
        assert node.power.state() is PowerState.OFF
        assert sim["standby"].power_state == "Off"  # the other node untouched


def test_boot_override_restore_policy_identify_and_bmc_mac_shared(
        cluster: tuple[SimCluster, IpmiSim]) -> None:
    sim, ipmi = cluster
    state = sim["primary"].state
    uefi = IpmiSettings(boot_mode="UEFI")
    with hamnhw.connect(ipmi["primary"].url, USER, PASSWORD, ipmi=uefi) as node:
        node.management.set_boot_override(BootSource.PXE, persistent=True)
        assert (state.boot_target, state.boot_enabled) == ("Pxe", "Continuous")
        assert node.management.boot_flags().uefi is True  # the configured mode, kept
        node.power.set_restore_policy(PowerRestorePolicy.LAST_STATE)
        assert state.restore_policy == "LastState"
        assert node.management.set_identify(True) is True and state.led
        assert [nic.mac for nic in node.nics.bmc_nics()] == [sim["primary"].spec.bmc_mac]
    with hamnhw.connect(sim["primary"].url, USER, PASSWORD) as redfish:
        override = redfish.management.get_boot_override()
        assert override.target is BootSource.PXE
        assert redfish.power.get_restore_policy() is PowerRestorePolicy.LAST_STATE


def test_no_override_reads_invalid_and_an_unknown_mode_is_refused(
        cluster: tuple[SimCluster, IpmiSim]) -> None:
    """Review 9-14 item 1: like a real BMC, the simulator's boot flags are all zero while no
    override is in force, so a boot override without a configured mode is refused."""
    sim, ipmi = cluster
    state = sim["primary"].state
    with hamnhw.connect(ipmi["primary"].url, USER, PASSWORD) as node:
        flags = node.management.boot_flags()
        assert (flags.valid, flags.uefi, flags.device) == (False, False, 0)
        with pytest.raises(ConfigError, match="boot mode is unknown"):
            node.management.set_boot_override(BootSource.HDD)
        assert (state.boot_target, state.boot_enabled) == ("None", "Disabled")
    with hamnhw.connect(sim["primary"].url, USER, PASSWORD) as redfish:
        redfish.management.set_boot_override(BootSource.PXE)  # set over Redfish: mode known
    with hamnhw.connect(ipmi["primary"].url, USER, PASSWORD) as node:
        assert node.management.boot_flags().uefi is True
        assert node.management.set_boot_override(BootSource.HDD).target is BootSource.HDD


def test_unreachable_redfish_serves_power_over_the_ipmi_path(
        cluster: tuple[SimCluster, IpmiSim]) -> None:
    sim, ipmi = cluster
    dead = f"redfish+http://127.0.0.1:{closed_tcp_port()}"
    path = IpmiSettings(url=ipmi["primary"].url)
    with hamnhw.connect(dead, USER, PASSWORD, poll=QUICK, ipmi=path) as node:
        assert node.protocol == "ipmi"
        assert "unreachable" in node.detection.reason and "IPMI path" in node.detection.reason
        result = node.power.on()
        assert (result.power_state, result.protocol) == (PowerState.ON, "ipmi")
        assert sim["primary"].power_state == "On"
        with pytest.raises(UnsupportedOperation, match="serves power only"):
            node.nics.list()
        with pytest.raises(UnsupportedOperation, match="serves power only"):
            node.raid.storage()


def test_reachable_redfish_is_used_then_ipmi_when_it_goes_away(
        cluster: tuple[SimCluster, IpmiSim]) -> None:
    sim, ipmi = cluster
    primary = sim["primary"]
    path = IpmiSettings(url=ipmi["primary"].url, username=USER, password=None)
    with hamnhw.connect(primary.url, USER, PASSWORD, poll=QUICK, ipmi=path) as node:
        result = node.power.on()
        assert (result.protocol, node.protocol) == ("redfish", "redfish")
        assert node.nics.list()  # the Redfish driver serves everything else
        primary.stop()  # Redfish goes away; IPMI stays
        assert node.power.state() is PowerState.ON
        assert node.protocol == "ipmi"
        off = node.power.off()
        assert (off.power_state, off.protocol) == (PowerState.OFF, "ipmi")


def test_cli_node_with_ipmi_sub_table(cluster: tuple[SimCluster, IpmiSim], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _sim, ipmi = cluster
    config = tmp_path / "hamnhw.toml"
    config.write_text(
        f'[nodes.mn]\nbmc = "redfish+http://127.0.0.1:{closed_tcp_port()}"\n'
        'username = "admin"\npassword_env = "MN_PW"\n'
        f'[nodes.mn.ipmi]\nurl = "{ipmi["primary"].url}"\nprivilege = "administrator"\n'
        'pacing = 0\n')
    monkeypatch.setenv("MN_PW", PASSWORD)
    monkeypatch.setattr("hamnhw.cli.options.poll_policy", lambda: QUICK)
    result = CliRunner().invoke(cli, ["--json", "power", "on", "--config", str(config), "mn"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert (payload["power_state"], payload["protocol"]) == ("on", "ipmi")
    status = CliRunner().invoke(cli, ["--json", "power", "status", "--config", str(config),
                                      "mn"])
    assert json.loads(status.output)["protocol"] == "ipmi"


def test_the_ipmi_fru_tells_the_identity_the_redfish_system_shows(
        cluster: tuple[SimCluster, IpmiSim]) -> None:
    """The simulated BMC serves FRU 0 and the system GUID (pyghmi's inventory reads them to
    the end, no error note): the serial, model and UUID are the Redfish System's, and every
    FRU serial is kept in ``serials``; ``ipmitool fru print`` reads the same FRU."""
    sim, ipmi = cluster
    spec = sim["standby"].spec
    with hamnhw.connect(ipmi["standby"].url, USER, PASSWORD) as node:
        system = node.inventory.system()
        notes = node.inventory.notes()
    with hamnhw.connect(sim["standby"].url, USER, PASSWORD) as redfish:
        shown = redfish.inventory.system()
    assert (system.serial, system.model, system.manufacturer) == (
        shown.serial, shown.model, shown.manufacturer) == (spec.serial, spec.model,
                                                            spec.manufacturer)
    assert system.uuid is not None and system.uuid.lower() == shown.uuid == spec.uuid
    assert dict(system.serials) == {"FRU Product Serial": spec.serial,
                                    "FRU Chassis Serial": spec.serial,
                                    "FRU Board Serial": spec.serial}
    assert dict(shown.serials) == {"SerialNumber": spec.serial}
    assert not any("system identity" in note for note in notes), notes
    if shutil.which("ipmitool") is None:
        return
    host, port = ipmi["standby"].url.removeprefix("ipmi://").rsplit(":", 1)
    printed = subprocess.run(
        ["ipmitool", "-I", "lanplus", "-C", "3", "-H", host, "-p", port, "-U", USER, "-E",
         "fru", "print", "0"], capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "IPMI_PASSWORD": PASSWORD}, stdin=subprocess.DEVNULL)
    assert printed.returncode == 0, printed
    fields = {k.strip(): v.strip() for k, _, v in (
        line.partition(":") for line in printed.stdout.splitlines())}
    assert (fields["Product Serial"], fields["Board Serial"], fields["Chassis Serial"]) == (
        spec.serial, spec.serial, spec.serial), printed.stdout
