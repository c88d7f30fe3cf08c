"""hamnhw over IPMI against OpenIPMI's ipmi_sim and hamnhw's pyghmi test BMC, checked with
ipmitool (an independent client).

Against both: power off/on seen by ipmitool, the BMC NIC MAC equal to ``ipmitool lan
print``, a wrong password (exit 4, the password nowhere in the output), a dead port (exit 3).
Against the pyghmi BMC only (ipmi_sim refuses Set Power Restore Policy and reads boot flags
back as invalid): a power change slower than the timeout, restore policy and boot device
set and read back, and two nodes driven from two threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from peeripmi import IpmiPeer, free_udp_port
from peerproc import LOOPBACK

import hamnhw
from hamnhw.errors import OperationFailed, UnsupportedOperation
from hamnhw.interfaces import PollPolicy
from hamnhw.models import BootOverrideMode, BootSource, PowerRestorePolicy, PowerState

pytestmark = pytest.mark.peers

QUICK = PollPolicy(interval=0.2, timeout=20.0)
WRONG_PASSWORD = "Not-The-Pw-7319"


@pytest.fixture(autouse=True)
def quick_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten the 1 s pacing between IPMI commands (library and CLI subprocesses)."""
    monkeypatch.setenv("HAMNHW_IPMI_PACING_S", "0.05")


def chassis_power(peer: IpmiPeer) -> str:
    """``on``/``off`` as ipmitool reads it."""
    done = peer.ipmitool("chassis", "power", "status")
    assert done.returncode == 0, done.stderr
    match = re.search(r"Chassis Power is (on|off)", done.stdout)
    assert match, done.stdout
    return match.group(1)


def lan_print_mac(peer: IpmiPeer) -> str:
    """The MAC ``ipmitool lan print 1`` shows."""
    done = peer.ipmitool("lan", "print", "1")
    assert done.returncode == 0, done.stderr
    match = re.search(r"^MAC Address\s*:\s*(\S+)", done.stdout, re.MULTILINE)
    assert match, done.stdout
    return match.group(1).lower()


# -- against both peers ------------------------------------------------------------------

def test_cli_power_off_and_on_seen_by_ipmitool(ipmi_peer: IpmiPeer, hamnhw_cli) -> None:
    on = hamnhw_cli("--json", "power", "on", "--username", ipmi_peer.username, "--timeout",
                    "20", ipmi_peer.url, password=ipmi_peer.password)
    assert on.returncode == 0, on.stderr
    assert (on.json()["power_state"], on.json()["protocol"]) == ("on", "ipmi")
    assert chassis_power(ipmi_peer) == "on"
    off = hamnhw_cli("--json", "power", "off", "--username", ipmi_peer.username, "--timeout",
                     "20", ipmi_peer.url, password=ipmi_peer.password, password_file=True)
    assert off.returncode == 0, off.stderr
    assert (off.json()["power_state"], off.json()["changed"]) == ("off", True)
    assert chassis_power(ipmi_peer) == "off"
    status = hamnhw_cli("--json", "power", "status", "--username", ipmi_peer.username,
                        ipmi_peer.url, password=ipmi_peer.password)
    assert status.json() == {"node": ipmi_peer.url, "power_state": "off", "protocol": "ipmi"}


def test_cli_power_cycle_is_off_then_on_each_confirmed(ipmi_peer: IpmiPeer,
                                                       hamnhw_cli) -> None:
    """Review 7, item 7: against ipmi_sim a Chassis Control power cycle read on throughout
    and the command exited 0 unconfirmed ("reset-unseen") after most of its timeout; IPMI
    shows no reset, so the cycle is a power down confirmed off, then a power up confirmed
    on (method off-on), as fence_ipmilan reboots."""
    assert ipmi_peer.ipmitool("chassis", "power", "on").returncode == 0
    cycled = hamnhw_cli("--json", "power", "cycle", "--username", ipmi_peer.username,
                        "--timeout", "30", ipmi_peer.url, password=ipmi_peer.password,
                        timeout=90)
    assert cycled.returncode == 0, cycled.stderr
    out = cycled.json()
    assert (out["power_state"], out["changed"], out["confirmed"], out["method"],
            out["protocol"]) == ("on", True, True, "off-on", "ipmi"), out
    assert "unconfirmed_reason" not in out
    assert chassis_power(ipmi_peer) == "on"


def test_ipmitool_change_seen_by_library(ipmi_peer: IpmiPeer) -> None:
    assert ipmi_peer.ipmitool("chassis", "power", "on").returncode == 0
    with hamnhw.connect(ipmi_peer.url, ipmi_peer.username, ipmi_peer.password,
                        poll=QUICK) as node:
        assert node.power.state() is PowerState.ON
        again = node.power.on()
        assert (again.power_state, again.changed, again.protocol) == (PowerState.ON, False,
                                                                     "ipmi")


