"""System, manager and storage inventory.

Storage is followed through every path DMTF allows: ``Storage`` (drives,
volumes, controllers), ``SimpleStorage`` (``Devices``) and drives linked from
the system's chassis.  Drives are deduplicated by URI, and a chassis-linked
drive whose serial a storage resource already showed is not counted twice.
What the BMC does not show at all is None, never an empty tuple.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from hamnhw_drivers.generic import storage as parsers
from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.resource import Field, Resource

from hamnhw.errors import HttpError, MalformedResponse, NotFoundError
from hamnhw.interfaces import InventoryInterface
from hamnhw.log import get_logger
from hamnhw.models import (
    Drive,
    Inventory,
    Manager,
    PowerState,
    StorageController,
    System,
    Volume,
)

LOG = get_logger("hamnhw.drivers.generic.inventory")

SYSTEM = {
    "manufacturer": Field("Manufacturer", str, "Vendor as the BMC reports it."),
    "model": Field("Model", str, "Product model."),
    "serial": Field("SerialNumber", str, "System serial number."),
    "uuid": Field("UUID", str, "SMBIOS system UUID."),
    "bios_version": Field("BiosVersion", str, "BIOS/UEFI firmware version."),
}
MANAGER = {
    "model": Field("Model", str, "BMC model, e.g. iDRAC 9."),
    "firmware": Field("FirmwareVersion", str, "BMC firmware version."),
}


@dataclasses.dataclass(frozen=True)
class StorageView:
    """Storage as read in one walk; None means the BMC does not show it."""

    controllers: tuple[StorageController, ...] | None
    drives: tuple[Drive, ...] | None
    volumes: tuple[Volume, ...] | None


class RedfishInventory(InventoryInterface):
    """:class:`~hamnhw.interfaces.InventoryInterface` over DMTF Redfish.

    Hooks for vendor subclasses: :meth:`storage_paths`, :meth:`simple_storage_paths`,
    :meth:`chassis_drive_paths`, :meth:`parse_drive`, :meth:`parse_volume`.
    """

    def __init__(self, context: DriverContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context
        self.reader = context.reader

    # -- system and manager ----------------------------------------------------------------

    def system(self) -> System:
        """The ComputerSystem's identity and power state."""
        return self._system_model(self.context.locator.system())

    @staticmethod
    def _system_model(resource: Resource) -> System:
        return System(id=resource.id, uri=resource.uri,
                      power_state=PowerState.from_redfish(resource.doc.get("PowerState")),
                      **resource.extract(SYSTEM))

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

    def chassis_drive_paths(self, system: Resource) -> list[str] | None:
        """URIs of drives linked from the system's chassis; None when no chassis shows drives."""
        found: list[str] | None = None
        for chassis_uri in self.context.locator.chassis_uris(system):
            chassis = self.reader.read(chassis_uri)
            collection = chassis.link("Drives")
            listed = chassis.links("Links.Drives")
            if collection is None and listed is None:
                continue
            found = found or []
            found += self.reader.read(collection).members() if collection else []
            found += listed or []
        return found

    def parse_drive(self, resource: Resource) -> Drive:
        """Hook: one Drive document as a model."""
        return parsers.parse_drive(resource)

    def parse_volume(self, resource: Resource) -> Volume:
        """Hook: one Volume document as a model."""
        return parsers.parse_volume(resource)

    # -- storage walk ----------------------------------------------------------------------

    def _members(self, uris: Iterable[str]) -> list[Resource]:
        found: list[Resource] = []
        for uri in uris:
            try:
                found += self.reader.collection(uri)
            except NotFoundError as exc:
                LOG.warning("%s: storage collection %s not readable: %s", self.host, uri, exc)
        return found

    def storage_view(self, system: Resource | None = None, *,
                     with_volumes: bool = True) -> StorageView:
        """Walk every storage path once.

        When no storage is shown at all (every Storage and SimpleStorage collection
        empty or unreadable, no drive linked from a chassis; some BMCs do that while
        the host is off), controllers, drives and volumes are all None: the BMC cannot
        tell, which is not the same as "none".

        :param system: the ComputerSystem already read, to save a request.
        :param with_volumes: also read the Volumes collections (else ``volumes`` is None).
        """
        system = system or self.context.locator.system()
        storages = self._members(self.storage_paths(system))
        simples = self._members(self.simple_storage_paths(system))
        chassis_uris = self.chassis_drive_paths(system)
        if not (storages or simples or chassis_uris):
            LOG.info("%s: the BMC shows no storage; controllers, drives and volumes unknown",
                     self.host)
            return StorageView(None, None, None)
        controllers = (tuple(self._controllers(storages, simples))
                       if simples or any(_lists_controllers(s) for s in storages) else None)
        volumes = self._volumes(storages) if storages and with_volumes else None
        return StorageView(controllers, self._drives(storages, simples, chassis_uris), volumes)

    def _controllers(self, storages: list[Resource],
                     simples: list[Resource]) -> Iterable[StorageController]:
        for storage in storages:
            embedded = parsers.embedded_controllers(storage)
            collection = storage.link("Controllers")
            if not embedded and collection:
                embedded = self.reader.collection(collection)
            for index, entry in enumerate(embedded):
                yield parsers.parse_controller(entry, f"{storage.id}.{index}")
        for simple in simples:
            yield parsers.simple_storage_controller(simple)

    def _drives(self, storages: list[Resource], simples: list[Resource],
                chassis_uris: list[str] | None) -> tuple[Drive, ...] | None:
        """Drives of the storages, the chassis and SimpleStorage devices; None when none
        of them has a drive list at all."""
        storage_uris = [storage.links("Drives") for storage in storages]
        devices = [parsers.parse_simple_device(s, i) for s in simples
                   for i in range(len(s.get("Devices", list) or []))]
        shown = any(u is not None for u in storage_uris) or chassis_uris is not None
        if not shown and not any(s.has("Devices") for s in simples):
            return None
        drives = self._read_drives(uri for uris in storage_uris for uri in uris or [])
        serials = {d.serial for d in drives.values() if d.serial}
        from_chassis = self._read_drives(u for u in chassis_uris or [] if u not in drives)
        extra = [d for d in from_chassis.values() if not (d.serial and d.serial in serials)]
        return tuple(drives.values()) + tuple(extra) + tuple(devices)

    def _read_drives(self, uris: Iterable[str]) -> dict[str, Drive]:
        drives: dict[str, Drive] = {}
        for uri in uris:
            if uri in drives:
                continue
            try:
                drives[uri] = self.parse_drive(self.reader.read(uri))
            except NotFoundError as exc:
                LOG.warning("%s: drive %s vanished while reading: %s", self.host, uri, exc)
        return drives

    def _volumes(self, storages: list[Resource]) -> tuple[Volume, ...] | None:
        """Volumes of every storage; None when none is linked or a collection cannot be read
        (some BMCs answer 5xx or 501 there): the drives stay readable either way.  An empty
        collection is ``()``: the BMC says there are none."""
        collections = [s.link("Volumes") for s in storages]
        if not any(collections):
            return None
        try:
            members = [m for c in collections if c for m in self.reader.collection(c)]
        except (HttpError, MalformedResponse) as exc:
            LOG.warning("%s: volumes not readable, reported as unknown: %s", self.host, exc)
            return None
        return tuple(self.parse_volume(volume) for volume in members)

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
        """Everything, with the system read once and storage walked once."""
        system = self.context.locator.system()
        view = self.storage_view(system)
        return Inventory(self._system_model(system), self.manager(system), view.controllers,
                         view.drives, view.volumes)


def _lists_controllers(storage: Resource) -> bool:
    """Whether a Storage says what its controllers are (``StorageControllers`` or a
    ``Controllers`` link); one listing neither leaves them unknown, not "none"."""
    return storage.has("StorageControllers") or storage.has("Controllers")
