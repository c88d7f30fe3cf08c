"""DHCP client identifiers (option 61) that the MN's OS may send.

* ``01:<MAC>``: most clients (dhclient, NetworkManager's default, busybox udhcpc).  It changes
  with the NIC, so the MAC reservations cover it.
* systemd-networkd's default (``ClientIdentifier=duid``): ``ff`` + IAID + DUID-EN, RFC 4361.
  The DUID is derived from ``/etc/machine-id``, which moves with the disks; the IAID from the
  interface's persistent name (``ID_NET_NAME_*``: ``eno1``, ``enp3s0f0``), which is the same
  on the standby only when its NIC sits at the same place.  Computed here as systemd does
  (``src/libsystemd-network/dhcp-identifier.c``): SipHash-2-4 with systemd's hash key.
* IP over InfiniBand: a client id is mandatory (RFC 4390); the common form (RHEL dhclient,
  dracut, xCAT) is a fixed prefix followed by the 8-byte port GUID.
"""

from __future__ import annotations

import re
import struct

SYSTEMD_PEN = 43793
"""systemd's IANA private enterprise number, in its DUID-EN."""
SYSTEMD_HASH_KEY = bytes.fromhex("80118cc2fe4a03ee3ed60c6f36391409")
"""systemd's SipHash key for DUIDs and IAIDs (``HASH_KEY`` in dhcp-identifier.c)."""
INFINIBAND_PREFIX = "ff:00:00:00:00:00:02:00:00:02:c9:00"
"""Client-id prefix before the port GUID for IPoIB (IAID 0, DUID-EN of PEN 0x2c9)."""

_MASK = 0xFFFFFFFFFFFFFFFF


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _MASK


def _rounds(v: list[int], count: int) -> None:
    for _ in range(count):
        v[0] = (v[0] + v[1]) & _MASK
        v[1] = _rotl(v[1], 13) ^ v[0]
        v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & _MASK
        v[3] = _rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & _MASK
        v[3] = _rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & _MASK
        v[1] = _rotl(v[1], 17) ^ v[2]
        v[2] = _rotl(v[2], 32)


def siphash24(key: bytes, data: bytes) -> int:
    """SipHash-2-4 of ``data`` under a 16-byte ``key`` (Aumasson & Bernstein), as an int."""
    k0, k1 = struct.unpack("<QQ", key)
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]
    tail = len(data) % 8
    for (m,) in struct.iter_unpack("<Q", data[:len(data) - tail]):
        v[3] ^= m
        _rounds(v, 2)
        v[0] ^= m
    last = int.from_bytes(data[len(data) - tail:], "little") | ((len(data) & 0xFF) << 56)
    v[3] ^= last
    _rounds(v, 2)
    v[0] ^= last
    v[2] ^= 0xFF
    _rounds(v, 4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def colon_hex(data: bytes) -> str:
    """``b'\\x01\\xab'`` -> ``01:ab``."""
    return ":".join(f"{b:02x}" for b in data)


def mac_client_id(mac: str) -> str:
    """The ``01:<MAC>`` client id most clients send."""
    return f"01:{mac.lower()}"


def networkd_duid(machine_id: str) -> bytes:
    """systemd-networkd's default DUID (DUID-EN) for an ``/etc/machine-id``."""
    if not re.fullmatch(r"[0-9a-f]{32}", machine_id):
        raise ValueError("a machine id is 32 lower-case hex digits")
    digest = siphash24(SYSTEMD_HASH_KEY, bytes.fromhex(machine_id))
    return struct.pack(">HI", 2, SYSTEMD_PEN) + struct.pack("<Q", digest)


def networkd_iaid(ifname: str) -> bytes:
    """The 4 IAID bytes systemd-networkd's DHCPv4 client sends for an interface's persistent
    name: the folded SipHash, big-endian here, which is what systemd's native-order write
    gives on little-endian hosts (its test vector: ``ABC123`` -> ``a8 4b de 8d``)."""
    digest = siphash24(SYSTEMD_HASH_KEY, ifname.encode())
    folded = (digest & 0xFFFFFFFF) ^ (digest >> 32)
    return struct.pack(">I", folded)


def networkd_client_id(machine_id: str, ifname: str) -> str:
    """The client id systemd-networkd sends by default: ``ff`` + IAID + DUID."""
    return colon_hex(b"\xff" + networkd_iaid(ifname) + networkd_duid(machine_id))


def infiniband_client_id(port_guid: str) -> str:
    """The IPoIB client id for a port GUID (8 bytes, any separator)."""
    digits = re.sub(r"[^0-9a-f]", "", port_guid.lower())
    if len(digits) != 16:
        raise ValueError(f"a port GUID is 8 bytes, got {port_guid!r}")
    return f"{INFINIBAND_PREFIX}:{colon_hex(bytes.fromhex(digits))}"
