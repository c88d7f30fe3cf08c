"""Hardware RAID, read side: volumes and the drives behind them.

The walk is the inventory's, so that a vendor hook overriding how storage is
found or parsed applies to both.  RAID writes come with the RAID work.
"""

from __future__ import annotations

from hamnhw_drivers.generic.inventory import RedfishInventory

from hamnhw.interfaces import RaidInterface, RaidView
from hamnhw.models import Drive, Volume


class RedfishRaid(RaidInterface):
    """:class:`~hamnhw.interfaces.RaidInterface` (read side) over DMTF Redfish.

    :param inventory: the driver's inventory interface, whose storage walk is reused.
    """

    def __init__(self, inventory: RedfishInventory) -> None:
        super().__init__(inventory.driver_name, inventory.host)
        self.inventory = inventory

    def volumes(self) -> tuple[Volume, ...] | None:
        """Logical volumes with RAID level, member drive ids, health and running operation."""
        return self.inventory.storage_view().volumes

    def drives(self) -> tuple[Drive, ...] | None:
        """Physical drives (Storage, SimpleStorage and chassis-linked)."""
        return self.inventory.storage_view(with_volumes=False).drives

    def storage(self) -> RaidView:
        """Volumes and drives from a single walk of the storage, so they agree."""
        view = self.inventory.storage_view()
        return RaidView(view.volumes, view.drives, view.incomplete, view.warnings)
