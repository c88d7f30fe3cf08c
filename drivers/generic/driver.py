"""The generic DMTF Redfish driver: a composition of the interfaces of this package."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.deferred import OnFirstUse, deferred
from hamnhw_drivers.generic.management import RedfishManagement
from hamnhw_drivers.generic.power import RedfishPower
from hamnhw_drivers.generic.resource import Reader
from hamnhw_drivers.generic.systems import SystemLocator

from hamnhw.address import BmcAddress
from hamnhw.driver import Driver
from hamnhw.interfaces import PollPolicy

if TYPE_CHECKING:
    from hamnhw_drivers.generic.inventory import RedfishInventory
    from hamnhw_drivers.generic.nics import RedfishNics
    from hamnhw_drivers.generic.raid import RedfishRaid


class GenericRedfishDriver(Driver):
    """Any BMC that speaks DMTF Redfish; the fallback when no vendor driver matches.

    A vendor driver subclasses this, sets its detection hints and, for a real
    quirk, swaps one interface class for a subclass overriding a named hook::

        class AcmePower(RedfishPower):
            def reset_type_for(self, action, allowed): ...

        class AcmeDriver(GenericRedfishDriver):
            vendor_names = ("acme",)
            power_class = AcmePower
    """

    fallback: ClassVar[bool] = True
    power_class: ClassVar[type[RedfishPower]] = RedfishPower
    """Power interface implementation."""
    management_class: ClassVar[type[RedfishManagement]] = RedfishManagement
    """Management interface implementation."""
    nics_class: ClassVar[type[RedfishNics]] = deferred("hamnhw_drivers.generic.nics:RedfishNics")
    """NIC interface implementation."""
    inventory_class: ClassVar[type[RedfishInventory]] = deferred(
        "hamnhw_drivers.generic.inventory:RedfishInventory")
    """Inventory interface implementation (its storage walk also serves RAID).  It, the NIC
    and the RAID implementations are imported and built on first use (:mod:`.deferred`)."""
    raid_class: ClassVar[type[RedfishRaid]] = deferred("hamnhw_drivers.generic.raid:RedfishRaid")
    """RAID interface implementation."""
    locator_class: ClassVar[type[SystemLocator]] = SystemLocator
    """How the system and its manager are found."""

    def __init__(self, client: Any, address: BmcAddress, poll: PollPolicy) -> None:
        super().__init__(client, address, poll)
        reader = Reader(client)
        self.context = DriverContext(
            driver_name=self.name or type(self).__name__, reader=reader,
            locator=self.locator_class(reader, address.system_id), poll=poll)
        self.power = self.power_class(self.context)
        self.management = self.management_class(self.context)

    @OnFirstUse
    def nics(self) -> RedfishNics:
        """The NIC interface, built on first use (a power command needs none)."""
        return self.nics_class(self.context)

    @OnFirstUse
    def inventory(self) -> RedfishInventory:
        """The inventory interface, built on first use."""
        return self.inventory_class(self.context)

    @OnFirstUse
    def raid(self) -> RedfishRaid:
        """The RAID interface, built on first use over :attr:`inventory`."""
        return self.raid_class(self.inventory)

    def open(self) -> None:
        """Choose the system now: several systems and none picked, an unknown id, or
        credentials the BMC refuses (basic auth is not checked before a first request)
        fail at connect, not halfway through a command."""
        _ = self.context.locator.system_uri

    def probe(self) -> None:
        """Check the credentials with one authenticated read, choosing no system."""
        self.context.locator.probe()
