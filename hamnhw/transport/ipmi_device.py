"""IPMI Get Device ID (App NetFn 0x06, command 0x01): who made the BMC, which product, which
firmware.  Read by :class:`~hamnhw.transport.ipmi.IpmiTransport` right after login, as the
Redfish transport reads the ServiceRoot, and used for driver detection and inventory.
"""

from __future__ import annotations

import dataclasses

from hamnhw.errors import MalformedResponse

IANA_VENDORS: dict[int, str] = {
    2: "IBM",
    11: "HP",
    42: "Sun",
    343: "Intel",
    674: "Dell",
    2011: "Huawei",
    4769: "IBM",
    6653: "Tyan",
    7244: "Quanta",
    10368: "Fujitsu",
    10876: "Supermicro",
    15000: "Kontron",
    19046: "Lenovo",
    20301: "IBM",
    20974: "AMI",
    47196: "HPE",
    47488: "Supermicro",
}
"""IANA Private Enterprise Numbers of BMC makers (the IANA enterprise-numbers registry, as
ipmitool's ``IPMI_OEM`` table lists them): the manufacturer id of Get Device ID."""


@dataclasses.dataclass(frozen=True)
class DeviceId:
    """What Get Device ID says (IPMI 2.0 section 20.1)."""

    device_id: int
    """Device ID byte."""
    device_revision: int
    """Device revision (low nibble)."""
    firmware: str
    """Firmware revision, ``major.minor`` with the minor in BCD as ipmitool prints it
    (``9.08``)."""
    ipmi_version: str
    """IPMI version, e.g. ``2.0``."""
    manufacturer_id: int
    """IANA Private Enterprise Number of the manufacturer (20 bits)."""
    product_id: int
    """Manufacturer-defined product id."""

    @property
    def vendor(self) -> str | None:
        """The manufacturer's name, or None for an IANA number hamnhw does not know."""
        return IANA_VENDORS.get(self.manufacturer_id)

    @property
    def product(self) -> str:
        """The product id as hex (``0x0f02``): IPMI has no product name."""
        return f"0x{self.product_id:04x}"

    def describe(self) -> str:
        """``Lenovo (IANA 19046), product 0x0f02, firmware 9.08``."""
        maker = f"{self.vendor} (IANA {self.manufacturer_id})" if self.vendor else (
            f"IANA {self.manufacturer_id}")
        return f"{maker}, product {self.product}, firmware {self.firmware}"


def parse_device_id(data: bytes, host: str | None = None) -> DeviceId:
    """Decode the response data of Get Device ID (completion code already stripped).

    :raises MalformedResponse: fewer than the 11 mandatory bytes.
    """
    if len(data) < 11:
        raise MalformedResponse(f"Get Device ID answered {len(data)} bytes, 11 expected",
                                host=host, uri="IPMI Get Device ID")
    minor = data[3]
    return DeviceId(
        device_id=data[0],
        device_revision=data[1] & 0x0F,
        firmware=f"{data[2] & 0x7F}.{minor >> 4:x}{minor & 0x0F:x}",
        ipmi_version=f"{data[4] & 0x0F}.{data[4] >> 4}",
        manufacturer_id=int.from_bytes(data[6:9], "little") & 0x0FFFFF,
        product_id=int.from_bytes(data[9:11], "little"),
    )
