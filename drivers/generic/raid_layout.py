"""One read of a node's RAID for the RAID interface: the inventory's storage walk (drives
and volumes as models) plus, per Storage resource, what writes need (its Drives links, its
Volumes collection with the ``@Redfish.OperationApplyTimeSupport`` and
``@Redfish.CollectionCapabilities`` annotations).
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from hamnhw_drivers.generic.inventory import RedfishInventory, StorageView
from hamnhw_drivers.generic.resource import Reader, Resource, last_segment
from hamnhw_drivers.generic.walk import unique

from hamnhw.errors import ConfigError, HttpError, MalformedResponse
from hamnhw.log import get_logger
from hamnhw.models import Drive, RaidType, Volume
from hamnhw.raid import RaidCapabilities

LOG = get_logger("hamnhw.drivers.generic.raid")

APPLY_TIME_SUPPORT = "@Redfish.OperationApplyTimeSupport"
COLLECTION_CAPABILITIES = "@Redfish.CollectionCapabilities"
SPARE_TYPES = frozenset({"Global", "Dedicated", "Chassis"})
"""``HotspareType`` values of a drive that is a spare."""


@dataclasses.dataclass(frozen=True)
class StorageInfo:
    """One Storage resource as the writes see it."""

    resource: Resource
    """The Storage document."""
    drive_uris: tuple[str, ...] | None
    """Its ``Drives`` links; None when it lists none."""
    collection: Resource | None
    """Its Volumes collection document (with the annotations), None when not linked or
    not readable."""
    capabilities: RaidCapabilities
    """What it says it can do."""

    @property
    def volumes_uri(self) -> str | None:
        """Where volumes are created."""
        return self.capabilities.volumes_uri


@dataclasses.dataclass(frozen=True)
class RaidLayout:
    """Drives, volumes and storage controllers from one read."""

    view: StorageView
    """The inventory's walk (models)."""
    storages: tuple[StorageInfo, ...]
    """The Storage resources with their Volumes collections."""

    @property
    def drives(self) -> tuple[Drive, ...]:
        """Drives (empty when the BMC cannot tell)."""
        return self.view.drives or ()

    @property
    def volumes(self) -> tuple[Volume, ...]:
        """Volumes (empty when the BMC cannot tell)."""
        return self.view.volumes or ()

    def drive(self, drive_id: str) -> Drive:
        """The drive named by ``drive_id``: its id; else its URI (the ``@odata.id`` path or a
        full URL), the URI's last segment or its serial, when they name exactly one drive.

        :raises ConfigError: no such drive, or a name that fits several (exit 2), naming the
            drives there are or the candidates.
        """
        return _lookup(self.drives, drive_id, "drive", self.drive_candidates(drive_id))

    def drive_candidates(self, drive_id: str) -> tuple[Drive, ...]:
        """Every drive ``drive_id`` names (see :meth:`drive`)."""
        return _candidates(self.drives, drive_id, lambda d: d.serial)

    def volume(self, volume_id: str) -> Volume:
        """The volume named by ``volume_id``: its id; else its URI (the ``@odata.id`` path or
        a full URL), the URI's last segment or its name, when they name exactly one volume.

        :raises ConfigError: no such volume, or a name that fits several (exit 2), naming
            the volumes there are or the candidates.
        """
        return _lookup(self.volumes, volume_id, "volume", self.volume_candidates(volume_id))

    def volume_candidates(self, volume_id: str) -> tuple[Volume, ...]:
        """Every volume ``volume_id`` names (see :meth:`volume`): empty when none does."""
        return _candidates(self.volumes, volume_id, lambda v: v.name)

    def find_volume(self, volume_id: str) -> Volume | None:
        """The volume with exactly this id (as read back after a write), or None."""
        return next((v for v in self.volumes if v.id == volume_id), None)

    def members(self, volume: Volume) -> tuple[Drive | None, ...] | None:
        """The volume's member drives (None for a listed member not found among the
        drives); None when the volume does not list its members."""
        if volume.drive_ids is None:
            return None
        by_id = {d.id: d for d in self.drives}
        return tuple(by_id.get(drive_id) for drive_id in volume.drive_ids)

    def known_members(self, volume: Volume) -> tuple[Drive | None, ...] | None:
        """:meth:`members`, except None when a listed member was not found and the walk was
        incomplete: an unread drive must not pass for a failed one."""
        members = self.members(volume)
        if members is not None and self.view.incomplete and None in members:
            return None
        return members

    def volume_of(self, drive: Drive) -> Volume | None:
        """The volume the drive is a member of, or None."""
        return next((v for v in self.volumes if drive.id in (v.drive_ids or ())), None)

    def spare_of(self, drive: Drive) -> Volume | None:
        """The volume the drive is a dedicated spare of, or None."""
        return next((v for v in self.volumes if drive.id in (v.spare_drive_ids or ())), None)

    def is_spare(self, drive: Drive) -> bool:
        """True for a global or dedicated hot spare."""
        return drive.hotspare in SPARE_TYPES or self.spare_of(drive) is not None

    def unlisted_members(self) -> tuple[Volume, ...]:
        """Volumes that do not list their member drives."""
        return tuple(v for v in self.volumes if v.drive_ids is None)

    def storage_of_drive(self, drive: Drive) -> StorageInfo | None:
        """The Storage resource listing the drive (the only one with a Volumes collection
        when none lists drives: chassis-linked drives)."""
        for info in self.storages:
            if drive.uri is not None and drive.uri in (info.drive_uris or ()):
                return info
        creating = [s for s in self.storages if s.volumes_uri]
        listing = [s for s in self.storages if s.drive_uris]
        return creating[0] if len(creating) == 1 and not listing else None

    def storage_of_volume(self, volume: Volume) -> StorageInfo | None:
        """The Storage resource whose Volumes collection holds the volume."""
        for info in self.storages:
            base = info.volumes_uri
            if base and volume.uri and volume.uri.startswith(base.rstrip("/") + "/"):
                return info
        return None

    def uri_of(self, drive_id: str) -> str | None:
        """The URI of the drive with this id."""
        return next((d.uri for d in self.drives if d.id == drive_id), None)


