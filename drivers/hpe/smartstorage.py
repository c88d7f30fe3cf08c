"""HPE iLO 5 Smart Array read model: ``Oem.Hpe.Links.SmartStorage`` (ArrayControllers,
LogicalDrives, DiskDrives) as hamnhw's controllers, volumes and drives, plus the
SmartStorageConfig object each controller is configured through.

HPE, iLO 5 (1.x to 3.x, Gen10/Gen10 Plus), public sources: the iLO 5 Redfish API reference
(HpeSmartStorageArrayController, HpeSmartStorageLogicalDrive, HpeSmartStorageDiskDrive,
SmartStorageConfig), the HPE Developer blog "Storage management with Redfish" and
proliantutils' ``redfish/resources/system/storage`` (read, never copied).  A logical drive's
``Raid`` is ``"1"`` (or ``"Raid1"``), its size ``CapacityMiB``, its members
``Links.DataDrives``; a disk drive's bay is its ``Location`` (``1I:1:1``,
``ControllerPort:Box:Bay``), its size ``CapacityMiB``.  SmartStorageConfig lists each logical
drive's ``VolumeUniqueIdentifier``, ``DataDrives`` and ``SpareDrives`` by location.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from hamnhw_drivers.generic import storagemappings
from hamnhw_drivers.generic.raid_layout import StorageInfo
from hamnhw_drivers.generic.resource import Reader, Resource, last_segment

from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.log import get_logger
from hamnhw.models import Drive, Operation, RaidType, StorageController, Volume
from hamnhw.placeholders import known_text
from hamnhw.raid import RaidCapabilities

LOG = get_logger("hamnhw.drivers.hpe")
MIB = 1024 * 1024
SMART_LINK = "Oem.Hpe.Links.SmartStorage"
CONFIG_LINKS = "Oem.Hpe.SmartStorageConfig"
REBUILDING = "Rebuilding"
"""A ``DiskDriveStatusReasons`` / ``LogicalDriveStatusReasons`` entry of a rebuild (unverified:
no public capture of a rebuilding Smart Array here)."""


@dataclasses.dataclass(frozen=True)
class SmartStorageInfo(StorageInfo):
    """An array controller as the writes see it: its SmartStorageConfig and its drives'
    locations."""

    config_uri: str | None = None
    """The controller's SmartStorageConfig (current configuration)."""
    settings_uri: str | None = None
    """Its pending settings (``@Redfish.Settings.SettingsObject``), PUT with ``If-Match``."""
    locations: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Drive URI -> bay location (``1I:1:1``)."""
    config: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The current configuration document."""
    ambiguous: tuple[str, ...] = ()
    """Why the controller's drives or logical drives cannot be named to it unambiguously
    (two disks at one location, two logical drives with one id or VolumeUniqueIdentifier):
    no write goes through it."""


@dataclasses.dataclass(frozen=True)
class SmartView:
    """Everything SmartStorage shows."""

    controllers: tuple[StorageController, ...]
    drives: tuple[Drive, ...]
    volumes: tuple[Volume, ...]
    storages: tuple[SmartStorageInfo, ...]
    warnings: tuple[str, ...] = ()
    """What made the read ambiguous (see :attr:`SmartStorageInfo.ambiguous`)."""


def raid_level(value: str | None) -> RaidType:
    """``"1"``, ``"Raid1"``, ``"1+0"`` -> the RAID level."""
    text = (value or "").strip().removeprefix("Raid")
    text = {"1+0": "10", "1ADM": "1E", "10ADM": "10"}.get(text, text)
    return storagemappings.raid_type(f"RAID{text}") if text else RaidType.UNKNOWN


def controller_id(resource: Resource) -> str:
    """``SmartArray.0`` for ``ArrayControllers/0``."""
    return f"SmartArray.{resource.id}"


def mib(resource: Resource) -> int | None:
    value = resource.get("CapacityMiB", int)
    return int(value) * MIB if value is not None else None


