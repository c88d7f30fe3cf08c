"""Inventory over IPMI: the host's identity from FRU 0, the BMC's from Get Device ID.
Storage is out of IPMI's reach: controllers, drives and volumes are None, with a note."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hamnhw_drivers.ipmi.context import REDFISH_HINT, IpmiContext
from hamnhw_drivers.ipmi.fru import SYSTEM_RECORD, first_field, first_placeholder

from hamnhw.interfaces import InventoryInterface
from hamnhw.models import Manager, PowerState, System
from hamnhw.placeholders import known_uuid
from hamnhw.transport.ipmi_device import DeviceId

SERIAL_FIELDS = ("Serial Number", "Chassis serial number", "Board serial number")
"""FRU fields holding the host's serial, in order of preference."""
SERIAL_NAMES = dict(zip(SERIAL_FIELDS, ("FRU Product Serial", "FRU Chassis Serial",
                                        "FRU Board Serial"), strict=True))
"""How :attr:`~hamnhw.models.System.serials` names each (``ipmitool fru print``'s words)."""
STORAGE_NOTE = f"storage controllers, drives and volumes: IPMI cannot tell; {REDFISH_HINT}"


class IpmiInventory(InventoryInterface):
    """:class:`~hamnhw.interfaces.InventoryInterface` over IPMI.

    :meth:`notes` says what IPMI could not tell in the last read.
    """

    def __init__(self, context: IpmiContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context
        self._notes: tuple[str, ...] = (STORAGE_NOTE,)

    @property
    def device_id(self) -> DeviceId:
        """What Get Device ID said at login."""
        device: DeviceId = self.context.client.device_id
        return device

    def system(self) -> System:
        """The host from the FRU ``System`` record (manufacturer falls back to the BMC's
        IANA vendor); fields the BMC does not fill, or fills with a placeholder
        (:mod:`hamnhw.placeholders`), are None, a placeholder kept in ``placeholders``."""
        fru = self.context.fru()
        fields = fru.record(SYSTEM_RECORD)
        notes = [STORAGE_NOTE]
        if fields is None:
            notes.insert(0, f"system identity: no FRU record ({fru.error or 'none read'}); "
                            f"{REDFISH_HINT}")
        self._notes = tuple(notes)
        power = self.context.chassis_status().power_on
        serial = first_field(fields, *SERIAL_FIELDS)
        uuid_text = first_field(fields, "UUID")
        uuid = known_uuid(uuid_text)
        placeholders = {name: raw for name, raw in (
            ("serial", None if serial else first_placeholder(fields, *SERIAL_FIELDS)),
            ("uuid", uuid_text if uuid is None else None)) if raw is not None}
        return System(
            id=SYSTEM_RECORD, uri=None,
            manufacturer=first_field(fields, "Manufacturer", "Board manufacturer")
            or self.device_id.vendor,
            model=first_field(fields, "Product name", "Model", "Board product name"),
            serial=serial, uuid=uuid, bios_version=None,
            power_state=PowerState.ON if power else PowerState.OFF,
            placeholders=placeholders, serials=fru_serials(fields))

    def manager(self) -> Manager:
        """The BMC: maker and product from Get Device ID, firmware revision."""
        device = self.device_id
        maker = device.vendor or f"IANA {device.manufacturer_id}"
        return Manager(id="BMC", uri=None, model=f"{maker} BMC (product {device.product})",
                       firmware=device.firmware)

    def notes(self) -> tuple[str, ...]:
        """What IPMI could not tell in the last :meth:`system`/:meth:`inventory` read."""
        return self._notes


def fru_serials(fields: Mapping[str, Any] | None) -> dict[str, str]:
    """Every known serial of the FRU ``System`` record (product, chassis, board), by its
    ``ipmitool`` name; placeholders and blanks left out."""
    return {SERIAL_NAMES[name]: text for name in SERIAL_FIELDS
            if (text := first_field(fields, name)) is not None}
