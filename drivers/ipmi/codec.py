"""The IPMI 2.0 commands the driver sends, and their bytes decoded into hamnhw's models.

Section numbers are those of the IPMI v2.0 rev 1.1 specification.  Pure functions: no I/O.
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress

from hamnhw.errors import MalformedResponse
from hamnhw.models import BootOverride, BootOverrideMode, BootSource, PowerRestorePolicy

NETFN_CHASSIS = 0x00
NETFN_APP = 0x06
NETFN_TRANSPORT = 0x0C

GET_CHASSIS_STATUS = 0x01  # 28.2
CHASSIS_CONTROL = 0x02  # 28.3
CHASSIS_IDENTIFY = 0x04  # 28.5
SET_POWER_RESTORE_POLICY = 0x06  # 28.8
SET_BOOT_OPTIONS = 0x08  # 28.12
GET_BOOT_OPTIONS = 0x09  # 28.13
GET_CHANNEL_INFO = 0x42  # 22.24
GET_LAN_CONFIG = 0x02  # 23.2

BOOT_FLAGS = 5
"""Boot option parameter 5: boot flags (table 28-14)."""
BOOT_FLAG_VALID_BIT_CLEARING = 3
"""Boot option parameter 3."""
DONT_CLEAR_ON_WATCHDOG = 0x08
"""Parameter 3: keep the boot flags valid across a watchdog reset (as pyghmi and ipmitool
send before setting boot flags)."""

LAN_CHANNELS = range(1, 0x0C)
"""Channel numbers that can be LAN channels (0 is IPMB, 0x0E "this channel", 0x0F the
system interface)."""
LAN_MEDIUMS = (4, 6)
"""Channel medium types 802.3 LAN and "other LAN" (table 6-3)."""
INVALID_CHANNEL = 0xCC
"""Completion code of Get Channel Info for a channel that does not exist."""
PARAMETER_NOT_SUPPORTED = 0x80
"""Completion code of Get LAN Configuration Parameters for an unsupported parameter."""


class Control(enum.IntEnum):
    """Chassis Control (28.3) directives."""

    POWER_DOWN = 0
    POWER_UP = 1
    POWER_CYCLE = 2
    HARD_RESET = 3
    SOFT_SHUTDOWN = 5


RESTORE_POLICY_CODES: dict[PowerRestorePolicy, int] = {
    PowerRestorePolicy.ALWAYS_OFF: 0,
    PowerRestorePolicy.LAST_STATE: 1,
    PowerRestorePolicy.ALWAYS_ON: 2,
}
"""Power restore policy codes (Get Chassis Status bits 6:5, Set Power Restore Policy)."""

BOOT_DEVICES: dict[BootSource, int] = {
    BootSource.PXE: 0x1,
    BootSource.HDD: 0x2,
    BootSource.CD: 0x5,
    BootSource.BIOS_SETUP: 0x6,
    BootSource.USB: 0xF,
}
"""Boot device selectors (boot flags data 2, bits 5:2) of the sources hamnhw sets."""
_SOURCE_OF_DEVICE = {**{v: k for k, v in BOOT_DEVICES.items()}, 0x3: BootSource.HDD,
                     0x8: BootSource.CD, 0x9: BootSource.CD}


@dataclasses.dataclass(frozen=True)
class ChassisStatus:
    """Get Chassis Status (28.2)."""

    power_on: bool
    """Byte 1 bit 0: system power is on."""
    restore_policy: PowerRestorePolicy | None
    """Byte 1 bits 6:5; None for "unknown"."""
    identify: bool | None
    """Byte 3 bits 5:4 (on when temporary or indefinite); None when bit 6 says the BMC does
    not report it."""


def parse_chassis_status(data: bytes, host: str | None) -> ChassisStatus:
    """Decode Get Chassis Status.

    :raises MalformedResponse: fewer than the 3 mandatory bytes.
    """
    if len(data) < 3:
        raise MalformedResponse(f"{len(data)} bytes, at least 3 expected", host=host,
                                uri="IPMI Get Chassis Status")
    code = (data[0] >> 5) & 0b11
    policy = next((p for p, c in RESTORE_POLICY_CODES.items() if c == code), None)
    identify = bool((data[2] >> 4) & 0b11) if data[2] & 0x40 else None
    return ChassisStatus(bool(data[0] & 0x01), policy, identify)


@dataclasses.dataclass(frozen=True)
class BootFlags:
    """Boot option parameter 5 (table 28-14)."""

    valid: bool
    """Data 1 bit 7: the flags apply at the next boot."""
    persistent: bool
    """Data 1 bit 6: every boot rather than the next one."""
    uefi: bool
    """Data 1 bit 5: boot in UEFI mode (else legacy BIOS)."""
    device: int
    """Data 2 bits 5:2: the boot device selector."""

    def encode(self) -> bytes:
        """The 5 data bytes of Set System Boot Options parameter 5."""
        data1 = (0x80 if self.valid else 0) | (0x40 if self.persistent else 0) | (
            0x20 if self.uefi else 0)
        return bytes([data1, (self.device & 0x0F) << 2, 0, 0, 0])

    def override(self) -> BootOverride:
        """As hamnhw's model: an invalid flag set or device 0 is no override."""
        source = _SOURCE_OF_DEVICE.get(self.device, BootSource.NONE)
        if not self.valid or source is BootSource.NONE:
            return BootOverride(BootSource.NONE, BootOverrideMode.DISABLED)
        mode = BootOverrideMode.CONTINUOUS if self.persistent else BootOverrideMode.ONCE
        return BootOverride(source, mode)


