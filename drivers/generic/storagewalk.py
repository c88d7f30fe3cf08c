"""The storage walk: controllers, drives, empty bays and volumes of one system, read once.

Drives come from every place DMTF allows, in this order: each Storage's ``Drives`` links,
SimpleStorage ``Devices``, and the ``Drives`` collection and ``Links.Drives`` of the
system's chassis (:mod:`.chassis`: linked, contained, or claiming the system).  They are
de-duplicated by the ``@odata.id`` of the links (services link one drive from several
places; the document's own ``@odata.id`` is not trusted for this: DMTF's public-tower mockup
has two drives naming each other's), and a chassis drive whose serial a Storage already
showed is the same disk under another URI.  A shared chassis (a blade
enclosure) contributes only drives whose ``Links.Storage``/``Links.Volumes`` are this
system's.  ``Absent`` placeholders are empty bays, not drives.

What the BMC does not show at all is None, never an empty tuple; what could not be read is
a warning, and the view says it is incomplete.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from hamnhw_drivers.generic import storage as parsers
from hamnhw_drivers.generic.chassis import ChassisSet, names_system, system_chassis
from hamnhw_drivers.generic.resource import Resource
from hamnhw_drivers.generic.walk import Walk, unique

from hamnhw.log import get_logger
from hamnhw.models import Drive, EmptyBay, StorageController, Volume

LOG = get_logger("hamnhw.drivers.generic.storagewalk")

BELONGS_PATHS = ("Links.Storage", "Links.Volumes")
"""Drive links that tie a drive of a shared chassis to one system (Drive >= 1.13 ``Storage``)."""


@dataclasses.dataclass(frozen=True)
class StorageView:
    """Storage as read in one walk; None means the BMC does not show it."""

    controllers: tuple[StorageController, ...] | None
    drives: tuple[Drive, ...] | None
    volumes: tuple[Volume, ...] | None
    empty_bays: tuple[EmptyBay, ...] | None = None
    incomplete: bool = False
    warnings: tuple[str, ...] = ()


class StorageHooks(Protocol):
    """The inventory interface's hooks the walk calls (vendor drivers override them)."""

    def storage_paths(self, system: Resource) -> list[str]: ...
    def simple_storage_paths(self, system: Resource) -> list[str]: ...
    def chassis_drive_paths(self, walk: Walk, chassis: Resource) -> list[str] | None: ...
    def parse_drive(self, resource: Resource, owner: str | None = None) -> Drive: ...
    def parse_volume(self, resource: Resource, drive_ids: Mapping[str, str] | None = None,
                     owner: str | None = None) -> Volume: ...


@dataclasses.dataclass(frozen=True)
class _ChassisDrive:
    uri: str
    owner: str
    shared: bool


def _key(uri: str) -> str:
    return uri.split("#", 1)[0].rstrip("/")


