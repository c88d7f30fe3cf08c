"""HPE iLO inventory: the storage walk with the Smart Array controllers of
``Oem.Hpe.Links.SmartStorage`` merged in, and host NICs also through
``Oem.Hpe.Links.EthernetInterfaces``.

HPE, iLO 5, public sources: the iLO 5 Redfish API reference and proliantutils' samples
(``system.json``: a ComputerSystem whose EthernetInterfaces and SmartStorage are linked only
under ``Oem.Hpe.Links``).  iLO 5 may also show a controller in the standard Storage tree
(built by iLO from the same POST data, ``Oem.Hpe.UnderlyingDataSource: DCi``, or by the
controller itself through RDE): a controller shown both ways is kept once, whole, from the
model chosen for it by :mod:`.datamodel`, so that it is written through the model it was read
from.
"""

from __future__ import annotations

import dataclasses

from hamnhw_drivers.generic.inventory import RedfishInventory, StorageView
from hamnhw_drivers.generic.nics import RedfishNics
from hamnhw_drivers.generic.resource import Resource
from hamnhw_drivers.hpe import datamodel, smartstorage
from hamnhw_drivers.hpe.smartstorage import SmartView

from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.log import get_logger

LOG = get_logger("hamnhw.drivers.hpe")

OEM_NICS = "Oem.Hpe.Links.EthernetInterfaces"

class HpeInventory(RedfishInventory):
    """Storage from both the standard tree and SmartStorage, each controller from one of
    them (:mod:`.datamodel`)."""

    def storage_view(self, system: Resource | None = None, *,
                     with_volumes: bool = True) -> StorageView:
        """The generic walk merged with SmartStorage; a controller shown both ways is kept
        once, whole, from the model it is written through."""
        system = system or self.context.locator.system()
        view = super().storage_view(system, with_volumes=with_volumes)
        try:
            found = self.smart_storage(system, view)
        except (HttpError, MalformedResponse) as exc:
            warning = f"SmartStorage not readable: {exc.message}"
            return dataclasses.replace(view, incomplete=True,
                                       warnings=(*view.warnings, warning))
        if found is None:
            return view
        smart, choice = found
        return datamodel.merge(view, smart, choice, with_volumes=with_volumes)

    def search_chassis_collection(self, system: Resource) -> bool:
        """Always search the Chassis collection for chassis claiming the system.

        Quirk, HPE iLO 5 and 6 (all firmware): each storage enclosure of a Smart Array or
        an RDE controller is a chassis of its own (``/redfish/v1/Chassis/DE040000``) whose
        ``Links.ComputerSystems`` names the system but which no system links, and its drives
        may be shown nowhere else while other drives are (HPE Developer "Redfish chassis
        collection" article; iLO 6 Storage resource definitions, ``Links.Enclosures``).
        The generic rule would search only when nothing else shows a drive.
        """
        del system
        return True

    def standard_view(self, system: Resource) -> StorageView:
        """The generic walk alone (the standard Storage tree, every controller)."""
        return super().storage_view(system)

    def smart_storage(self, system: Resource, view: StorageView,
                      ) -> tuple[SmartView, datamodel.ModelChoice] | None:
        """SmartStorage and, per controller also in the standard walk ``view``, the model it
        is used through; None when the system links no SmartStorage."""
        smart = smartstorage.read(self.reader, system)
        if smart is None:
            return None
        choice = datamodel.choose(self.reader, self._standard_storages(system), view, smart)
        for note in choice.notes:
            LOG.info("%s: %s", self.host, note)
        return smart, choice

    def _standard_storages(self, system: Resource) -> list[Resource]:
        found: list[Resource] = []
        for path in self.storage_paths(system):
            try:
                found += self.reader.collection(path)
            except (HttpError, MalformedResponse) as exc:  # the walk reported it
                LOG.debug("%s: %s not readable: %s", self.host, path, exc)
        return found


class HpeNics(RedfishNics):
    """Host NICs linked under ``Oem.Hpe.Links`` too."""

    def interfaces_uri(self, system: Resource) -> str | None:
        """The standard link, else ``Oem.Hpe.Links.EthernetInterfaces`` (iLO 5)."""
        return super().interfaces_uri(system) or system.link(OEM_NICS)