def parse_boot_flags(data: bytes, host: str | None) -> BootFlags:
    """Decode the response of Get System Boot Options for parameter 5.

    The response starts with the parameter version and the parameter selector, whose bit 7
    marks the parameter as invalid (locked): then no override is in force.

    :raises MalformedResponse: too short, or another parameter than 5.
    """
    if len(data) < 4 or data[1] & 0x7F != BOOT_FLAGS:
        raise MalformedResponse(f"boot flags answer {data.hex()} is not parameter 5",
                                host=host, uri="IPMI Get System Boot Options")
    data1, data2 = data[2], data[3]
    return BootFlags(valid=bool(data1 & 0x80) and not data[1] & 0x80,
                     persistent=bool(data1 & 0x40), uefi=bool(data1 & 0x20),
                     device=(data2 >> 2) & 0x0F)


@dataclasses.dataclass(frozen=True)
class BmcLan:
    """The BMC's own network settings on one LAN channel (Get LAN Configuration
    Parameters, 23.2).  None: the BMC does not report the parameter."""

    channel: int
    """LAN channel number."""
    mac: str | None
    """Parameter 5, lower-case colon form."""
    ip_source: str | None
    """Parameter 4: ``static``, ``dhcp``, ``bios``, ``other`` or ``unspecified``."""
    ip: str | None
    """Parameter 3."""
    netmask: str | None
    """Parameter 6."""
    gateway: str | None
    """Parameter 12: the default gateway."""
    vlan: int | None
    """Parameter 20: the 802.1Q VLAN id, 0 when VLAN tagging is off."""


LAN_PARAMETERS = {"ip": 3, "ip_source": 4, "mac": 5, "netmask": 6, "gateway": 12, "vlan": 20}
"""The LAN configuration parameters read, by :class:`BmcLan` field."""
_IP_SOURCES = {0: "unspecified", 1: "static", 2: "dhcp", 3: "bios", 4: "other"}


def decode_lan_parameter(name: str, data: bytes, host: str | None) -> str | int | None:
    """Decode one LAN parameter's answer (revision byte first) for a :class:`BmcLan` field.

    :raises MalformedResponse: the value has the wrong length for the parameter.
    """
    value = data[1:]
    sizes = {"ip": 4, "netmask": 4, "gateway": 4, "mac": 6, "ip_source": 1, "vlan": 2}
    if len(value) < sizes[name]:
        raise MalformedResponse(f"LAN parameter {LAN_PARAMETERS[name]} ({name}) is "
                                f"{len(value)} bytes", host=host, uri="IPMI LAN configuration")
    if name in ("ip", "netmask", "gateway"):
        return str(ipaddress.IPv4Address(value[:4]))
    if name == "mac":
        return ":".join(f"{b:02x}" for b in value[:6])
    if name == "ip_source":
        return _IP_SOURCES.get(value[0] & 0x0F, "other")
    vlan = int.from_bytes(value[:2], "little")
    return vlan & 0x0FFF if vlan & 0x8000 else 0


def is_lan_channel(info: bytes) -> bool:
    """True when Get Channel Info says the channel is a LAN (802.3 or other LAN)."""
    return len(info) >= 2 and (info[1] & 0x7F) in LAN_MEDIUMS
