"""The ``ilo5`` personality: an HPE ProLiant Gen10 with iLO 5 and a Smart Array P408i.

Shapes from the iLO 5 Redfish API reference ("SmartStorage configuration",
HewlettPackard/ilo-rest-api-docs ``_ilo5_smartstoragedoc.md``), the HPE Developer blog
"Storage management with Redfish" and proliantutils' iLO 5 samples (``smart_storage.json``,
``array_controller.json``, ``logical_drive.json``, ``disk_drive.json``,
``smart_storage_config.json``; read, never copied): no standard Storage members;
``Oem.Hpe.Links.SmartStorage`` with ArrayControllers, LogicalDrives (``Raid``, ``CapacityMiB``,
``VolumeUniqueIdentifier``, ``Links.DataDrives``) and DiskDrives (``Location`` ``1I:1:<bay>``,
``CapacityMiB``, ``DiskDriveUse``); changes PUT to ``smartstorageconfig/settings/`` answered
200 with ``SystemResetRequired``, applied at the next reset with
``@Redfish.Settings.Messages`` and ``Time`` updated; the settings object then shows the
applied configuration again (proliantutils ``read_raid`` reads it back from there).
``DataGuard`` as the reference's "DataGuard rules": ``Strict`` refuses a list that omits a
logical drive or deletes one, ``Permissive`` deletes only what is named and keeps the omitted,
``Disabled`` applies the list as the whole configuration (the omitted are dropped).  Moved
arrays are recognised at POST (no foreign state).

``If-Match``: a stale ETag is refused 412 (the reference); a PUT without ``If-Match`` is
refused 428 here so that hamnhw's header is tested (unverified that iLO requires it); every
``If-Match`` received is kept in :attr:`Ilo5Personality.if_match_seen`.  Unverified (no public
capture here): the ``Rebuilding`` status reasons and the message ids of refused settings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hamnhw.sim import raid_docs
from hamnhw.sim.actions import Response
from hamnhw.sim.bays import VolumeSpec
from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.personalities.base import Personality, Route, bay_number, wrap
from hamnhw.sim.personalities.ilo5_settings import apply_settings
from hamnhw.sim.spec import DriveSpec

if TYPE_CHECKING:
    from hamnhw.sim.state import ServerState

SPEC_DEFAULTS = {
    "manager_id": "1", "chassis_id": "1",
    "vendor": "HPE", "manufacturer": "HPE", "model": "ProLiant DL360 Gen10",
    "manager_model": "iLO 5", "firmware": "2.72 Sep 04 2022",
    "controller_model": "HPE Smart Array P408i-a SR Gen10", "controller_firmware": "5.61",
    "oem": {"Hpe": {"@odata.type": "#HpeiLOServiceExt.v2_3_0.HpeiLOServiceExt",
                    "Manager": [{"ManagerType": "iLO 5"}]}},
    "last_reset_time": False,
    "reset_types": ("On", "ForceOff", "GracefulShutdown", "ForceRestart", "Nmi",
                    "PushPowerButton", "GracefulRestart"),
}
SUCCESS = "SmartStorageMessages.2.0.0.Success"
RESET_REQUIRED = "iLO.2.15.SystemResetRequired"


def vuid(volume: VolumeSpec) -> str:
    """A ``VolumeUniqueIdentifier`` derived from the volume (a 32-hex NAA-like id)."""
    return "600508B1001C" + hashlib.sha256(volume.id.encode()).hexdigest()[:20].upper()


class Ilo5Personality(Personality):
    """iLO 5 with one Smart Array (the SmartStorage model)."""

    drive_model_name: ClassVar[str | None] = "EG001200JWJNQ"
    """HPE's 1.2 TB 12G SAS 10K drive (the proliantutils sample shows its 600 GB sibling,
    ``EG0600FBVFP``)."""

    def __init__(self, state: ServerState) -> None:
        super().__init__(state)
        self.pending: Json | None = None
        self.generation = 0
        self.messages: list[str] = [SUCCESS]
        self.applied_at = "2026-01-01T00:00:00+00:00"
        self.show_etag = True
        """Set from a test: the settings object shows no ``@odata.etag``."""
        self.if_match_seen: list[str | None] = []
        """The ``If-Match`` of every write of the settings object, in order (tests read it)."""

    # -- paths -----------------------------------------------------------------------------
    @property
    def controller(self) -> str:
        """``.../SmartStorage/ArrayControllers/0/``."""
        return f"{self.system_path}/SmartStorage/ArrayControllers/0/"

    @property
    def config(self) -> str:
        """The SmartStorageConfig (lower case, as iLO 5 links it)."""
        return f"{ROOT}/systems/{self.spec.system_id}/smartstorageconfig/"

    def disk_path(self, drive: DriveSpec) -> str:
        return f"{self.controller}DiskDrives/{bay_number(drive.bay)}/"

    def location(self, drive: DriveSpec) -> str:
        """``1I:1:<bay>`` (ControllerPort:Box:Bay)."""
        return f"1I:1:{bay_number(drive.bay)}"

    def number(self, volume: VolumeSpec) -> int:
        return 1 + [v.id for v, _ in self.volumes_sorted()].index(volume.id)

    def volumes_sorted(self) -> list[tuple[VolumeSpec, tuple[DriveSpec, ...]]]:
        return sorted(self.volumes(), key=lambda item: item[0].id)

    def ld_path(self, volume: VolumeSpec) -> str:
        return f"{self.controller}LogicalDrives/{self.number(volume)}/"

    def drives(self) -> tuple[DriveSpec, ...]:
        return self.state.visible_drives() if self.state.storage_visible() else ()

    # -- documents -------------------------------------------------------------------------
    def disk_doc(self, drive: DriveSpec) -> Json:
        """A HpeSmartStorageDiskDrive."""
        raid = self.state.raid
        failed = drive.serial in self.state.bays.failed
        rebuilding = any(v.rebuild and v.rebuild[0] == drive.serial for v, _ in self.volumes())
        use = ("Data" if raid.member_of(drive.serial) else "Spare"
               if raid.hotspare_type(drive.serial) != "None" else "Raw")
        return resource(self.disk_path(drive).rstrip("/"),
                        "#HpeSmartStorageDiskDrive.v2_1_0.HpeSmartStorageDiskDrive",
                        **{"@odata.id": self.disk_path(drive)}, Id=str(bay_number(drive.bay)),
                        Name="HpeSmartStorageDiskDrive", SerialNumber=drive.serial,
                        Model=self.drive_model(drive),
                        CapacityMiB=drive.capacity_bytes // (1 << 20),
                        CapacityGB=drive.capacity_bytes // 10**9, MediaType=drive.media,
                        InterfaceType=drive.protocol, Location=self.location(drive),
                        LocationFormat="ControllerPort:Box:Bay", DiskDriveUse=use,
                        DiskDriveStatusReasons=["Rebuilding"] if rebuilding else ["None"],
                        Status={"State": "Enabled",
                                "Health": "Critical" if failed else drive.health})

    def ld_doc(self, volume: VolumeSpec, present: tuple[DriveSpec, ...]) -> Json:
        """A HpeSmartStorageLogicalDrive."""
        status, _ = raid_docs._volume_status(self.state, volume, present)
        reasons = ["Rebuilding"] if volume.rebuild else ["Ok"]
        path = self.ld_path(volume)
        return resource(path.rstrip("/"),
                        "#HpeSmartStorageLogicalDrive.v2_3_0.HpeSmartStorageLogicalDrive",
                        **{"@odata.id": path}, Id=str(self.number(volume)),
                        Name="HpeSmartStorageLogicalDrive", LogicalDriveName=volume.name,
                        LogicalDriveNumber=self.number(volume),
                        Raid=volume.raid_type.removeprefix("RAID"),
                        CapacityMiB=volume.capacity_bytes // (1 << 20),
                        VolumeUniqueIdentifier=vuid(volume), LogicalDriveType="Data",
                        LogicalDriveStatusReasons=reasons, Status=status,
                        Links={"DataDrives": link(f"{path}DataDrives/")})

    def controller_doc(self) -> Json:
        """The HpeSmartStorageArrayController."""
        return resource(self.controller.rstrip("/"),
                        "#HpeSmartStorageArrayController.v2_6_0.HpeSmartStorageArrayController",
                        **{"@odata.id": self.controller}, Id="0",
                        Name="HpeSmartStorageArrayController", Model=self.spec.controller_model,
                        Location="Slot 0", LocationFormat="PCISlot", AdapterType="SmartArray",
                        SerialNumber=f"PEYHC0{(self.spec.serial or '')[-8:]}",
                        FirmwareVersion={"Current": {"VersionString":
                                                     self.spec.controller_firmware}},
                        Status={"State": "Enabled", "Health": "OK"},
                        Links={"LogicalDrives": link(f"{self.controller}LogicalDrives/"),
                               "PhysicalDrives": link(f"{self.controller}DiskDrives/")})

    def logical_entries(self) -> list[Json]:
        """The ``LogicalDrives`` array of the current configuration."""
        here = {d.serial: d for d in self.drives()}
        return [{"LogicalDriveNumber": self.number(v), "LogicalDriveName": v.name,
                 "Raid": f"Raid{v.raid_type.removeprefix('RAID')}",
                 "CapacityGiB": v.capacity_bytes // (1 << 30), "VolumeUniqueIdentifier": vuid(v),
                 "DataDrives": [self.location(d) for d in present],
                 "SpareDrives": [self.location(here[s]) for s in v.spares if s in here],
                 "SpareRebuildMode": "Dedicated" if v.spares else None}
                for v, present in self.volumes_sorted()]

    def config_doc(self) -> Json:
        """The current configuration with the outcome of the last applied settings."""
        doc = resource(self.config.rstrip("/"), "#SmartStorageConfig.v2_0_0.SmartStorageConfig",
                       **{"@odata.id": self.config}, Id="smartstorageconfig",
                       DataGuard="Strict", Location="Slot 0", LocationFormat="PCISlot",
                       LogicalDrives=self.logical_entries(),
                       PhysicalDrives=[{"Location": self.location(d),
                                        "LocationFormat": "ControllerPort:Box:Bay"}
                                       for d in self.drives()])
        doc["@Redfish.Settings"] = {
            "@odata.type": "#Settings.v1_0_0.Settings",
            "Messages": [{"MessageId": m} for m in self.messages],
            "SettingsObject": link(f"{self.config}settings/"), "Time": self.applied_at}
        return doc

    def settings_doc(self) -> Json:
        """The pending settings (the last PUT until the reset, else the current LDs)."""
        body = self.pending or {"DataGuard": "Strict", "LogicalDrives": self.logical_entries()}
        etag = {"@odata.etag": self.etag} if self.show_etag else {}
        return {"@odata.id": f"{self.config}settings/", **etag,
                "@odata.type": "#SmartStorageConfig.v2_0_0.SmartStorageConfig",
                "Id": "settings", **body}

    @property
    def etag(self) -> str:
        return f'W/"{self.generation:08X}"'

    def routes(self) -> list[Route]:
        """Storage (empty), SmartStorage, SmartStorageConfig and its settings."""
        from hamnhw.sim import resources

        ctrl = re.escape(self.controller.rstrip("/"))
        volumes = {str(self.number(v)): (v, p) for v, p in self.volumes_sorted()}
        return [
            (re.escape(f"{self.system_path}/Storage"), lambda: collection(
                f"{self.system_path}/Storage", "#StorageCollection.StorageCollection",
                "Storage", [])),
            (re.escape(f"{self.system_path}/SmartStorage"), lambda: resource(
                f"{self.system_path}/SmartStorage", "#HpeSmartStorage.v2_0_0.HpeSmartStorage",
                Name="HpeSmartStorage", Status={"Health": "OK"}, Links={
                    "ArrayControllers": link(f"{self.system_path}/SmartStorage/"
                                             "ArrayControllers/")})),
            (re.escape(f"{self.system_path}/SmartStorage/ArrayControllers"), lambda: collection(
                f"{self.system_path}/SmartStorage/ArrayControllers/",
                "#HpeSmartStorageArrayControllerCollection."
                "HpeSmartStorageArrayControllerCollection", "HpeSmartStorageArrayControllers",
                [self.controller])),
            (ctrl, self.controller_doc),
            (f"{ctrl}/DiskDrives", lambda: collection(
                f"{self.controller}DiskDrives/", "#HpeSmartStorageDiskDriveCollection."
                "HpeSmartStorageDiskDriveCollection", "HpeSmartStorageDiskDrives",
                [self.disk_path(d) for d in self.drives()])),
            (f"{ctrl}/DiskDrives/([0-9]+)", lambda n: next(
                (self.disk_doc(d) for d in self.drives() if str(bay_number(d.bay)) == n), None)),
            (f"{ctrl}/LogicalDrives", lambda: collection(
                f"{self.controller}LogicalDrives/", "#HpeSmartStorageLogicalDriveCollection."
                "HpeSmartStorageLogicalDriveCollection", "HpeSmartStorageLogicalDrives",
                [self.ld_path(v) for v, _ in volumes.values()])),
            (f"{ctrl}/LogicalDrives/([0-9]+)",
             lambda n: self.ld_doc(*volumes[n]) if n in volumes else None),
            (f"{ctrl}/LogicalDrives/([0-9]+)/DataDrives", lambda n: collection(
                f"{self.controller}LogicalDrives/{n}/DataDrives/",
                "#HpeSmartStorageDiskDriveCollection.HpeSmartStorageDiskDriveCollection",
                "DataDrives", [self.disk_path(d) for d in volumes[n][1]])
             if n in volumes else None),
            (re.escape(self.config.rstrip("/")), self.config_doc),
            (re.escape(f"{self.config}settings"), self.settings_doc),
            (re.escape(self.system_path), lambda: wrap(lambda: resources.system(self.state),
                                                       self._system_oem)),
            (re.escape(self.chassis_path), lambda: wrap(lambda: resources._chassis(self.state),
                                                        self._no_drive_links)),
        ]

    def _no_drive_links(self, doc: Json) -> None:
        """Smart Array drives are not linked from the chassis (SmartStorage only)."""
        doc["Links"].pop("Drives", None)

    def _system_oem(self, doc: Json) -> None:
        doc["Oem"] = {"Hpe": {"@odata.type": "#HpeComputerSystemExt.v2_9_0.HpeComputerSystemExt",
                              "SmartStorageConfig": [link(self.config)],
                              "Links": {"SmartStorage": link(f"{self.system_path}/SmartStorage/"),
                                        "EthernetInterfaces": link(
                                            f"{self.system_path}/EthernetInterfaces/")}}}

    # -- writes ----------------------------------------------------------------------------
    def write(self, method: str, path: str, body: Any,
              headers: Mapping[str, str]) -> Response | None:
        """PUT of the settings (If-Match checked); other storage writes are refused."""
        if path.rstrip("/") != f"{self.config}settings":
            return None
        if method not in ("PUT", "PATCH"):
            return Response(405, None, {"Allow": "GET, PUT, PATCH"})
        match = {k.lower(): v for k, v in headers.items()}.get("if-match")
        self.if_match_seen.append(match)
        if match is None:
            return Response(428, {"error": {"code": "Base.1.4.PreconditionRequired",
                                            "message": "A precondition header (If-Match) is "
                                                       "required for this request."}})
        if match != self.etag:
            return Response(412, {"error": {"code": "Base.1.4.PreconditionFailed",
                                            "message": "The ETag supplied did not match."}})
        if not isinstance(body, dict):
            return Response(400, {"error": {"code": "Base.1.4.MalformedJSON"}})
        self.pending = dict(body)
        self.generation += 1
        return Response(200, {"error": {"code": "iLO.0.10.ExtendedInfo",
                                        "message": "See @Message.ExtendedInfo for more "
                                                   "information.",
                                        "@Message.ExtendedInfo": [
                                            {"MessageId": RESET_REQUIRED}]}})

    def on_reset(self) -> None:
        """The POST applies the pending settings and records how it went."""
        if self.pending is None:
            return
        self.messages = apply_settings(self, self.pending) or [SUCCESS]
        self.pending = None
        self.generation += 1
        self.applied_at = self.state._wall(self.state.clock())


PERSONALITY = Ilo5Personality
