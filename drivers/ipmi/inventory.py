"""Inventory over IPMI: the host's identity from FRU 0, the BMC's from Get Device ID.
Storage is out of IPMI's reach: controllers, drives and volumes are None, with a note."""

from __future__ import annotations

from hamnhw_drivers.ipmi.context import REDFISH_HINT, IpmiContext
from hamnhw_drivers.ipmi.fru import SYSTEM_RECORD, first_field

from hamnhw.interfaces import InventoryInterface
from hamnhw.models import Manager, PowerState, System
from hamnhw.transport.ipmi_device import DeviceId

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
        IANA vendor); fields the BMC does not fill are None."""
        fru = self.context.fru()
        fields = fru.record(SYSTEM_RECORD)
        notes = [STORAGE_NOTE]
        if fields is None:
            notes.insert(0, f"system identity: no FRU record ({fru.error or 'none read'}); "
                            f"{REDFISH_HINT}")
        self._notes = tuple(notes)
        power = self.context.chassis_status().power_on
        return System(
            id=SYSTEM_RECORD, uri=None,
            manufacturer=first_field(fields, "Manufacturer", "Board manufacturer")
            or self.device_id.vendor,
            model=first_field(fields, "Product name", "Model", "Board product name"),
            serial=first_field(fields, "Serial Number", "Chassis serial number",
                               "Board serial number"),
            uuid=first_field(fields, "UUID"),
            bios_version=None,
            power_state=PowerState.ON if power else PowerState.OFF)

    def manager(self) -> Manager:
        """The BMC: maker and product from Get Device ID, firmware revision."""
        device = self.device_id
        maker = device.vendor or f"IANA {device.manufacturer_id}"
        return Manager(id="BMC", uri=None, model=f"{maker} BMC (product {device.product})",
                       firmware=device.firmware)

    def notes(self) -> tuple[str, ...]:
        """What IPMI could not tell in the last :meth:`system`/:meth:`inventory` read."""
        return self._notes