class _Named(Protocol):
    """A drive or a volume, as looked up by name."""

    @property
    def id(self) -> str: ...

    @property
    def uri(self) -> str | None: ...


N = TypeVar("N", bound=_Named)


def _uri_path(uri: str | None) -> str | None:
    """The path of a URI or URL without its trailing slash and fragment."""
    return urllib.parse.urlsplit(uri).path.rstrip("/") or None if uri else None


def _candidates(items: Sequence[N], wanted: str,
                label: Callable[[N], str | None]) -> tuple[N, ...]:
    """The item whose id is ``wanted``; else every item whose URI path, URI last segment or
    ``label`` (a volume's name, a drive's serial) is ``wanted``."""
    text = wanted.strip()
    exact = tuple(item for item in items if item.id == text)
    if exact:
        return exact
    path = _uri_path(text) if "/" in text else None
    return tuple(item for item in items if text and (
        (path is not None and _uri_path(item.uri) == path)
        or (item.uri is not None and last_segment(item.uri) == text) or label(item) == text))


def _lookup(items: Sequence[N], wanted: str, what: str, found: Sequence[N]) -> N:
    if len(found) == 1:
        return found[0]
    if found:
        raise ConfigError(f"{what} {wanted!r} is ambiguous: it names "
                          f"{', '.join(item.id for item in found)}; give the full id")
    names = ", ".join(item.id for item in items) or "none"
    raise ConfigError(f"no {what} {wanted!r} on this node ({what}s: {names})")


