"""What every personality shares: paths of the server's resources, the volumes it owns
(a controller that did not build an array sees it as a foreign configuration until it is
imported), and :class:`StandardStorage`, DMTF Storage/Drive/Volume documents under vendor ids
with the create, delete and spare writes of :mod:`hamnhw.sim.raid_actions`.
"""

from __future__ import annotations

import dataclasses
import re
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hamnhw.sim import raid_docs
from hamnhw.sim.actions import Response
from hamnhw.sim.bays import DriveBays, VolumeSpec
from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.personalities.createparse import CreateParsing
from hamnhw.sim.raid_actions import bad
from hamnhw.sim.spec import DriveSpec

if TYPE_CHECKING:
    from hamnhw.sim.state import ServerState

GENERIC_DRIVE_MODEL = next(f.default for f in dataclasses.fields(DriveSpec) if f.name == "model")
"""The drive model a :class:`~hamnhw.sim.spec.DriveSpec` has unless a test names one."""
Route = tuple[str, Callable[..., Json | None]]
"""``(regex, renderer)``: the regex groups are the renderer's arguments."""

_OWNERS: weakref.WeakKeyDictionary[DriveBays, dict[str, str]] = weakref.WeakKeyDictionary()


def owners(bays: DriveBays) -> dict[str, str]:
    """Volume id -> name of the server whose controller holds the array as its own."""
    return _OWNERS.setdefault(bays, {})


class Personality:
    """A BMC's shapes on top of one :class:`~hamnhw.sim.state.ServerState`.

    :param state: the server.
    """

    tracks_foreign: ClassVar[bool] = False
    """Moved arrays are foreign configuration until imported (Broadcom/PERC), instead of
    being recognised at POST (HPE Smart Array, the plain simulator)."""
    drive_model_name: ClassVar[str | None] = None
    """The ``Model`` this BMC shows for a drive the spec left at the simulator's generic
    model (a real vendor model name of the same size and kind); None keeps the spec's."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.spec = state.spec
        if self.tracks_foreign:
            here = {d.serial for d in state.bays.drives_of(self.spec.name)}
            for volume in state.bays.volumes:
                if set(volume.members) <= here:
                    owners(state.bays).setdefault(volume.id, self.spec.name)

    # -- paths -----------------------------------------------------------------------------
    @property
    def system_path(self) -> str:
        """``/redfish/v1/Systems/<id>``."""
        return f"{ROOT}/Systems/{self.spec.system_id}"

    @property
    def manager_path(self) -> str:
        """``/redfish/v1/Managers/<id>``."""
        return f"{ROOT}/Managers/{self.spec.manager_id}"

    @property
    def chassis_path(self) -> str:
        """``/redfish/v1/Chassis/<id>``."""
        return f"{ROOT}/Chassis/{self.spec.chassis_id}"

    # -- hooks the shared modules call -----------------------------------------------------
    def routes(self) -> list[Route]:
        """GET routes answered before the generic ones."""
        return []

    def write(self, method: str, path: str, body: Any,
              headers: Mapping[str, str]) -> Response | None:
        """A write this BMC answers, or None."""
        return None

    def on_reset(self) -> None:
        """The host reset: what waits for it applies."""

    def session_alive(self, session_id: str) -> bool:
        """False when the BMC expired the session."""
        return True

    def drive_model(self, drive: DriveSpec) -> str:
        """The drive's ``Model``: the spec's, or this BMC's for the generic default."""
        if self.drive_model_name and drive.model == GENERIC_DRIVE_MODEL:
            return self.drive_model_name
        return drive.model

    # -- ownership ---------------------------------------------------------------------------
    def owned(self, volume: VolumeSpec) -> bool:
        """True when this controller holds the array as its own (always, unless the
        personality tracks foreign configurations)."""
        owner = owners(self.state.bays).get(volume.id)
        return not self.tracks_foreign or owner in (None, self.spec.name)

    def claim(self, volume: VolumeSpec) -> None:
        """This controller takes the array as its own (created here, or imported)."""
        owners(self.state.bays)[volume.id] = self.spec.name

    def volumes(self) -> list[tuple[VolumeSpec, tuple[DriveSpec, ...]]]:
        """Volumes shown: on visible drives and owned."""
        self.state.raid.settle()
        return [(v, p) for v, p in self.state.visible_volumes() if self.owned(v)]

    def foreign(self) -> list[tuple[VolumeSpec, tuple[DriveSpec, ...]]]:
        """Arrays on visible drives that another controller built (not imported yet)."""
        return [(v, p) for v, p in self.state.visible_volumes() if not self.owned(v)]

    def foreign_serials(self) -> set[str]:
        """Serials of the visible drives carrying a foreign configuration."""
        return {d.serial for _, present in self.foreign() for d in present}

    def import_foreign(self) -> list[VolumeSpec]:
        """Take every foreign array on the visible drives as this controller's own."""
        found = [v for v, _ in self.foreign()]
        for volume in found:
            self.claim(volume)
        return found