class StorageWalk:
    """One walk of a system's storage.

    :param hooks: the inventory interface (its hooks decide paths and parsing).
    :param walk: the walk to read through.
    :param system: the ComputerSystem, already read.
    :param root: the ServiceRoot document.
    """

    def __init__(self, hooks: StorageHooks, walk: Walk, system: Resource,
                 root: Mapping[str, Any]) -> None:
        self.hooks = hooks
        self.walk = walk
        self.system = system
        self.root = root
        self._seen: set[str] = set()
        self._items: list[Drive | EmptyBay] = []

    def view(self, with_volumes: bool = True) -> StorageView:
        """Walk every storage path once (see the module docstring)."""
        storages = self._collections(self.hooks.storage_paths(self.system), "storage")
        simples = self._collections(self.hooks.simple_storage_paths(self.system),
                                    "simple storage")
        chassis_drives = self._chassis_drives(system_chassis(self.walk, self.system, self.root))
        warnings = tuple(self.walk.warnings)
        if not (storages or simples or chassis_drives):
            LOG.info("%s: the BMC shows no storage; controllers, drives and volumes unknown",
                     self.walk.host)
            return StorageView(None, None, None, None, bool(warnings), warnings)
        controllers = (tuple(self._controllers(storages, simples))
                       if simples or any(_lists_controllers(s) for s in storages) else None)
        drives, bays = self._drives(storages, simples, chassis_drives)
        volumes = self._volumes(storages, drives or ()) if storages and with_volumes else None
        warnings = tuple(self.walk.warnings)
        return StorageView(controllers, drives, volumes, bays, bool(warnings), warnings)

    # -- collections and chassis -------------------------------------------------------------

    def _collections(self, paths: Iterable[str], what: str) -> list[Resource]:
        found: list[Resource] = []
        for path in unique(list(paths)):
            found += self.walk.collection(path, what) or []
        return found

    def _chassis_drives(self, chassis: ChassisSet) -> list[_ChassisDrive] | None:
        """Drive URIs listed by the chassis; None when no chassis shows a drive list."""
        found: list[_ChassisDrive] | None = None
        for shared, group in ((False, chassis.own), (True, chassis.shared)):
            for resource in group:
                uris = self.hooks.chassis_drive_paths(self.walk, resource)
                if uris is None:
                    continue
                found = found or []
                found += [_ChassisDrive(uri, resource.id, shared) for uri in uris]
        return found

    # -- controllers ---------------------------------------------------------------------------

    def _controllers(self, storages: list[Resource],
                     simples: list[Resource]) -> Iterable[StorageController]:
        for storage in storages:
            embedded = parsers.embedded_controllers(storage)
            collection = storage.link("Controllers")
            if not embedded and collection:
                embedded = self.walk.collection(collection, "storage controller") or []
            for index, entry in enumerate(embedded):
                yield parsers.parse_controller(entry, storage.id, index)
        for simple in simples:
            yield parsers.simple_storage_controller(simple)

    # -- drives and bays -----------------------------------------------------------------------

    def _drives(self, storages: list[Resource], simples: list[Resource],
                chassis_drives: list[_ChassisDrive] | None,
                ) -> tuple[tuple[Drive, ...] | None, tuple[EmptyBay, ...] | None]:
        """Drives and empty bays; both None when nothing has a drive list at all."""
        listed = [(storage, storage.links("Drives")) for storage in storages]
        shown = (any(uris is not None for _, uris in listed) or chassis_drives is not None
                 or any(simple.has("Devices") for simple in simples))
        if not shown:
            return None, None
        for storage, uris in listed:
            for uri in uris or []:
                self._add(uri, storage.id)
        serials = {d.serial for d in self._items if isinstance(d, Drive) and d.serial}
        for item in chassis_drives or []:
            self._add(item.uri, item.owner, shared=item.shared, serials=serials)
        devices = [parsers.parse_simple_device(simple, index) for simple in simples
                   for index in range(len(simple.get("Devices", list) or []))]
        items = [*self._items, *devices]
        return (tuple(i for i in items if isinstance(i, Drive)),
                tuple(i for i in items if isinstance(i, EmptyBay)))

    def _add(self, uri: str, owner: str, *, shared: bool = False,
             serials: set[str] | None = None) -> None:
        if _key(uri) in self._seen:
            return
        self._seen.add(_key(uri))
        resource = self.walk.try_read(uri, "drive")
        if resource is None:
            return
        if shared and not names_system(resource, self.system.uri, BELONGS_PATHS):
            LOG.debug("%s: drive %s of a shared chassis names no storage of this system; "
                      "left out", self.walk.host, uri)
            return
        item: Drive | EmptyBay = (parsers.parse_empty_bay(resource, owner)
                                  if parsers.is_absent(resource)
                                  else self.hooks.parse_drive(resource, owner))
        if isinstance(item, Drive) and serials is not None and item.serial in serials:
            return
        self._items.append(item)

    # -- volumes ---------------------------------------------------------------------------

    def _volumes(self, storages: list[Resource],
                 drives: Iterable[Drive]) -> tuple[Volume, ...] | None:
        """Volumes of every storage, de-duplicated; None when no Volumes collection is
        linked or none could be read (some BMCs answer 5xx or 501 there).  An empty
        collection is ``()``: the BMC says there are none."""
        drive_ids = {d.uri: d.id for d in drives if d.uri}
        found: dict[str, Volume] = {}
        readable = False
        for storage in storages:
            collection = storage.link("Volumes")
            members = self.walk.collection(collection, "volume") if collection else None
            readable = readable or members is not None
            for resource in members or []:
                volume = self.hooks.parse_volume(resource, drive_ids, storage.id)
                found.setdefault(_key(resource.uri), volume)
        if not readable:
            return None
        return tuple(found.values())


def _lists_controllers(storage: Resource) -> bool:
    """Whether a Storage says what its controllers are (``StorageControllers`` or a
    ``Controllers`` link); one listing neither leaves them unknown, not "none"."""
    return storage.has("StorageControllers") or storage.has("Controllers")
