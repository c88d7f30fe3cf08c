"""HPE iLO (entry point ``hpe``, URL scheme ``ilo5-redfish://``).

iLO 4 marks its ServiceRoot with an ``Oem.Hp`` object, iLO 5 and later with ``Oem.Hpe``; the
Manager ``Model`` reads ``iLO 5``/``iLO 6``.  Power, boot and most inventory are DMTF Redfish;
RAID on a Smart Array is read through ``Oem.Hpe.Links.SmartStorage`` and written through
SmartStorageConfig settings applied at the next POST (:mod:`.raid`, :mod:`.inventory`;
``docs/quirks.md`` lists every quirk with its source).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from hamnhw_drivers.generic import GenericRedfishDriver
from hamnhw_drivers.generic.deferred import deferred

if TYPE_CHECKING:
    from hamnhw_drivers.generic.inventory import RedfishInventory
    from hamnhw_drivers.generic.nics import RedfishNics
    from hamnhw_drivers.generic.raid import RedfishRaid


class HpeIloDriver(GenericRedfishDriver):
    """HPE ProLiant servers through iLO 4/5/6."""

    fallback: ClassVar[bool] = False
    url_schemes: ClassVar[tuple[str, ...]] = ("ilo5-redfish",)
    vendor_names: ClassVar[tuple[str, ...]] = ("hpe", "hp", "hewlett packard enterprise",
                                               "hewlett packard")  # older SMBIOS makers
    oem_keys: ClassVar[tuple[str, ...]] = ("Hpe", "Hp")
    manager_models: ClassVar[tuple[str, ...]] = ("iLO",)
    inventory_class: ClassVar[type[RedfishInventory]] = deferred(
        "hamnhw_drivers.hpe.inventory:HpeInventory")
    nics_class: ClassVar[type[RedfishNics]] = deferred("hamnhw_drivers.hpe.inventory:HpeNics")
    raid_class: ClassVar[type[RedfishRaid]] = deferred("hamnhw_drivers.hpe.raid:HpeRaid")


__all__ = ["HpeIloDriver"]