def parse_disk(resource: Resource, owner: str) -> Drive:
    """A HpeSmartStorageDiskDrive as a drive (id ``<controller>/<location>``)."""
    location = resource.get("Location", str) or resource.id
    reasons = resource.get("DiskDriveStatusReasons", list) or []
    use = resource.get("DiskDriveUse", str)
    return Drive(id=f"{owner}/{location}", uri=resource.uri,
                 serial=known_text((resource.get("SerialNumber", str) or "").strip()),
                 model=known_text(resource.get("Model", str)), capacity_bytes=mib(resource),
                 media=resource.get("MediaType", str),
                 protocol=resource.get("InterfaceType", str),
                 health=storagemappings.health(resource.get("Status.Health", str)),
                 state=resource.get("Status.State", str), location=location,
                 hotspare=None if use is None else "Dedicated" if use == "Spare" else "None",
                 operation=Operation(REBUILDING, None) if REBUILDING in reasons else None)


def parse_logical(resource: Resource, owner: str, members: Sequence[str] | None,
                  spares: Sequence[str] | None) -> Volume:
    """A HpeSmartStorageLogicalDrive as a volume (id ``<controller>/LogicalDrive.<n>``)."""
    reasons = resource.get("LogicalDriveStatusReasons", list) or []
    return Volume(id=f"{owner}/LogicalDrive.{resource.id}", uri=resource.uri,
                  name=resource.get("LogicalDriveName", str),
                  raid_type=raid_level(resource.get("Raid", str)), capacity_bytes=mib(resource),
                  health=storagemappings.health(resource.get("Status.Health", str)),
                  state=resource.get("Status.State", str),
                  drive_ids=None if members is None else tuple(members),
                  operation=Operation(REBUILDING, None) if REBUILDING in reasons else None,
                  spare_drive_ids=None if spares is None else tuple(spares))


def parse_controller(resource: Resource) -> StorageController:
    """A HpeSmartStorageArrayController as a storage controller."""
    return StorageController(id=controller_id(resource), uri=resource.uri,
                             name=resource.get("Model", str),
                             model=resource.get("Model", str),
                             firmware=resource.get("FirmwareVersion.Current.VersionString", str),
                             health=storagemappings.health(resource.get("Status.Health", str)),
                             raid_types=None)


def config_uris(system: Resource) -> list[str]:
    """The system's SmartStorageConfig objects (``Oem.Hpe.SmartStorageConfig``)."""
    return system.links(CONFIG_LINKS) or []


def read(reader: Reader, system: Resource) -> SmartView | None:
    """Walk SmartStorage; None when the system does not link it (no Smart Array)."""
    root = system.link(SMART_LINK)
    if root is None:
        return None
    controllers_uri = reader.read(root).link("Links.ArrayControllers")
    configs = _configs(reader, system)
    found = [_controller(reader, c, configs) for c in
             (reader.collection(controllers_uri) if controllers_uri else [])]
    return SmartView(tuple(c[0] for c in found), tuple(d for c in found for d in c[1]),
                     tuple(v for c in found for v in c[2]), tuple(c[3] for c in found),
                     tuple(w for c in found for w in c[3].ambiguous))


def _configs(reader: Reader, system: Resource) -> dict[str, Resource]:
    """SmartStorageConfig documents by the controller ``Location`` they configure."""
    found: dict[str, Resource] = {}
    for uri in config_uris(system):
        try:
            doc = reader.read(uri)
        except (HttpError, MalformedResponse) as exc:
            LOG.warning("%s: %s not readable: %s", reader.host, uri, exc)
            continue
        found[doc.get("Location", str) or uri] = doc
    return found