def test_cli_nics_bmc_mac_equals_ipmitool_lan_print(ipmi_peer: IpmiPeer, hamnhw_cli) -> None:
    result = hamnhw_cli("--json", "nics", "--username", ipmi_peer.username, ipmi_peer.url,
                        password=ipmi_peer.password)
    assert result.returncode == 0, result.stderr
    out = result.json()
    assert [nic["mac"] for nic in out["bmc_nics"]] == [lan_print_mac(ipmi_peer)]
    assert lan_print_mac(ipmi_peer) == ipmi_peer.mac
    assert out["nics"] is None  # neither peer has FRU host MACs: IPMI cannot tell
    assert any("redfish://" in note for note in out["notes"])


def test_cli_wrong_password_exit_4_without_the_password(ipmi_peer: IpmiPeer,
                                                         hamnhw_cli) -> None:
    result = hamnhw_cli("--json", "--log-level", "debug", "power", "status", "--username",
                        ipmi_peer.username, ipmi_peer.url, password=WRONG_PASSWORD,
                        password_file=True)
    assert result.returncode == 4, result.stderr
    assert result.json()["error"]["type"] == "AuthenticationError"
    assert WRONG_PASSWORD not in result.stdout + result.stderr
    # the real one still works: no lockout from a retry loop
    assert chassis_power(ipmi_peer) == "off"


def test_library_wrong_password_is_not_retried(ipmi_peer: IpmiPeer) -> None:
    with pytest.raises(hamnhw.errors.AuthenticationError) as caught:
        hamnhw.connect(ipmi_peer.url, ipmi_peer.username, WRONG_PASSWORD)
    assert WRONG_PASSWORD not in str(caught.value)


def test_cli_dead_port_exit_3_within_the_timeout(hamnhw_cli) -> None:
    url = f"ipmi://{LOOPBACK}:{free_udp_port()}"
    short = hamnhw_cli("--json", "power", "status", "--username", "admin", "--timeout", "2",
                       url, password="password", timeout=20)
    assert short.returncode == 3, short.stderr
    assert short.json()["error"]["type"] == "BmcUnreachable"
    assert "2 s deadline" in short.json()["error"]["message"]
    # a long --timeout does not make pyghmi wait longer than its own ~4.5 s login
    long = hamnhw_cli("--json", "power", "status", "--username", "admin", "--timeout", "300",
                      url, password="password", timeout=60)
    assert long.returncode == 3, long.stderr
    assert "pyghmi gives up" in long.json()["error"]["message"]


def test_library_detects_the_ipmi_driver_and_device(ipmi_sim: IpmiPeer) -> None:
    with hamnhw.connect(ipmi_sim.url, ipmi_sim.username, ipmi_sim.password) as node:
        assert node.detection.driver == "ipmi"
        # ipmi_sim's sim.emu: mc_add ... 0x1291 0xf02 (manufacturer 4753, product 0x0f02)
        assert "IANA 4753, product 0x0f02" in node.detection.reason
        assert node.inventory.manager().firmware == "9.08"
        with pytest.raises(UnsupportedOperation, match="does not implement Set Power Restore"):
            node.power.set_restore_policy(PowerRestorePolicy.ALWAYS_ON)
        with pytest.raises(UnsupportedOperation, match="redfish://"):
            node.raid.volumes()


# -- against hamnhw's pyghmi BMC only -----------------------------------------------------

def test_power_change_slower_than_the_timeout_is_a_timeout(
        start_pyghmi_bmc: Callable[..., IpmiPeer], hamnhw_cli) -> None:
    slow = start_pyghmi_bmc("--power-delay", "30")
    result = hamnhw_cli("--json", "power", "on", "--username", slow.username, "--timeout", "8",
                        slow.url, password=slow.password, timeout=60)
    assert result.returncode == 1, result.stderr
    error = result.json()["error"]
    assert error["type"] == "PowerStateTimeout"
    assert "last read: off" in error["message"]


def test_power_change_with_delay_is_waited_for(start_pyghmi_bmc: Callable[..., IpmiPeer]) -> None:
    slow = start_pyghmi_bmc("--power-delay", "1")
    with hamnhw.connect(slow.url, slow.username, slow.password, poll=QUICK) as node:
        result = node.power.on()
        assert (result.power_state, result.changed, result.confirmed) == (PowerState.ON, True,
                                                                         True)
        cycled = node.power.cycle()
        assert (cycled.power_state, cycled.confirmed) == (PowerState.ON, True)
        node.power.off()
        with pytest.raises(OperationFailed, match="node is off"):
            node.power.cycle()
    assert chassis_power(slow) == "off"


