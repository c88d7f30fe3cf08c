"""HPE iLO inventory: the storage walk with the Smart Array controllers of
``Oem.Hpe.Links.SmartStorage`` merged in, and host NICs also through
``Oem.Hpe.Links.EthernetInterfaces``.

HPE, iLO 5, public sources: the iLO 5 Redfish API reference and proliantutils' samples
(``system.json``: a ComputerSystem whose EthernetInterfaces and SmartStorage are linked only
under ``Oem.Hpe.Links``).  iLO 5 may also show a controller in the standard Storage tree
(built by iLO from the same POST data, ``Oem.Hpe.UnderlyingDataSource: DCi``, or by the
controller itself through RDE): a drive shown both ways is kept once, as SmartStorage shows
it, so that it is written through the model it was read from.
"""

from __future__ import annotations

import dataclasses

from hamnhw_drivers.generic.inventory import RedfishInventory, StorageView
from hamnhw_drivers.generic.nics import RedfishNics
from hamnhw_drivers.generic.resource import Resource
from hamnhw_drivers.hpe import smartstorage

from hamnhw.errors import HttpError, MalformedResponse

OEM_NICS = "Oem.Hpe.Links.EthernetInterfaces"


class HpeInventory(RedfishInventory):
    """Storage from both the standard tree and SmartStorage."""

    def storage_view(self, system: Resource | None = None, *,
                     with_volumes: bool = True) -> StorageView:
        """The generic walk merged with SmartStorage (drives de-duplicated by serial)."""
        system = system or self.context.locator.system()
        view = super().storage_view(system, with_volumes=with_volumes)
        try:
            smart = smartstorage.read(self.reader, system)
        except (HttpError, MalformedResponse) as exc:
            warning = f"SmartStorage not readable: {exc.message}"
            return dataclasses.replace(view, incomplete=True,
                                       warnings=(*view.warnings, warning))
        if smart is None:
            return view
        serials = {d.serial for d in smart.drives if d.serial}
        kept = tuple(d for d in view.drives or () if d.serial not in serials)
        dropped = {d.id for d in view.drives or ()} - {d.id for d in kept}
        volumes = tuple(v for v in view.volumes or ()
                        if not set(v.drive_ids or ()) & dropped)
        return dataclasses.replace(
            view, controllers=(*(view.controllers or ()), *smart.controllers),
            drives=(*kept, *smart.drives),
            volumes=(*volumes, *smart.volumes) if with_volumes else view.volumes)


class HpeNics(RedfishNics):
    """Host NICs linked under ``Oem.Hpe.Links`` too."""

    def interfaces_uri(self, system: Resource) -> str | None:
        """The standard link, else ``Oem.Hpe.Links.EthernetInterfaces`` (iLO 5)."""
        return super().interfaces_uri(system) or system.link(OEM_NICS)