def _controller(reader: Reader, resource: Resource, configs: Mapping[str, Resource],
                ) -> tuple[StorageController, list[Drive], list[Volume], SmartStorageInfo]:
    owner = controller_id(resource)
    disks_uri = resource.link("Links.PhysicalDrives")
    ambiguous: list[str] = []
    disks = _unique([parse_disk(d, owner) for d in
                     (reader.collection(disks_uri) if disks_uri else [])], "disk", ambiguous)
    by_uri = {_key(d.uri): d for d in disks if d.uri}
    by_location = {d.location: d.id for d in disks if d.location}
    config = configs.get(resource.get("Location", str) or "") or (
        next(iter(configs.values())) if len(configs) == 1 else None)
    spares = _spares_by_volume(config, by_location)
    logical_uri = resource.link("Links.LogicalDrives")
    volumes = []
    vuids: set[str] = set()
    for logical in reader.collection(logical_uri) if logical_uri else []:
        members = _members(reader, logical, by_uri)
        vuid = logical.get("VolumeUniqueIdentifier", str)
        volumes.append(parse_logical(logical, owner, members,
                                     spares.get(vuid or "") if config else None))
        if vuid and vuid in vuids:
            ambiguous.append(f"VolumeUniqueIdentifier {vuid} is shown by two logical drives "
                             f"of {owner}")
        vuids.add(vuid or "")
    volumes = _unique(volumes, "logical drive", ambiguous)
    info = dataclasses.replace(_info(resource, owner, disks, config), ambiguous=tuple(ambiguous))
    return parse_controller(resource), disks, volumes, info


Item = TypeVar("Item", Drive, Volume)


def _unique(items: list[Item], what: str, ambiguous: list[str]) -> list[Item]:
    """``items`` with unique ids: a later one whose id is taken gets ``<id>@<its URI's last
    segment>`` (its controller stays the first part), and the clash is recorded (the
    controller is then never written through)."""
    seen: set[str] = set()
    found: list[Item] = []
    for item in items:
        if item.id in seen:
            ambiguous.append(f"{what} {item.id} is shown twice (the second at {item.uri})")
            tail = last_segment(item.uri) if item.uri else str(len(found))
            item = dataclasses.replace(item, id=f"{item.id}@{tail}")
        seen.add(item.id)
        found.append(item)
    return found


def _key(uri: str) -> str:
    return uri.rstrip("/")


def _members(reader: Reader, logical: Resource, by_uri: Mapping[str, Drive]) -> list[str] | None:
    uri = logical.link("Links.DataDrives")
    if uri is None:
        return None
    try:
        listed = reader.require_members(uri)
    except (HttpError, MalformedResponse) as exc:
        LOG.warning("%s: data drives of %s not readable: %s", reader.host, logical.uri, exc)
        return None
    return [by_uri[_key(m)].id if _key(m) in by_uri else m for m in listed]


def _spares_by_volume(config: Resource | None,
                      by_location: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for entry in (config.get("LogicalDrives", list) or []) if config else []:
        if isinstance(entry, Mapping) and entry.get("VolumeUniqueIdentifier"):
            found[str(entry["VolumeUniqueIdentifier"])] = tuple(
                by_location.get(str(s), str(s)) for s in entry.get("SpareDrives") or [])
    return found


def _info(resource: Resource, owner: str, disks: list[Drive],
          config: Resource | None) -> SmartStorageInfo:
    capabilities = RaidCapabilities(storage_id=owner, uri=resource.uri, raid_types=None,
                                    volumes_uri=None, apply_times=("OnReset",),
                                    volume_creation=None)
    target = config.get(("@Redfish.Settings", "SettingsObject"), dict) if config else None
    settings = target.get("@odata.id") if isinstance(target, Mapping) else None
    return SmartStorageInfo(resource, tuple(d.uri for d in disks if d.uri), None,
                            capabilities, config_uri=config.uri if config else None,
                            settings_uri=settings,
                            locations={d.uri: d.location for d in disks if d.uri and d.location},
                            config=config.doc if config else {})
