"""Dell iDRAC (entry point ``dell``, URL scheme ``idrac-redfish://``).

iDRAC speaks DMTF Redfish for power, boot and inventory (its one system is
``Systems/System.Embedded.1``, managed by ``Managers/iDRAC.Embedded.1``); iDRAC 9
reports its Manager ``Model`` as the server generation, e.g. ``14G Monolithic``.  RAID on a
PERC differs (jobs, the Lifecycle Controller, DellRaidService, foreign configurations):
:mod:`.raid` overrides the generic RAID hooks, each quirk with its public source
(``docs/quirks.md`` lists them all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from hamnhw_drivers.generic import GenericRedfishDriver
from hamnhw_drivers.generic.deferred import deferred

if TYPE_CHECKING:
    from hamnhw_drivers.generic.inventory import RedfishInventory
    from hamnhw_drivers.generic.raid import RedfishRaid


class DellIdracDriver(GenericRedfishDriver):
    """Dell PowerEdge servers through iDRAC 8/9/10."""

    fallback: ClassVar[bool] = False
    url_schemes: ClassVar[tuple[str, ...]] = ("idrac-redfish",)
    vendor_names: ClassVar[tuple[str, ...]] = ("dell", "dell emc")
    oem_keys: ClassVar[tuple[str, ...]] = ("Dell",)
    manager_models: ClassVar[tuple[str, ...]] = ("iDRAC", "G Monolithic", "G Modular")
    inventory_class: ClassVar[type[RedfishInventory]] = deferred(
        "hamnhw_drivers.dell.inventory:DellInventory")
    raid_class: ClassVar[type[RedfishRaid]] = deferred("hamnhw_drivers.dell.raid:DellRaid")


__all__ = ["DellIdracDriver"]
