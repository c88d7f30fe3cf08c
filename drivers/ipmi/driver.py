"""``IpmiDriver``: the built-in driver of ``ipmi://`` addresses (entry point ``ipmi``)."""

from __future__ import annotations

from typing import Any, ClassVar

from hamnhw.address import BmcAddress
from hamnhw.driver import Driver
from hamnhw.interfaces import PollPolicy


class IpmiDriver(Driver):
    """Standard IPMI 2.0 over LAN: power, restore policy, boot device, identify, the BMC's
    LAN channels, FRU identity and FRU host MACs.  RAID and drives: Redfish only.

    It is the fallback of the ``ipmi`` protocol: vendor IPMI drivers would register with
    ``protocol = "ipmi"`` and ``vendor_names`` matched against the Get Device ID maker.
    """

    protocol: ClassVar[str] = "ipmi"
    url_schemes: ClassVar[tuple[str, ...]] = ("ipmi",)
    fallback: ClassVar[bool] = True

    def __init__(self, client: Any, address: BmcAddress, poll: PollPolicy) -> None:
        # Imported here, not with the class: every command loads every driver to detect
        # the right one, and a Redfish command never needs the IPMI interfaces.
        from hamnhw_drivers.ipmi.context import IpmiContext
        from hamnhw_drivers.ipmi.inventory import IpmiInventory
        from hamnhw_drivers.ipmi.management import IpmiManagement
        from hamnhw_drivers.ipmi.nics import IpmiNics
        from hamnhw_drivers.ipmi.power import IpmiPower
        from hamnhw_drivers.ipmi.raid import IpmiRaid

        super().__init__(client, address, poll)
        context = IpmiContext(self.name or "ipmi", client, poll)
        self.context = context
        self.power = IpmiPower(context)
        self.management = IpmiManagement(context)
        self.nics = IpmiNics(context)
        self.inventory = IpmiInventory(context)
        self.raid = IpmiRaid(context.driver_name, context.host)
