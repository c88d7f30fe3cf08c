"""Parsers for storage documents: drives, volumes, controllers, SimpleStorage devices.

Pure functions of :class:`~hamnhw_drivers.generic.resource.Resource`; the
walking of links lives in :mod:`hamnhw_drivers.generic.inventory`.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from hamnhw_drivers.generic import storagemappings
from hamnhw_drivers.generic.resource import Field, Resource, last_segment

from hamnhw.models import (
    Drive,
    EmptyBay,
    Health,
    Operation,
    RaidType,
    StorageController,
    Volume,
)
from hamnhw.placeholders import known_text

DRIVE_IDENTITY = {
    "serial": Field("SerialNumber", str, "Serial number: a disk's identity across nodes."),
    "model": Field("Model", str, "Drive model."),
}
DRIVE = {
    "capacity_bytes": Field("CapacityBytes", int, "Raw capacity in bytes."),
    "media": Field("MediaType", str, "HDD, SSD or SMR."),
    "protocol": Field("Protocol", str, "SAS, SATA, NVMe..."),
    "state": Field("Status.State", str, "Enabled, Absent, Disabled..."),
    "hotspare": Field("HotspareType", str, "None, Global, Dedicated or Chassis (Drive >= 1.5)."),
    "status_indicator": Field("StatusIndicator", str, "OK, Fail, Rebuild, Hotspare..."),
}
DRIVE_HEALTH = Field("Status.Health", str, "OK, Warning or Critical.")
DRIVE_LOCATION = (
    Field("PhysicalLocation.PartLocation.ServiceLabel", str, "Bay label (Drive >= 1.4)."),
    Field("Location", list, "Deprecated Location array: Info of the first entry."),
)

VOLUME = {
    "name": Field("Name", str, "Volume name."),
    "capacity_bytes": Field("CapacityBytes", int, "Usable capacity in bytes."),
    "state": Field("Status.State", str, "Enabled, Disabled, Updating..."),
    "write_cache_policy": Field("WriteCachePolicy", str, "WriteThrough, ProtectedWriteBack..."),
}
VOLUME_RAID = (
    Field("RAIDType", str, "RAID level (Volume >= 1.3)."),
    Field("VolumeType", str, "Deprecated: Mirrored, NonRedundant, StripedWithParity..."),
)

CONTROLLER = {
    "name": Field("Name", str, "Controller name."),
    "model": Field("Model", str, "Controller model."),
    "firmware": Field("FirmwareVersion", str, "Controller firmware version."),
}
CONTROLLER_RAID = Field("SupportedRAIDTypes", list, "RAID levels the controller can build.")


ABSENT = "Absent"
"""``Status.State`` of a bay placeholder: no drive is there."""
_OWNER_KINDS = frozenset({"", "redfish", "v1", "Systems", "Chassis", "Storage", "SimpleStorage"})


def _health(resource: Resource, path: str = "Status.Health") -> Health:
    return storagemappings.health(resource.get(path, str))


CHASSIS_PREFIX = "chassis:"
"""Prefix of the owner part of a chassis drive's id: a Storage and a Chassis may both be
``1``, each holding a drive ``0`` (``1/0`` and ``chassis:1/0``)."""


def qualified_id(uri: str, member_id: str | None = None, owner: str | None = None) -> str:
    """``<owner>/<member>``: a drive or volume named by the resource holding it.

    For a URI of the usual shape (``.../Storage/<storage id>/Drives/<id>``,
    ``.../Chassis/<chassis id>/Drives/<id>``, ``.../Volumes/<id>``) both parts come from the
    URI, the owner of a chassis drive prefixed :data:`CHASSIS_PREFIX`: a drive keeps its id
    whichever collection listed it and whatever else appears, and two drives with the same
    ``Id`` property under two URIs stay apart.  For a URI of another shape the member is
    ``member_id`` and the owner ``owner`` (the id of the resource that listed it, a chassis's
    already prefixed).

    :param member_id: the member's own ``Id``; the URI's last segment when None.
    """
    path = uri.split("#", 1)[0].rstrip("/")
    parts = path.split("/")
    if "%" in path:  # unquote gives back a segment without one as it is
        parts = [urllib.parse.unquote(part) for part in parts]
    shaped = (len(parts) >= 3 and parts[-2] in ("Drives", "Volumes")
              and parts[-3] not in _OWNER_KINDS)
    if not shaped:
        member = member_id or parts[-1]
        return f"{owner}/{member}" if owner else member
    chassis = len(parts) >= 4 and parts[-4] == "Chassis"
    return f"{CHASSIS_PREFIX if chassis else ''}{parts[-3]}/{parts[-1]}"


def is_absent(resource: Resource) -> bool:
    """True for a bay placeholder (``Status.State`` ``Absent``): not a drive."""
    return resource.get("Status.State", str) == ABSENT


def drive_location(resource: Resource) -> str | None:
    """Bay label: ``PhysicalLocation.PartLocation.ServiceLabel``, else ``Location[0].Info``."""
    label = resource.field(DRIVE_LOCATION[0])
    if label:
        return label
    locations = resource.field(DRIVE_LOCATION[1]) or []
    first = locations[0] if locations and isinstance(locations[0], Mapping) else {}
    info = first.get("Info")
    return info if isinstance(info, str) and info else None


def parse_drive(resource: Resource, owner: str | None = None) -> Drive:
    """A Drive document as a :class:`~hamnhw.models.Drive` (see :func:`qualified_id`).

    Placeholder serials and models (blank, ``N/A``, ``To Be Filled By O.E.M.``...) are None.
    """
    return Drive(id=qualified_id(resource.uri, resource.id, owner), uri=resource.uri,
                 serial=known_text(resource.field(DRIVE_IDENTITY["serial"])),
                 model=known_text(resource.field(DRIVE_IDENTITY["model"])),
                 health=_health(resource), location=drive_location(resource),
                 operation=volume_operation(resource),
                 **resource.extract(DRIVE))


def parse_empty_bay(resource: Resource, owner: str | None = None) -> EmptyBay:
    """An ``Absent`` Drive document as the bay it stands for."""
    return EmptyBay(id=qualified_id(resource.uri, resource.id, owner), uri=resource.uri,
                    location=drive_location(resource) or known_text(resource.get("Name", str)))


def parse_simple_device(owner: Resource, index: int) -> Drive | EmptyBay:
    """Entry ``index`` of a SimpleStorage's ``Devices`` array as a Drive, or an EmptyBay
    when ``Absent``.

    Devices have no URI and no serial; the id is ``<simple storage id>/<device name>``, which
    does not move when a device is inserted before it (``#<index>`` only for a device
    without a name, the best the BMC allows).
    """
    device = Resource(f"{owner.uri}#/Devices/{index}", _device_doc(owner, index), owner.host)
    name = known_text(device.get("Name", str))
    device_id = f"{owner.id}/{name or f'#{index}'}"
    if is_absent(device):
        return EmptyBay(id=device_id, uri=None, location=name)
    return Drive(id=device_id, uri=None, serial=None,
                 model=known_text(device.get("Model", str)),
                 capacity_bytes=device.field(DRIVE["capacity_bytes"]),
                 media=None, protocol=None, health=_health(device),
                 state=device.get("Status.State", str), location=name)


def _device_doc(owner: Resource, index: int) -> Mapping[str, Any]:
    devices = owner.get("Devices", list) or []
    doc = devices[index]
    if not isinstance(doc, Mapping):
        raise owner.malformed("expected an object", f"Devices[{index}]")
    return doc


def volume_operation(resource: Resource) -> Operation | None:
    """The first entry of ``Operations`` (name and percent), or None."""
    operations = resource.get("Operations", list) or []
    if not operations:
        return None
    first = operations[0]
    if not isinstance(first, Mapping):
        raise resource.malformed("expected an object", "Operations[0]")
    name = first.get("OperationName") or first.get("Operation")
    percent = first.get("PercentageComplete")
    if not isinstance(name, str):
        return None
    if isinstance(percent, (int, float)) and not isinstance(percent, bool):
        return Operation(name, int(percent))
    return Operation(name, None)


def parse_volume(resource: Resource, drive_ids: Mapping[str, str] | None = None,
                 owner: str | None = None) -> Volume:
    """A Volume document as a :class:`~hamnhw.models.Volume`, its id qualified by its
    storage (see :func:`qualified_id`).

    ``drive_ids`` is None when ``Links.Drives`` is absent (the BMC does not say), ``()``
    when it is an empty array; each member is the :attr:`Drive.id <hamnhw.models.Drive.id>`
    of the linked drive.

    :param drive_ids: ids of the drives already read, by URI; a drive not among them gets
        the id its URI gives.
    :param owner: id of the storage that listed the volume (fallback owner).
    """
    known = {uri.rstrip("/"): found for uri, found in (drive_ids or {}).items()}
    raid = storagemappings.raid_type(resource.field(VOLUME_RAID[0]), resource.field(VOLUME_RAID[1]))
    return Volume(id=qualified_id(resource.uri, resource.id, owner), uri=resource.uri,
                  raid_type=raid, health=_health(resource),
                  drive_ids=linked_drive_ids(resource, "Links.Drives", known, owner),
                  spare_drive_ids=linked_drive_ids(resource, "Links.DedicatedSpareDrives",
                                                   known, owner),
                  operation=volume_operation(resource), **resource.extract(VOLUME))


def linked_drive_ids(resource: Resource, path: str, known: Mapping[str, str],
                     owner: str | None) -> tuple[str, ...] | None:
    """The :attr:`Drive.id <hamnhw.models.Drive.id>` of each drive linked at ``path``
    (members, dedicated spares), each once; None when the array is absent.

    :param known: ids of the drives already read, by URI (without a trailing slash).
    """
    uris = resource.links(path)
    return None if uris is None else tuple(
        known.get(uri.rstrip("/")) or qualified_id(uri, last_segment(uri), owner)
        for uri in _unique(uris))


def _unique(uris: list[str]) -> list[str]:
    return list(dict.fromkeys(uris))


def raid_types(values: list[Any] | None) -> tuple[RaidType, ...] | None:
    """Known RAID levels out of ``SupportedRAIDTypes`` (None when not reported)."""
    if values is None:
        return None
    found = (storagemappings.raid_type(v) for v in values)
    return tuple(r for r in found if r is not RaidType.UNKNOWN)


def parse_controller(resource: Resource, storage_id: str, index: int) -> StorageController:
    """A StorageController (embedded in Storage, or its own resource) as a model, its id
    qualified by its storage: ``<storage id>/<member id>`` (the index without one)."""
    member = resource.get("MemberId", str) or resource.get("Id", str) or str(index)
    return StorageController(id=f"{storage_id}/{member}", uri=resource.uri,
                             health=_health(resource),
                             raid_types=raid_types(resource.field(CONTROLLER_RAID)),
                             **resource.extract(CONTROLLER))


def embedded_controllers(storage: Resource) -> list[Resource]:
    """The deprecated ``StorageControllers`` array of a Storage, as resources."""
    entries = storage.get("StorageControllers", list) or []
    found = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise storage.malformed("expected an object", f"StorageControllers[{index}]")
        uri = entry.get("@odata.id")
        found.append(Resource(uri if isinstance(uri, str) else
                              f"{storage.uri}#/StorageControllers/{index}", entry, storage.host))
    return found


def simple_storage_controller(resource: Resource) -> StorageController:
    """A SimpleStorage resource is a controller in itself (its id is its own)."""
    return StorageController(id=resource.id, uri=resource.uri, name=resource.get("Name", str),
                             health=_health(resource))
