"""sushy-emulator on libvirt's ``test:///default`` driver over plain HTTP: power
changes land at once, and its one system has one NIC."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest
from peerdata import PASSWORD, USERNAME, Peer

import hamnhw
from hamnhw.interfaces import PollPolicy
from hamnhw.models import PowerState

pytestmark = pytest.mark.peers

QUICK_POLL = PollPolicy(interval=0.2, timeout=20.0)


def libvirt_test_domain_macs(peer: Peer) -> set[str]:
    """MACs of the test driver's domains, read through libvirt itself (the peer's venv)."""
    python = peer.process.executable.with_name("python")
    code = ("import libvirt; c = libvirt.open('test:///default'); "
            "print('\\n'.join(d.XMLDesc() for d in c.listAllDomains()))")
    xml = subprocess.run([str(python), "-c", code], check=True, capture_output=True,
                         text=True).stdout
    root = ET.fromstring(f"<all>{xml}</all>")
    return {mac.get("address", "").lower() for mac in root.iter("mac")}


def test_power_changes_are_immediate(sushy_libvirt: Peer) -> None:
    with hamnhw.connect(sushy_libvirt.bmc_url, USERNAME, PASSWORD, poll=QUICK_POLL) as node:
        node.power.on()
        node.power.off(wait=False)
        assert node.power.state() == PowerState.OFF
        node.power.on(wait=False)
        assert node.power.state() == PowerState.ON


def test_power_off_and_on_waited(sushy_libvirt: Peer) -> None:
    with hamnhw.connect(sushy_libvirt.bmc_url, USERNAME, PASSWORD, poll=QUICK_POLL) as node:
        node.power.on()
        off = node.power.off()
        assert (off.power_state, off.changed) == (PowerState.OFF, True)
        again = node.power.off()
        assert (again.power_state, again.changed) == (PowerState.OFF, False)
        on = node.power.on()
        assert (on.power_state, on.changed) == (PowerState.ON, True)


def test_nic_mac_of_its_one_system(sushy_libvirt: Peer) -> None:
    expected = libvirt_test_domain_macs(sushy_libvirt)
    assert len(expected) == 1
    with hamnhw.connect(sushy_libvirt.bmc_url, USERNAME, PASSWORD) as node:
        assert {nic.mac for nic in node.nics.list()} == expected


def test_cli_power_no_wait_then_status(sushy_libvirt: Peer, hamnhw_cli) -> None:
    url = sushy_libvirt.bmc_url
    off = hamnhw_cli("--json", "power", "off", "--no-wait", "--username", USERNAME, url,
                     password=PASSWORD)
    assert off.returncode == 0, off.stderr
    status = hamnhw_cli("--json", "power", "status", "--username", USERNAME, url,
                        password=PASSWORD)
    assert status.returncode == 0, status.stderr
    assert status.json()["power_state"] == "off"
    on = hamnhw_cli("--json", "power", "on", "--username", USERNAME, url, password=PASSWORD)
    assert on.returncode == 0, on.stderr
    assert (on.json()["power_state"], on.json()["changed"]) == ("on", True)


def test_cli_nics_json(sushy_libvirt: Peer, hamnhw_cli) -> None:
    expected = libvirt_test_domain_macs(sushy_libvirt)
    result = hamnhw_cli("--json", "nics", "--username", USERNAME, sushy_libvirt.bmc_url,
                        password=PASSWORD, password_file=True)
    assert result.returncode == 0, result.stderr
    assert {nic["mac"] for nic in result.json()["nics"]} == expected
