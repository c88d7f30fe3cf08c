"""Client identifiers: SipHash-2-4 against the reference vectors, networkd's DUID/IAID
layout, IPoIB and 01:MAC forms."""

from __future__ import annotations

import pytest

from hamnhw.dhcp.clientid import (
    infiniband_client_id,
    mac_client_id,
    networkd_client_id,
    networkd_duid,
    networkd_iaid,
    siphash24,
)

KEY = bytes(range(16))


@pytest.mark.parametrize(("length", "expected"), [
    (0, 0x726FDB47DD0E0E31), (1, 0x74F839C593DC67FD), (7, 0xAB0200F58B01D137),
    (8, 0x93F5F5799A932462), (15, 0xA129CA6149BE45E5), (63, 0x958A324CEB064572),
])
def test_siphash24_reference_vectors(length: int, expected: int) -> None:
    # Vectors of the SipHash paper (key 00..0f, message 00..length-1).
    assert siphash24(KEY, bytes(range(length))) == expected


def test_networkd_client_id_is_ff_iaid_duid_en_of_systemd() -> None:
    machine_id = "0123456789abcdef0123456789abcdef"
    duid = networkd_duid(machine_id)
    assert duid[:6] == bytes.fromhex("00020000ab11")   # DUID-EN, PEN 43793
    assert len(duid) == 14
    value = networkd_client_id(machine_id, "eno1")
    parts = value.split(":")
    assert parts[0] == "ff" and len(parts) == 1 + 4 + 14
    assert bytes.fromhex("".join(parts[1:5])) == networkd_iaid("eno1")
    # The DUID travels with the disks; the IAID follows the interface name.
    assert networkd_client_id(machine_id, "enp3s0")[15:] == value[15:]
    assert networkd_client_id(machine_id, "enp3s0")[:14] != value[:14]
    with pytest.raises(ValueError, match="32 lower-case hex"):
        networkd_duid("not-a-machine-id")


def test_networkd_iaid_and_duid_are_the_bytes_systemd_sends() -> None:
    """systemd's own vectors (src/libsystemd-network): TEST(dhcp_identifier_set_iaid) hashes
    the 6 bytes 'A','B','C','1','2','3' and expects the IAID 0x8dde4ba8 in native (x86:
    little-endian) order, i.e. the bytes a8 4b de 8d, which its DHCPv4 client puts on the
    wire after 0xff; sd_dhcp_duid_set_en() in test mode (machine id 0102..10) asserts the
    DUID 00 02 00 00 ab 11 61 77 40 de 13 42 c3 a2.  The IAID input is the interface's
    persistent name, hashed the same way (the same 6 bytes here)."""
    assert networkd_iaid("ABC123") == (0x8DDE4BA8).to_bytes(4, "little")
    assert networkd_duid("0102030405060708090a0b0c0d0e0f10") == bytes.fromhex(
        "00020000ab11617740de1342c3a2")


def test_infiniband_and_mac_client_ids() -> None:
    assert infiniband_client_id("0002:c903:00aa:bb01") == (
        "ff:00:00:00:00:00:02:00:00:02:c9:00:00:02:c9:03:00:aa:bb:01")
    with pytest.raises(ValueError, match="8 bytes"):
        infiniband_client_id("00:02")
    assert mac_client_id("02:AA:00:00:00:01") == "01:02:aa:00:00:00:01"