class SnapshotReader(Reader):
    """A reader that GETs each URI at most once: one layout is one read of the BMC, so the
    inventory's walk and the RAID reads share the Storage documents.  A GET that failed
    (an HTTP error, after the transport's own retries, or an unusable answer) fails again
    from memory: what the walk gave up on is not asked for a second time."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._seen: dict[str, Resource | HttpError | MalformedResponse] = {}

    def read(self, uri: str, fresh: bool = False) -> Resource:
        """GET once, then the same document (or the same error)."""
        if uri not in self._seen:
            try:
                self._seen[uri] = super().read(uri, fresh)
            except (HttpError, MalformedResponse) as exc:
                self._seen[uri] = exc
        found = self._seen[uri]
        if isinstance(found, Resource):
            return found
        raise found


def snapshot_of(inventory: RedfishInventory) -> RedfishInventory:
    """A copy of the inventory reading through a :class:`SnapshotReader` (itself when it
    already does), so that what one operation reads twice is requested once."""
    if isinstance(inventory.reader, SnapshotReader):
        return inventory
    reader = SnapshotReader(inventory.reader.client)
    return type(inventory)(dataclasses.replace(inventory.context, reader=reader))


def read_layout(inventory: RedfishInventory) -> RaidLayout:
    """Walk the storage once through (a snapshot copy of) the inventory, whose hooks apply,
    then take each Storage resource and its Volumes collection from the same snapshot.

    A Storage collection or resource the walk could not read is left out here too, without
    asking again: the view already carries the warning and says it is incomplete."""
    inventory = snapshot_of(inventory)
    system = inventory.context.locator.system()
    view = inventory.storage_view(system)
    storages: list[StorageInfo] = []
    for path in unique(inventory.storage_paths(system)):
        storages += [storage_info(inventory, member, view)
                     for member in _read_storages(inventory, path)]
    return RaidLayout(view, tuple(storages))


def _read_storages(inventory: RedfishInventory, path: str) -> list[Resource]:
    """The Storage resources of one collection that the snapshot holds: of the pages read
    when a later one failed (the walk read the same pages through this snapshot, and its
    view warns and says incomplete)."""
    try:
        listed = inventory.reader.members(path)
    except (HttpError, MalformedResponse) as exc:
        LOG.debug("%s: storage collection %s left out: %s", inventory.host, path, exc)
        return []
    if listed.incomplete is not None:
        LOG.debug("%s: storage collection %s %s", inventory.host, path, listed.incomplete)
    uris = unique(listed.listed or [])
    found = []
    for uri in uris:
        try:
            found.append(inventory.reader.read(uri))
        except (HttpError, MalformedResponse) as exc:
            LOG.debug("%s: storage %s left out: %s", inventory.host, uri, exc)
    return found


def storage_info(inventory: RedfishInventory, storage: Resource,
                 view: StorageView) -> StorageInfo:
    """One Storage resource with its Volumes collection and capabilities (the RAID levels
    of the controllers the walk found under it)."""
    volumes_uri = storage.link("Volumes")
    collection = _read_collection(inventory, volumes_uri) if volumes_uri else None
    doc: Mapping[str, Any] = collection.doc if collection is not None else {}
    drive_uris = storage.links("Drives")
    capabilities = RaidCapabilities(
        storage_id=storage.id, uri=storage.uri, raid_types=_raid_types(storage, view),
        volumes_uri=volumes_uri, apply_times=apply_times(doc),
        volume_creation=volume_creation(doc) is not None if COLLECTION_CAPABILITIES in doc
        else None)
    return StorageInfo(storage, None if drive_uris is None else tuple(drive_uris), collection,
                       capabilities)


def _read_collection(inventory: RedfishInventory, uri: str) -> Resource | None:
    try:
        return inventory.reader.read(uri)
    except (HttpError, MalformedResponse) as exc:  # the walk warned: it read it first
        LOG.debug("%s: volumes collection %s not readable: %s", inventory.host, uri, exc)
        return None


def _raid_types(storage: Resource, view: StorageView) -> tuple[RaidType, ...] | None:
    """Union of the ``SupportedRAIDTypes`` of the controllers under ``storage`` (embedded
    ``#/StorageControllers/N`` or its ``Controllers`` collection)."""
    found: list[RaidType] | None = None
    for controller in view.controllers or ():
        uri = controller.uri or ""
        if not (uri.startswith(storage.uri + "#") or uri.startswith(storage.uri + "/")):
            continue
        if controller.raid_types is not None:
            found = found or []
            found += [t for t in controller.raid_types if t not in found]
    return None if found is None else tuple(found)


def apply_times(collection: Mapping[str, Any]) -> tuple[str, ...] | None:
    """``SupportedValues`` of the collection's ``@Redfish.OperationApplyTimeSupport``."""
    support = collection.get(APPLY_TIME_SUPPORT)
    values = support.get("SupportedValues") if isinstance(support, Mapping) else None
    if not isinstance(values, list):
        return None
    return tuple(v for v in values if isinstance(v, str))


def volume_creation(collection: Mapping[str, Any]) -> str | None:
    """The ``CapabilitiesObject`` URI of the ``VolumeCreation`` use case of the
    collection's ``@Redfish.CollectionCapabilities``, or None."""
    capabilities = collection.get(COLLECTION_CAPABILITIES)
    entries = capabilities.get("Capabilities") if isinstance(capabilities, Mapping) else None
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, Mapping) and entry.get("UseCase") == "VolumeCreation":
            target = entry.get("CapabilitiesObject")
            uri = target.get("@odata.id") if isinstance(target, Mapping) else None
            return uri if isinstance(uri, str) else ""
    return None
