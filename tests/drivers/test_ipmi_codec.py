"""IPMI bytes to models: Get Device ID, chassis status, boot flags, LAN parameters."""

from __future__ import annotations

import pytest
from hamnhw_drivers.ipmi import codec

from hamnhw.errors import MalformedResponse
from hamnhw.models import BootOverrideMode, BootSource, PowerRestorePolicy
from hamnhw.transport.ipmi_device import IANA_VENDORS, parse_device_id


def test_device_id_fields_and_vendor() -> None:
    device = parse_device_id(bytes([0x20, 0x81, 0x04, 0x30, 0x02, 0xBF, 0x7C, 0x2A, 0x00,
                                    0x09, 0x08, 1, 2, 3, 4]))
    assert (device.manufacturer_id, device.vendor, device.product_id) == (10876, "Supermicro",
                                                                           0x0809)
    assert (device.firmware, device.ipmi_version, device.device_revision) == ("4.30", "2.0", 1)
    unknown = parse_device_id(bytes([0, 3, 9, 8, 2, 0, 0x91, 0x12, 0, 2, 0xF]))
    assert (unknown.vendor, unknown.describe()) == (None, "IANA 4753, product 0x0f02, firmware "
                                                          "9.08")
    assert {IANA_VENDORS[n] for n in (674, 19046, 10876, 47196, 11, 343)} == {
        "Dell", "Lenovo", "Supermicro", "HPE", "HP", "Intel"}
    with pytest.raises(MalformedResponse):
        parse_device_id(b"\x00" * 10)


@pytest.mark.parametrize(("data", "power", "policy", "identify"), [
    (bytes([0x01, 0, 0x40]), True, PowerRestorePolicy.ALWAYS_OFF, False),
    (bytes([0x20, 0, 0x50]), False, PowerRestorePolicy.LAST_STATE, True),
    (bytes([0x41, 0, 0x60, 0]), True, PowerRestorePolicy.ALWAYS_ON, True),
    (bytes([0x61, 0, 0x30]), True, None, None),  # policy unknown, identify not reported
])
def test_chassis_status(data: bytes, power: bool, policy: PowerRestorePolicy | None,
                        identify: bool | None) -> None:
    status = codec.parse_chassis_status(data, "bmc")
    assert (status.power_on, status.restore_policy, status.identify) == (power, policy,
                                                                         identify)


def test_chassis_status_too_short() -> None:
    with pytest.raises(MalformedResponse, match="at least 3"):
        codec.parse_chassis_status(b"\x01", "bmc")


def test_boot_flags_round_trip() -> None:
    flags = codec.BootFlags(valid=True, persistent=True, uefi=True, device=0x2)
    assert flags.encode() == bytes([0xE0, 0x08, 0, 0, 0])
    assert codec.parse_boot_flags(bytes([1, 5]) + flags.encode(), "bmc") == flags
    assert flags.override().target is BootSource.HDD
    assert flags.override().mode is BootOverrideMode.CONTINUOUS
    with pytest.raises(MalformedResponse, match="not parameter 5"):
        codec.parse_boot_flags(bytes([1, 4, 0, 0]), "bmc")


def test_lan_parameters() -> None:
    assert codec.decode_lan_parameter("ip", bytes([0x11, 10, 1, 2, 3]), "b") == "10.1.2.3"
    assert codec.decode_lan_parameter("mac", bytes([0x11, 0xAA, 0xBB, 0xCC, 0, 1, 2]),
                                      "b") == "aa:bb:cc:00:01:02"
    assert codec.decode_lan_parameter("ip_source", b"\x11\x02", "b") == "dhcp"
    assert codec.decode_lan_parameter("vlan", b"\x11\x0a\x80", "b") == 10
    assert codec.decode_lan_parameter("vlan", b"\x11\x0a\x00", "b") == 0
    with pytest.raises(MalformedResponse, match="LAN parameter 5"):
        codec.decode_lan_parameter("mac", b"\x11\x01\x02", "b")