class StandardStorage(CreateParsing, Personality):
    """DMTF Storage, Drives and Volumes under the vendor's ids, with RAID writes.

    Subclasses name the ids (:meth:`drive_id`, :meth:`volume_id`, :attr:`storage_id`) and
    add their OEM blocks (:meth:`drive_extra`, :meth:`volume_extra`, :meth:`controller`).
    """

    storage_id: ClassVar[str] = "RAID1"
    dialect: str = "RAIDType"
    """``RAIDType`` or ``VolumeType``: what volumes show and a create must name."""
    volume_type: str = "#Volume.v1_6_2.Volume"
    create_keys: ClassVar[frozenset[str]] = frozenset({
        "Name", "CapacityBytes", "Links", "WriteCachePolicy", "ReadCachePolicy",
        "@Redfish.OperationApplyTime"})
    """Keys a create may carry besides the level."""
    apply_times: tuple[str, ...] | None = None
    """``@Redfish.OperationApplyTimeSupport`` values of the Volumes collection."""

    def __init__(self, state: ServerState) -> None:
        super().__init__(state)
        self._numbers: dict[str, int] = {}

    # -- ids ---------------------------------------------------------------------------------
    @property
    def storage_path(self) -> str:
        """The one Storage resource."""
        return f"{self.system_path}/Storage/{self.storage_id}"

    def drive_id(self, drive: DriveSpec) -> str:
        """The Drive's ``Id`` (from the bay)."""
        return f"Disk.{bay_number(drive.bay) - 1}"

    def drive_path(self, drive: DriveSpec) -> str:
        """Where the drive lives."""
        return f"{self.storage_path}/Drives/{self.drive_id(drive)}"

    def volume_number(self, volume: VolumeSpec) -> int:
        """A number this controller gives the volume (0, 1... in the order it saw them)."""
        return self._numbers.setdefault(volume.id, len(self._numbers))

    def volume_id(self, volume: VolumeSpec) -> str:
        """The Volume's ``Id``."""
        return str(self.volume_number(volume))

    def volume_path(self, volume: VolumeSpec) -> str:
        """Where the volume lives."""
        return f"{self.storage_path}/Volumes/{self.volume_id(volume)}"

    def drives(self) -> tuple[DriveSpec, ...]:
        """Drives shown (none while storage is hidden)."""
        return self.state.visible_drives() if self.state.storage_visible() else ()

    # -- documents ---------------------------------------------------------------------------
    def controller(self) -> Json:
        """The embedded StorageControllers entry."""
        return {"@odata.id": f"{self.storage_path}#/StorageControllers/0", "MemberId": "0",
                "Name": self.spec.controller_model, "Model": self.spec.controller_model,
                "FirmwareVersion": self.spec.controller_firmware,
                "SupportedRAIDTypes": ["RAID0", "RAID1"],
                "Status": {"State": "Enabled", "Health": "OK"}}

    def storage_doc(self) -> Json | None:
        """The Storage resource."""
        if not self.state.storage_visible():
            return None
        return resource(self.storage_path, "#Storage.v1_9_1.Storage",
                        Name=self.spec.controller_model, StorageControllers=[self.controller()],
                        Drives=[link(self.drive_path(d)) for d in self.drives()],
                        Volumes=link(f"{self.storage_path}/Volumes"),
                        Status={"State": "Enabled", "Health": "OK"})

    def drive_extra(self, drive: DriveSpec) -> Json:
        """What the vendor adds to a Drive (OEM blocks)."""
        return {}

    def drive_doc(self, drive: DriveSpec) -> Json:
        """A Drive with its RAID state."""
        serial = drive.serial if drive.reported_serial is None else drive.reported_serial
        volumes = [link(self.volume_path(v)) for v, p in self.volumes()
                   if drive.serial in v.members]
        doc = resource(self.drive_path(drive), "#Drive.v1_9_0.Drive", Name=drive.bay,
                       SerialNumber=serial, Model=self.drive_model(drive),
                       CapacityBytes=drive.capacity_bytes, MediaType=drive.media,
                       Protocol=drive.protocol,
                       Status={"State": "Enabled", "Health": drive.health},
                       PhysicalLocation={"PartLocation": {"ServiceLabel": drive.bay,
                                                          "LocationType": "Bay"}},
                       Links={"Volumes": volumes})
        return {**doc, **raid_docs.drive_raid_properties(self.state, drive),
                **self.drive_extra(drive)}

    def volume_extra(self, volume: VolumeSpec) -> Json:
        """What the vendor adds to a Volume."""
        return {}

    def volume_doc(self, volume: VolumeSpec, present: tuple[DriveSpec, ...]) -> Json:
        """A Volume in the BMC's dialect."""
        status, operations = raid_docs._volume_status(self.state, volume, present)
        here = {d.serial: d for d in self.drives()}
        level = (raid_docs.VOLUME_TYPES.get(volume.raid_type, volume.raid_type)
                 if self.dialect == "VolumeType" else volume.raid_type)
        doc = resource(self.volume_path(volume), self.volume_type, Name=volume.name,
                       CapacityBytes=volume.capacity_bytes, Status=status,
                       Operations=operations, WriteCachePolicy=volume.write_cache_policy,
                       Links={"Drives": [link(self.drive_path(d)) for d in present],
                              "DedicatedSpareDrives": [link(self.drive_path(here[s]))
                                                       for s in volume.spares if s in here]},
                       **{self.dialect: level})
        return {**doc, **self.volume_extra(volume)}

    def volume_collection(self) -> Json | None:
        """The Volumes collection with its apply-time annotation."""
        if not self.state.storage_visible():
            return None
        path = f"{self.storage_path}/Volumes"
        doc = collection(path, "#VolumeCollection.VolumeCollection", "Volumes",
                         [self.volume_path(v) for v, _ in self.volumes()])
        if self.apply_times is not None:
            doc["@Redfish.OperationApplyTimeSupport"] = {
                "@odata.type": "#Settings.v1_3_3.OperationApplyTimeSupport",
                "SupportedValues": list(self.apply_times)}
        return doc

    def find_volume(self, volume_id: str) -> tuple[VolumeSpec, tuple[DriveSpec, ...]] | None:
        """The shown volume with this ``Id``."""
        return next(((v, p) for v, p in self.volumes() if self.volume_id(v) == volume_id), None)

    def find_drive(self, path: Any) -> DriveSpec | None:
        """The shown drive at a path (a link object or a string)."""
        uri = path.get("@odata.id") if isinstance(path, dict) else path
        return next((d for d in self.drives() if self.drive_path(d) == uri), None)

    def chassis_doc(self) -> Json:
        """The generic chassis, its drive links pointing at this BMC's drives."""
        from hamnhw.sim import resources  # the generic renderer (imports this package's hooks)

        doc: Json = resources._chassis(self.state)
        doc["Links"]["Drives"] = [link(self.drive_path(d)) for d in self.drives()]
        return doc

    def routes(self) -> list[Route]:
        """Storage collection, Storage, its drives and volumes; the chassis."""
        storage = re.escape(self.storage_path)
        return [
            (re.escape(f"{self.system_path}/Storage"), lambda: collection(
                f"{self.system_path}/Storage", "#StorageCollection.StorageCollection",
                "Storage", [self.storage_path] if self.state.storage_visible() else [])),
            (storage, self.storage_doc),
            (f"{storage}/Drives/([^/]+)", lambda i: next(
                (self.drive_doc(d) for d in self.drives() if self.drive_id(d) == i), None)),
            (f"{storage}/Volumes", self.volume_collection),
            (f"{storage}/Volumes/([^/]+)", lambda i: (
                lambda found: self.volume_doc(*found) if found else None)(self.find_volume(i))),
            (re.escape(self.chassis_path), self.chassis_doc),
        ]

    # -- writes ------------------------------------------------------------------------------
    def write(self, method: str, path: str, body: Any,
              headers: Mapping[str, str]) -> Response | None:
        """Create (POST Volumes), delete, dedicated spares (PATCH Volume), global spares
        (PATCH Drive ``HotspareType``)."""
        volumes = f"{self.storage_path}/Volumes"
        if method == "POST" and path == volumes:
            return self.create(body)
        match = re.fullmatch(rf"{re.escape(volumes)}/([^/]+)", path)
        found = self.find_volume(match.group(1)) if match else None
        if found is not None and method == "DELETE":
            return self.delete(found[0])
        if found is not None and method == "PATCH":
            return self.patch_volume(found[0], body)
        drive = self.find_drive(path)
        if drive is not None and method == "PATCH":
            return self.patch_drive(drive, body)
        return None

    def create(self, body: Any) -> Response:
        """POST on the Volumes collection: the volume exists at once (201)."""
        parsed = self.parse_create(body)
        if isinstance(parsed, Response):
            return parsed
        volume, _ = parsed
        self.add_volume(volume)
        return Response(201, self.volume_doc(volume, self._present(volume)),
                        {"Location": self.volume_path(volume)})

    def add_volume(self, volume: VolumeSpec) -> None:
        """The array now exists on its members, built by this controller."""
        self.claim(volume)
        self.state.bays.add_volume(volume)

    def _present(self, volume: VolumeSpec) -> tuple[DriveSpec, ...]:
        here = {d.serial: d for d in self.drives()}
        return tuple(here[s] for s in volume.members if s in here)

    def delete(self, volume: VolumeSpec) -> Response:
        """DELETE of a volume: gone at once (204)."""
        self.state.bays.remove_volume(volume.id)
        return Response(204)

    def patch_volume(self, volume: VolumeSpec, body: Any) -> Response:
        """PATCH ``Links.DedicatedSpareDrives`` (the whole list)."""
        links = body.get("Links") if isinstance(body, dict) else None
        spares = links.get("DedicatedSpareDrives") if isinstance(links, dict) else None
        if not isinstance(spares, list):
            return bad("PropertyNotWritable", "Only Links/DedicatedSpareDrives can be changed.")
        drives = [self.find_drive(item) for item in spares]
        if any(d is None for d in drives):
            return bad("ResourceNotFound", "A drive in DedicatedSpareDrives does not exist.")
        chosen = [d for d in drives if d is not None]
        for drive in chosen:
            why = self.state.raid.in_use(drive.serial, volume)
            if why is not None:
                return bad("ResourceInUse", f"The drive {self.drive_id(drive)} {why}.")
        self.state.raid.set_dedicated(volume, tuple(d.serial for d in chosen))
        return Response(200, self.volume_doc(volume, self._present(volume)))

    def patch_drive(self, drive: DriveSpec, body: Any) -> Response:
        """PATCH ``HotspareType``: ``Global`` or ``None``."""
        kind = body.get("HotspareType") if isinstance(body, dict) else None
        if kind not in ("Global", "None") or set(body) != {"HotspareType"}:
            return bad("PropertyNotWritable", "Only HotspareType (Global or None) can be "
                       "changed on a drive.")
        why = self.state.raid.in_use(drive.serial)
        if kind == "Global" and why not in (None, "is a global hot spare"):
            return bad("ResourceInUse", f"The drive {self.drive_id(drive)} {why}.")
        self.state.raid.set_hotspare(drive.serial, str(kind))
        return Response(200, self.drive_doc(drive))


def bay_number(bay: str) -> int:
    """``3`` for ``Bay 3``."""
    match = re.search(r"(\d+)$", bay)
    return int(match.group(1)) if match else 1


def wrap(render: Callable[[], Json | None], extra: Callable[[Json], None]) -> Json | None:
    """A generic document with the vendor's additions (``extra`` edits it in place)."""
    doc = render()
    if doc is not None:
        extra(doc)
    return doc
