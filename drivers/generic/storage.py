"""Parsers for storage documents: drives, volumes, controllers, SimpleStorage devices.

Pure functions of :class:`~hamnhw_drivers.generic.resource.Resource`; the
walking of links lives in :mod:`hamnhw_drivers.generic.inventory`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hamnhw_drivers.generic.resource import Field, Resource, last_segment

from hamnhw.models import Drive, Health, Operation, RaidType, StorageController, Volume

DRIVE = {
    "serial": Field("SerialNumber", str, "Serial number: a disk's identity across nodes."),
    "model": Field("Model", str, "Drive model."),
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


def _health(resource: Resource, path: str = "Status.Health") -> Health:
    return Health.from_redfish(resource.get(path, str))


def drive_location(resource: Resource) -> str | None:
    """Bay label: ``PhysicalLocation.PartLocation.ServiceLabel``, else ``Location[0].Info``."""
    label = resource.field(DRIVE_LOCATION[0])
    if label:
        return label
    locations = resource.field(DRIVE_LOCATION[1]) or []
    first = locations[0] if locations and isinstance(locations[0], Mapping) else {}
    info = first.get("Info")
    return info if isinstance(info, str) and info else None


def parse_drive(resource: Resource) -> Drive:
    """A Drive document as a :class:`~hamnhw.models.Drive`."""
    return Drive(id=resource.id, uri=resource.uri, health=_health(resource),
                 location=drive_location(resource), operation=volume_operation(resource),
                 **resource.extract(DRIVE))


def parse_simple_device(owner: Resource, index: int) -> Drive:
    """Entry ``index`` of a SimpleStorage's ``Devices`` array as a Drive.

    Devices have no URI and no serial; the id is the device name (or its index).
    """
    device = Resource(f"{owner.uri}#/Devices/{index}", _device_doc(owner, index), owner.host)
    name = device.get("Name", str)
    return Drive(id=name or f"{owner.id}.{index}", uri=None, serial=None,
                 model=device.get("Model", str),
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


def parse_volume(resource: Resource) -> Volume:
    """A Volume document as a :class:`~hamnhw.models.Volume`.

    ``drive_ids`` is None when ``Links.Drives`` is absent (the BMC does not say), ``()``
    when it is an empty array.
    """
    raid = RaidType.from_redfish(resource.field(VOLUME_RAID[0]), resource.field(VOLUME_RAID[1]))
    return Volume(id=resource.id, uri=resource.uri, raid_type=raid, health=_health(resource),
                  drive_ids=linked_drive_ids(resource, "Links.Drives"),
                  spare_drive_ids=linked_drive_ids(resource, "Links.DedicatedSpareDrives"),
                  operation=volume_operation(resource), **resource.extract(VOLUME))


def linked_drive_ids(resource: Resource, path: str) -> tuple[str, ...] | None:
    """Ids of the drives linked at ``path`` (None when the array is absent)."""
    uris = resource.links(path)
    return None if uris is None else tuple(last_segment(uri) for uri in uris)


def raid_types(values: list[Any] | None) -> tuple[RaidType, ...] | None:
    """Known RAID levels out of ``SupportedRAIDTypes`` (None when not reported)."""
    if values is None:
        return None
    found = (RaidType.from_redfish(v) for v in values)
    return tuple(r for r in found if r is not RaidType.UNKNOWN)


def parse_controller(resource: Resource, fallback_id: str) -> StorageController:
    """A StorageController (embedded in Storage, or its own resource) as a model."""
    controller_id = resource.get("MemberId", str) or resource.get("Id", str) or fallback_id
    return StorageController(id=controller_id, uri=resource.uri, health=_health(resource),
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
    """A SimpleStorage resource is a controller in itself."""
    return StorageController(id=resource.id, uri=resource.uri, name=resource.get("Name", str),
                             health=_health(resource))