def test_restore_policy_set_and_read_back(pyghmi_bmc: IpmiPeer) -> None:
    with hamnhw.connect(pyghmi_bmc.url, pyghmi_bmc.username, pyghmi_bmc.password) as node:
        assert node.power.get_restore_policy() is PowerRestorePolicy.ALWAYS_OFF
        for policy in (PowerRestorePolicy.ALWAYS_ON, PowerRestorePolicy.LAST_STATE):
            assert node.power.set_restore_policy(policy) is policy
    status = pyghmi_bmc.ipmitool("chassis", "status").stdout
    assert re.search(r"Power Restore Policy\s*:\s*previous", status), status


def test_restore_policy_accepted_but_not_applied_fails_the_read_back(
        start_pyghmi_bmc: Callable[..., IpmiPeer]) -> None:
    ignoring = start_pyghmi_bmc("--restore-policy-mode", "ignore")
    with (hamnhw.connect(ignoring.url, ignoring.username, ignoring.password) as node,
          pytest.raises(OperationFailed, match="reads back AlwaysOff")):
        node.power.set_restore_policy(PowerRestorePolicy.ALWAYS_ON)


def test_boot_device_keeps_uefi_mode_and_reads_back(pyghmi_bmc: IpmiPeer) -> None:
    # the node boots UEFI: ipmitool sets a UEFI disk override first
    assert pyghmi_bmc.ipmitool("chassis", "bootdev", "disk", "options=efiboot").returncode == 0
    with hamnhw.connect(pyghmi_bmc.url, pyghmi_bmc.username, pyghmi_bmc.password) as node:
        once = node.management.set_boot_override(BootSource.PXE)
        assert (once.target, once.mode) == (BootSource.PXE, BootOverrideMode.ONCE)
        assert node.management.boot_flags().uefi is True
        always = node.management.set_boot_override(BootSource.HDD, persistent=True)
        assert (always.target, always.mode) == (BootSource.HDD, BootOverrideMode.CONTINUOUS)
        bios = node.management.set_boot_override(BootSource.BIOS_SETUP)
        assert bios.target is BootSource.BIOS_SETUP
    flags = pyghmi_bmc.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "BIOS EFI boot" in flags and "Force Boot into BIOS Setup" in flags, flags


def test_cli_boot_on_a_fresh_bmc_takes_the_configured_mode_never_legacy(
        pyghmi_bmc: IpmiPeer, hamnhw_cli, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review 9-14 item 1: a fresh BMC's boot flags are invalid (all zero): IPMI cannot tell
    the node's mode, so hamnhw refuses rather than set the legacy flag, and with the node's
    ``boot_mode`` it sets a UEFI override, as ipmitool reads it."""
    fresh = pyghmi_bmc.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Boot parameter data: 0000000000" in fresh, fresh
    refused = hamnhw_cli("--json", "boot", "--username", pyghmi_bmc.username, pyghmi_bmc.url,
                         "hdd", password=pyghmi_bmc.password)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    error = refused.json()["error"]
    assert error["type"] == "ConfigError" and 'boot_mode = "UEFI"' in error["message"]
    untouched = pyghmi_bmc.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Boot parameter data: 0000000000" in untouched, untouched
    config = tmp_path / "hamnhw.toml"
    config.write_text(f'[nodes.old1]\nbmc = "{pyghmi_bmc.url}"\nusername = '
                      f'"{pyghmi_bmc.username}"\npassword_env = "OLD1_PW"\nboot_mode = "UEFI"\n')
    monkeypatch.setenv("OLD1_PW", pyghmi_bmc.password)
    done = hamnhw_cli("--json", "boot", "--config", str(config), "old1", "hdd")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.json()["boot_override"] == "Hdd/Once"
    flags = pyghmi_bmc.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "BIOS EFI boot" in flags and "Force Boot from default Hard-Drive" in flags, flags
    assert "legacy" not in flags, flags


def test_identify_set_and_read_back(pyghmi_bmc: IpmiPeer) -> None:
    with hamnhw.connect(pyghmi_bmc.url, pyghmi_bmc.username, pyghmi_bmc.password) as node:
        assert node.management.set_identify(True) is True
        assert node.management.get_identify() is True
        assert node.management.set_identify(False) is False


def test_two_nodes_from_two_threads(ipmi_sim: IpmiPeer, pyghmi_bmc: IpmiPeer) -> None:
    """pyghmi's one I/O thread serves both sessions; each thread sees only its own BMC."""
    results: dict[str, list[object]] = {}
    errors: list[BaseException] = []

    def drive(peer: IpmiPeer) -> None:
        try:
            with hamnhw.connect(peer.url, peer.username, peer.password, poll=QUICK) as node:
                seen: list[object] = []
                for _ in range(3):
                    seen.append(node.power.on().power_state)
                    seen.append(node.power.off().power_state)
                    seen.append(node.nics.bmc_nics()[0].mac)
                results[peer.name] = seen
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=drive, args=(peer,)) for peer in (ipmi_sim, pyghmi_bmc)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    for peer in (ipmi_sim, pyghmi_bmc):
        assert results[peer.name] == [PowerState.ON, PowerState.OFF, peer.mac] * 3
