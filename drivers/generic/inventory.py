"""System, manager and storage inventory.

The storage walk (every path DMTF allows, de-duplicated, empty bays apart, partial reads
reported) lives in :mod:`.storagewalk`; this interface adds the system and its manager, and
the hooks vendor drivers override.  Placeholder identity values (``To Be Filled By O.E.M.``,
all-zero UUIDs...) read as None: unknown, the raw text kept in ``System.placeholders``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hamnhw_drivers.generic import mappings
from hamnhw_drivers.generic import storage as parsers
from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.resource import Field, Resource
from hamnhw_drivers.generic.storagewalk import StorageView, StorageWalk
from hamnhw_drivers.generic.walk import Walk

from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.interfaces import InventoryInterface
from hamnhw.models import Drive, Inventory, Manager, StorageController, System, Volume
from hamnhw.placeholders import known_text, known_uuid, placeholders_of

__all__ = ["RedfishInventory", "StorageView"]

SYSTEM = {
    "manufacturer": Field("Manufacturer", str, "Vendor as the BMC reports it."),
    "model": Field("Model", str, "Product model."),
    "serial": Field("SerialNumber", str, "System serial number."),
    "boot_mode": Field("Boot.BootSourceOverrideMode", str,
                       "UEFI or Legacy: how the host boots (the pair check compares it)."),
}
SYSTEM_UUID = Field("UUID", str, "SMBIOS system UUID.")
BIOS_VERSION = Field("BiosVersion", str, "BIOS/UEFI firmware version.")
MANAGER = {
    "model": Field("Model", str, "BMC model, e.g. iDRAC 9."),
    "firmware": Field("FirmwareVersion", str, "BMC firmware version."),
}


class RedfishInventory(InventoryInterface):
    """:class:`~hamnhw.interfaces.InventoryInterface` over DMTF Redfish.

    Hooks for vendor subclasses: :meth:`storage_paths`, :meth:`simple_storage_paths`,
    :meth:`chassis_drive_paths`, :meth:`search_chassis_collection`, :meth:`parse_drive`,
    :meth:`parse_volume`.
    """

    serial_fields: ClassVar[tuple[str, ...]] = ("SerialNumber",)
    """ComputerSystem properties holding a serial of the host, for
    :attr:`~hamnhw.models.System.serials` (a vendor adds its own: Dell's ``SKU``)."""

    def __init__(self, context: DriverContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context
        self.reader = context.reader

    # -- system and manager ----------------------------------------------------------------

    def system(self) -> System:
        """The ComputerSystem's identity and power state."""
        return self._system_model(self.context.locator.system())

    def _system_model(self, resource: Resource) -> System:
        raw = {**resource.extract(SYSTEM), "uuid": resource.field(SYSTEM_UUID)}
        known = {k: known_text(v) for k, v in raw.items()}
        known["uuid"] = known_uuid(raw["uuid"])
        serials = {name: text for name in self.serial_fields
                   if (text := known_text(resource.doc.get(name))) is not None}
        return System(id=resource.id, uri=resource.uri,
                      manufacturer=known["manufacturer"], model=known["model"],
                      serial=known["serial"], uuid=known["uuid"],
                      bios_version=resource.field(BIOS_VERSION),
                      power_state=mappings.power_state(resource.doc.get("PowerState")),
                      boot_mode=known["boot_mode"], placeholders=placeholders_of(raw, known),
                      serials=serials)

    def manager(self, system: Resource | None = None) -> Manager | None:
        """The BMC managing the system, or None when none is linked or listed.

        :param system: the ComputerSystem already read, to save a request.
        """
        uri = self.context.locator.manager_uri(system)
        if uri is None:
            return None
        resource = self.reader.read(uri)
        return Manager(id=resource.id, uri=resource.uri, **resource.extract(MANAGER))

    # -- hooks -----------------------------------------------------------------------------

    def storage_paths(self, system: Resource) -> list[str]:
        """Storage collections to follow (default: the system's ``Storage``)."""
        uri = system.link("Storage")
        return [uri] if uri else []

    def simple_storage_paths(self, system: Resource) -> list[str]:
        """SimpleStorage collections to follow (default: the system's ``SimpleStorage``)."""
        uri = system.link("SimpleStorage")
        return [uri] if uri else []

    def chassis_drive_lists(self, chassis: Resource) -> list[str]:
        """Hook: the documents :meth:`chassis_drive_paths` reads for one chassis (its
        ``Drives`` collection), which the storage walk reads ahead, side by side with the
        storage's Volumes collections.  A driver overriding :meth:`chassis_drive_paths`
        overrides this too, so that nothing it would not read is read."""
        collection = chassis.link("Drives")
        return [collection] if collection else []

    def chassis_drive_paths(self, walk: Walk, chassis: Resource) -> list[str] | None:
        """URIs of the drives one chassis lists (its ``Drives`` collection and
        ``Links.Drives``); None when it shows no drive list."""
        collection = chassis.link("Drives")
        listed = chassis.links("Links.Drives")
        if collection is None and listed is None:
            return None
        members = walk.try_read(collection, "chassis drive collection") if collection else None
        return ((walk.members(members, "chassis drive") if members else None) or []) + (
            listed or [])

    def search_chassis_collection(self, system: Resource) -> bool:
        """Hook: whether the storage walk searches the Chassis collection for chassis that
        claim the system (``Links.ComputerSystems``) though nothing links them, even when
        the places linked show drives.

        Default False: the collection (a request, plus one per chassis it lists) is searched
        only when the system links no chassis or nothing else shows a drive or bay
        (docs/conformance.md).  A driver whose BMCs put drives in such chassis beside others
        shown elsewhere returns True (HPE iLO's storage enclosures).
        """
        del system
        return False

    def parse_drive(self, resource: Resource, owner: str | None = None) -> Drive:
        """Hook: one (present) Drive document as a model.

        :param owner: id of the resource that listed it (see
            :func:`~hamnhw_drivers.generic.storage.qualified_id`).
        """
        return parsers.parse_drive(resource, owner)

    def parse_volume(self, resource: Resource, drive_ids: Mapping[str, str] | None = None,
                     owner: str | None = None) -> Volume:
        """Hook: one Volume document as a model.

        :param drive_ids: ids of the drives read in the same walk, by URI.
        :param owner: id of the storage that listed it.
        """
        return parsers.parse_volume(resource, drive_ids, owner)

    # -- storage walk ----------------------------------------------------------------------

    def storage_view(self, system: Resource | None = None, *,
                     with_volumes: bool = True) -> StorageView:
        """Walk every storage path once (see :mod:`~hamnhw_drivers.generic.storagewalk`).

        When no storage is shown at all (every Storage and SimpleStorage collection
        empty or unreadable, no drive list on a chassis; some BMCs do that while the host
        is off), controllers, drives and volumes are all None: the BMC cannot tell, which
        is not the same as "none".

        :param system: the ComputerSystem already read, to save a request.
        :param with_volumes: also read the Volumes collections (else ``volumes`` is None).
        """
        system = system or self.context.locator.system()
        walk = Walk(self.reader)
        walk.remember(system)
        return StorageWalk(self, walk, system, self.context.client.root,
                           self.context.locator.other_system_uris()).view(with_volumes)

    # -- the interface ---------------------------------------------------------------------

    def controllers(self) -> tuple[StorageController, ...] | None:
        """Storage controllers, or None when the system shows no storage."""
        return self.storage_view(with_volumes=False).controllers

    def drives(self) -> tuple[Drive, ...] | None:
        """Physical drives, or None when the BMC cannot tell."""
        return self.storage_view(with_volumes=False).drives

    def volumes(self) -> tuple[Volume, ...] | None:
        """Logical volumes, or None when the BMC cannot tell."""
        return self.storage_view().volumes

    def inventory(self) -> Inventory:
        """Everything, with the system read once and storage walked once.  A manager that
        cannot be read is None with a warning, like any unreadable part of the walk."""
        system = self.context.locator.system()
        view = self.storage_view(system)
        warnings = view.warnings
        try:
            manager = self.manager(system)
        except (HttpError, MalformedResponse) as exc:
            manager, warnings = None, (*warnings, f"manager not readable: {exc.message}")
        return Inventory(self._system_model(system), manager, view.controllers, view.drives,
                         view.volumes, view.empty_bays, bool(warnings), warnings)
