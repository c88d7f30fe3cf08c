"""The storage walk: controllers, drives, empty bays and volumes of one system, read once.

Drives come from every place DMTF allows, in this order: each Storage's ``Drives`` links,
SimpleStorage ``Devices``, and the ``Drives`` collection and ``Links.Drives`` of the
system's chassis (:mod:`.chassis`: linked, contained, or claiming the system; the Chassis
collection is searched for chassis claiming the system only when the system links no
chassis, when no place above shows a drive or bay, or when the driver's
``search_chassis_collection`` hook says so: HPE's storage enclosures).  They are
de-duplicated by the ``@odata.id`` of the links (services link one drive from several
places; the document's own ``@odata.id`` is not trusted for this: DMTF's public-tower mockup
has two drives naming each other's), and a chassis drive whose serial a Storage already
showed is the same disk under another URI.  A chassis drive whose ``Links.Storage``/
``Links.Volumes`` name only another system is that system's; a shared chassis (a blade
enclosure) contributes only drives whose links name this system.  ``Absent`` placeholders
are empty bays, not drives; ``empty_bays`` is None (unknown) when the BMC shows none, since
a BMC that never models bays shows none either.  Ids are unique on the node (see
:func:`~hamnhw_drivers.generic.storage.qualified_id`; a clash left by odd URIs gives the
later drive its URI as id).

What the BMC does not show at all is None, never an empty tuple; what could not be read, or
a document unusable (a wrongly typed property), is a warning, and the view says it is
incomplete.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from hamnhw_drivers.generic import storage as parsers
from hamnhw_drivers.generic.chassis import (
    ChassisSearch,
    ChassisSet,
    Owner,
    chassis_roots,
    ownership,
)
from hamnhw_drivers.generic.resource import Resource
from hamnhw_drivers.generic.walk import Walk, unique

from hamnhw.log import get_logger
from hamnhw.models import Drive, EmptyBay, StorageController, Volume

LOG = get_logger("hamnhw.drivers.generic.storagewalk")

Item = TypeVar("Item", Drive, EmptyBay)
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
    def chassis_drive_lists(self, chassis: Resource) -> list[str]: ...
    def chassis_drive_paths(self, walk: Walk, chassis: Resource) -> list[str] | None: ...
    def search_chassis_collection(self, system: Resource) -> bool: ...
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


def unique_ids(items: list[Item]) -> list[Item]:
    """``items`` with unique ids: a later one whose id is taken gets its URI as id (its
    index in the list when it has none)."""
    seen: set[str] = set()
    found = []
    for index, item in enumerate(items):
        if item.id in seen:
            LOG.warning("drive id %s given twice; the second is %s", item.id,
                        item.uri or f"#{index}")
            item = dataclasses.replace(item, id=item.uri or f"{item.id}#{index}")
        seen.add(item.id)
        found.append(item)
    return found


class StorageWalk:
    """One walk of a system's storage.

    :param hooks: the inventory interface (its hooks decide paths and parsing).
    :param walk: the walk to read through.
    :param system: the ComputerSystem, already read.
    :param root: the ServiceRoot document.
    :param others: URIs of the service's other systems (see :mod:`.chassis`).
    """

    def __init__(self, hooks: StorageHooks, walk: Walk, system: Resource,
                 root: Mapping[str, Any], others: Sequence[str] = ()) -> None:
        self.hooks = hooks
        self.walk = walk
        self.system = system
        self.root = root
        self.others = others
        self._seen: set[str] = set()
        self._items: list[Drive | EmptyBay] = []

    def view(self, with_volumes: bool = True) -> StorageView:
        """Walk every storage path once (see the module docstring)."""
        storage_paths = self.hooks.storage_paths(self.system)
        simple_paths = self.hooks.simple_storage_paths(self.system)
        self.walk.prefetch([*storage_paths, *simple_paths, *chassis_roots(self.system)])
        storages = self._collections(storage_paths, "storage")
        simples = self._collections(simple_paths, "simple storage")
        volume_lists = [uri for s in storages if (uri := s.link("Volumes"))] if with_volumes \
            else []
        chassis_drives = self._all_chassis_drives(storages, simples, volume_lists)
        warnings = tuple(self.walk.warnings)
        if not (storages or simples or chassis_drives):
            LOG.info("%s: the BMC shows no storage; controllers, drives and volumes unknown",
                     self.walk.host)
            return StorageView(None, None, None, None, bool(warnings), warnings)
        controllers = (tuple(self._controllers(storages, simples))
                       if simples or any(_lists_controllers(s) for s in storages) else None)
        drives, bays = self._drives(storages, simples, chassis_drives, volume_lists)
        volumes = self._volumes(storages, drives or ()) if storages and with_volumes else None
        warnings = tuple(self.walk.warnings)
        return StorageView(controllers, drives, volumes, bays, bool(warnings), warnings)

    # -- collections and chassis -------------------------------------------------------------

    def _collections(self, paths: Iterable[str], what: str) -> list[Resource]:
        found: list[Resource] = []
        for path in unique(list(paths)):
            found += self.walk.collection(path, what) or []
        return found

    def _all_chassis_drives(self, storages: list[Resource], simples: list[Resource],
                            volume_lists: list[str]) -> list[_ChassisDrive] | None:
        """Drives of the linked chassis, and of those the Chassis collection shows claiming
        the system when the collection must be searched (see the module docstring).

        The linked chassis' drive lists are read side by side with ``volume_lists`` (the
        Volumes collections, read later: they depend on nothing but the Storage)."""
        search = ChassisSearch(self.walk, self.system, self.root, self.others)
        self.walk.prefetch([*(uri for chassis in (*search.linked.own, *search.linked.shared)
                              for uri in self.hooks.chassis_drive_lists(chassis)),
                            *volume_lists])
        found = self._chassis_drives(search.linked)
        shown = (bool(found) or any(_lists_drives(storage) for storage in storages)
                 or any(_lists_devices(simple) for simple in simples))
        if shown and not search.links_none and not self.hooks.search_chassis_collection(
                self.system):
            return found
        claimed = search.claimed()
        if not (claimed.own or claimed.shared):
            return found
        every = ChassisSet((*search.linked.own, *claimed.own),
                           (*search.linked.shared, *claimed.shared))
        return self._chassis_drives(every)  # own chassis first; the walk reads nothing twice

    def _chassis_drives(self, chassis: ChassisSet) -> list[_ChassisDrive] | None:
        """Drive URIs listed by the chassis; None when no chassis shows a drive list."""
        found: list[_ChassisDrive] | None = None
        for shared, group in ((False, chassis.own), (True, chassis.shared)):
            for resource in group:
                uris = self.hooks.chassis_drive_paths(self.walk, resource)
                if uris is None:
                    continue
                found = found or []
                owner = f"{parsers.CHASSIS_PREFIX}{resource.id}"
                found += [_ChassisDrive(uri, owner, shared) for uri in uris]
        return found

    # -- controllers ---------------------------------------------------------------------------

    def _controllers(self, storages: list[Resource],
                     simples: list[Resource]) -> Iterable[StorageController]:
        for storage in storages:
            embedded = self.walk.parse(storage, "storage", parsers.embedded_controllers) or []
            collection = storage.link("Controllers")
            if not embedded and collection:
                embedded = self.walk.collection(collection, "storage controller") or []
            for index, entry in enumerate(embedded):
                controller = self.walk.parse(entry, "storage controller",
                                             lambda r, i=index, s=storage.id:
                                             parsers.parse_controller(r, s, i))
                if controller is not None:
                    yield controller
        for simple in simples:
            found = self.walk.parse(simple, "simple storage", parsers.simple_storage_controller)
            if found is not None:
                yield found

    # -- drives and bays -----------------------------------------------------------------------

    def _drives(self, storages: list[Resource], simples: list[Resource],
                chassis_drives: list[_ChassisDrive] | None, volume_lists: list[str],
                ) -> tuple[tuple[Drive, ...] | None, tuple[EmptyBay, ...] | None]:
        """Drives and empty bays; both None when nothing has a drive list at all.  The
        drives are read side by side, and with them ``volume_lists`` (read next), those
        first: where ``$expand`` is used, the drives of one list share one expanded read
        of it, and the Volumes would otherwise wait for it behind them."""
        listed = [(storage, self.walk.parse(storage, "storage", lambda r: r.links("Drives")))
                  for storage in storages]
        shown = (any(uris is not None for _, uris in listed) or chassis_drives is not None
                 or any(simple.has("Devices") for simple in simples))
        if not shown:
            return None, None
        self.walk.prefetch([*volume_lists, *(uri for _, uris in listed for uri in uris or []),
                            *(item.uri for item in chassis_drives or [])])
        for storage, uris in listed:
            for uri in uris or []:
                self._add(uri, storage.id)
        serials = {d.serial for d in self._items if isinstance(d, Drive) and d.serial}
        for item in chassis_drives or []:
            self._add(item.uri, item.owner, chassis=item, serials=serials)
        items = [*self._items, *self._devices(simples)]
        drives = tuple(unique_ids([i for i in items if isinstance(i, Drive)]))
        bays = tuple(unique_ids([i for i in items if isinstance(i, EmptyBay)]))
        return drives, bays or None

    def _devices(self, simples: list[Resource]) -> list[Drive | EmptyBay]:
        found: list[Drive | EmptyBay] = []
        for simple in simples:
            count = len(self.walk.parse(simple, "simple storage",
                                        lambda r: r.get("Devices", list)) or [])
            found += [item for index in range(count)
                      if (item := self.walk.parse(simple, "simple storage device",
                                                  lambda r, i=index:
                                                  parsers.parse_simple_device(r, i)))]
        return found

    def _add(self, uri: str, owner: str, *, chassis: _ChassisDrive | None = None,
             serials: set[str] | None = None) -> None:
        """Read and keep one listed drive (or bay).

        :param chassis: how a chassis listed it (None: a Storage did).
        :param serials: serials already shown by a Storage (the same disk under a chassis).
        """
        if _key(uri) in self._seen:
            return
        self._seen.add(_key(uri))
        resource = self.walk.try_read(uri, "drive")
        if resource is None:
            return
        if chassis is not None and not self._ours(resource, chassis.shared):
            return
        item = self.walk.parse(resource, "drive", lambda r: parsers.parse_empty_bay(r, owner)
                               if parsers.is_absent(r) else self.hooks.parse_drive(r, owner))
        if item is None:
            return
        if isinstance(item, Drive) and serials is not None and item.serial in serials:
            return
        self._items.append(item)

    def _ours(self, drive: Resource, shared: bool) -> bool:
        """Whether a chassis drive is this system's (see the module docstring)."""
        owner = ownership(drive, self.system.uri, BELONGS_PATHS)
        if owner is Owner.OURS or (owner is Owner.UNSAID and not shared):
            return True
        LOG.debug("%s: chassis drive %s names %s; left out", self.walk.host, drive.uri,
                  "another system" if owner is Owner.OTHER else "no storage of this system")
        return False

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
                volume = self.walk.parse(resource, "volume", lambda r, o=storage.id:
                                         self.hooks.parse_volume(r, drive_ids, o))
                if volume is not None:
                    found.setdefault(_key(resource.uri), volume)
        if not readable:
            return None
        return tuple(found.values())


def _lists_drives(storage: Resource) -> bool:
    """Whether a Storage links at least one drive (read as it is, without warnings: the
    walk reads the list properly later)."""
    listed = storage.doc.get("Drives")
    return isinstance(listed, list) and bool(listed)


def _lists_devices(simple: Resource) -> bool:
    """Whether a SimpleStorage shows at least one device."""
    devices = simple.doc.get("Devices")
    return isinstance(devices, list) and bool(devices)


def _lists_controllers(storage: Resource) -> bool:
    """Whether a Storage says what its controllers are (``StorageControllers`` or a
    ``Controllers`` link); one listing neither leaves them unknown, not "none"."""
    return storage.has("StorageControllers") or storage.has("Controllers")
