"""sushy-emulator, fake driver, over HTTPS with basic auth and a self-signed certificate.

Its power requests land after a random 1-11 s, so every change is confirmed by polling
with the driver's default poll policy (timeout 60 s).
"""

from __future__ import annotations

import pytest
from peerdata import FAKE_SYSTEMS, Peer

import hamnhw
from hamnhw.errors import AuthenticationError, TlsError
from hamnhw.models import PowerState

pytestmark = pytest.mark.peers

WAIT_S = 60.0
NODE_A = FAKE_SYSTEMS["node-a"]["uuid"]  # starts Off
NODE_B = FAKE_SYSTEMS["node-b"]["uuid"]  # starts On


def test_power_off_then_on_confirmed_through_emulator_delays(sushy_fake: Peer) -> None:
    with hamnhw.connect(sushy_fake.system_url(NODE_B), sushy_fake.username,
                        sushy_fake.password, ca_file=str(sushy_fake.ca_file),
                        timeout=WAIT_S) as node:
        off = node.power.off(timeout=WAIT_S)
        assert (off.power_state, off.changed) == (PowerState.OFF, True)
        assert node.power.state() == PowerState.OFF
        on = node.power.on(timeout=WAIT_S)
        assert (on.power_state, on.changed) == (PowerState.ON, True)
        assert node.power.state() == PowerState.ON


def test_nics_of_one_system_picked_by_url(sushy_fake: Peer) -> None:
    expected = {nic["mac"] for nic in FAKE_SYSTEMS["node-a"]["nics"]}
    with hamnhw.connect(sushy_fake.system_url(NODE_A), sushy_fake.username,
                        sushy_fake.password, ca_file=str(sushy_fake.ca_file)) as node:
        assert {nic.mac for nic in node.nics.list()} == expected


def test_library_refuses_self_signed_cert_without_its_ca(sushy_fake: Peer) -> None:
    with pytest.raises(TlsError):
        hamnhw.connect(sushy_fake.system_url(NODE_A), sushy_fake.username, sushy_fake.password)


def test_library_accepts_pinned_fingerprint(sushy_fake: Peer) -> None:
    assert sushy_fake.fingerprint
    with hamnhw.connect(sushy_fake.system_url(NODE_A), sushy_fake.username, sushy_fake.password,
                        pin_fingerprint=sushy_fake.fingerprint) as node:
        assert node.power.state() in (PowerState.ON, PowerState.OFF)


def test_library_rejects_wrong_password(sushy_fake: Peer) -> None:
    with pytest.raises(AuthenticationError):
        hamnhw.connect(sushy_fake.system_url(NODE_A), sushy_fake.username, "not-the-password",
                       ca_file=str(sushy_fake.ca_file))


def test_cli_refuses_without_ca_exit_3(sushy_fake: Peer, hamnhw_cli) -> None:
    url = sushy_fake.system_url(NODE_A)
    result = hamnhw_cli("--json", "power", "status", "--username", "admin", url,
                        password=sushy_fake.password)
    assert result.returncode == 3, result.stderr
    assert result.json()["error"]["exit_code"] == 3


def test_cli_accepts_ca_file(sushy_fake: Peer, hamnhw_cli) -> None:
    url = sushy_fake.system_url(NODE_A)
    result = hamnhw_cli("--json", "power", "status", "--username", "admin",
                        "--ca-file", str(sushy_fake.ca_file), url, password=sushy_fake.password)
    assert result.returncode == 0, result.stderr
    assert result.json()["power_state"] in ("on", "off")


def test_cli_accepts_pinned_fingerprint_with_password_file(sushy_fake: Peer, hamnhw_cli) -> None:
    assert sushy_fake.fingerprint
    colon_form = ":".join(sushy_fake.fingerprint[i:i + 2]
                          for i in range(0, len(sushy_fake.fingerprint), 2)).upper()
    result = hamnhw_cli("--json", "power", "status", "--username", "admin",
                        "--pin-fingerprint", colon_form, sushy_fake.system_url(NODE_A),
                        password=sushy_fake.password, password_file=True)
    assert result.returncode == 0, result.stderr
    assert result.json()["power_state"] in ("on", "off")


def test_cli_refuses_other_fingerprint_exit_3(sushy_fake: Peer, hamnhw_cli) -> None:
    assert sushy_fake.fingerprint
    other = format(int(sushy_fake.fingerprint, 16) ^ 1, "064x")
    result = hamnhw_cli("--json", "power", "status", "--username", "admin",
                        "--pin-fingerprint", other, sushy_fake.system_url(NODE_A),
                        password=sushy_fake.password)
    assert result.returncode == 3, result.stderr


def test_cli_wrong_password_exit_4(sushy_fake: Peer, hamnhw_cli) -> None:
    result = hamnhw_cli("--json", "power", "status", "--username", "admin",
                        "--ca-file", str(sushy_fake.ca_file), sushy_fake.system_url(NODE_A),
                        password="not-the-password", password_file=True)
    assert result.returncode == 4, result.stderr
    assert result.json()["error"]["exit_code"] == 4


def test_cli_power_on_waits_through_emulator_delay(sushy_fake: Peer, hamnhw_cli) -> None:
    url = sushy_fake.system_url(NODE_A)
    result = hamnhw_cli("--json", "power", "on", "--username", "admin", "--ca-file",
                        str(sushy_fake.ca_file), "--timeout", str(WAIT_S), url,
                        password=sushy_fake.password)
    assert result.returncode == 0, result.stderr
    out = result.json()
    assert (out["node"], out["power_state"], out["changed"]) == (url, "on", True)
    assert out["elapsed_s"] >= 0
