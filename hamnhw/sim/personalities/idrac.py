"""The ``idrac`` personality: a Dell PowerEdge R650 (15G) with iDRAC 9 6.00.30.00 and a PERC
H755.

The Manager (``Model`` ``15G Monolithic``, its OEM links ``Oem/Dell/Jobs`` and
``Oem/Dell/DellLCService``) and the DellJob fields follow a public 15G capture (a PowerEdge
R750 with iDRAC 9 6.00.30.00, the libredfish ``tests/mockups/dell``); the other shapes Dell's
iDRAC9 Redfish API Guide and the dell/iDRAC-Redfish-Scripting examples
(CreateVirtualDisk, DeleteVirtualDisk, AssignHotSpare, ImportForeignConfig,
GetRemoteServicesAPIStatus), and the sushy-oem-idrac samples (``raid_service.json``,
``storage_controller.json``): FQDD ids (``RAID.Integrated.1-1``,
``Disk.Bay.0:Enclosure.Internal.0-1:RAID.Integrated.1-1``, ``Disk.Virtual.0:RAID.Integrated.1-1``),
``Oem.Dell.DellPhysicalDisk.RaidStatus``, every storage write answered 202 with a ``JID_`` job
(:mod:`.idrac_jobs`), ``RAIDType`` from firmware 4.40 on (``VolumeType`` before).

A moved array is a foreign configuration on this controller (drives ``RaidStatus: Foreign``,
no volume) until ``DellRaidService.ImportForeignConfig``; ``ClearForeignConfig`` destroys it,
as on a real PERC (hamnhw must never send it; the tests check).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hamnhw.sim.actions import Response
from hamnhw.sim.bays import VolumeSpec
from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.personalities.base import Route, StandardStorage, bay_number, wrap
from hamnhw.sim.personalities.idrac_attributes import manager_attributes, system_attributes
from hamnhw.sim.personalities.idrac_jobs import JobQueue, remote_services_status
from hamnhw.sim.raid_actions import bad
from hamnhw.sim.spec import DriveSpec

if TYPE_CHECKING:
    from hamnhw.sim.state import ServerState

SPEC_DEFAULTS = {
    "vendor": "Dell", "manufacturer": "Dell Inc.", "model": "PowerEdge R650",
    "system_id": "System.Embedded.1", "manager_id": "iDRAC.Embedded.1",
    "chassis_id": "System.Embedded.1", "manager_model": "15G Monolithic",
    "firmware": "6.00.30.00", "controller_model": "PERC H755 Front",
    "controller_firmware": "52.16.1-4405",
    "oem": {"Dell": {"@odata.type": "#DellServiceRoot.v1_0_0.DellServiceRoot",
                     "IsBranded": 0}},
}
CONTROLLER = "RAID.Integrated.1-1"
STAGED_MODELS = ("H330", "H730", "H830", "BOSS")
"""PERC 9 and BOSS controllers run RAID jobs staged (at the next reset) only."""
RAID_SERVICE_ACTIONS = ("AssignSpare", "UnassignSpare", "ImportForeignConfig",
                        "ClearForeignConfig", "RebuildPhysicalDisk")
JOB_RUNNING = ("IDRAC.2.8.RAC0679", "A job operation is already running. Retry the "
               "operation after the existing job is completed.")


def firmware_tuple(version: str) -> tuple[int, ...]:
    """``(7, 0)`` out of ``7.00.00.00``."""
    return tuple(int(p) for p in re.findall(r"\d+", version)[:2])


def dell_error(message_id: str, message: str) -> Response:
    """A 400 in iDRAC's error shape."""
    info = {"Message": message, "MessageArgs": [], "MessageId": message_id,
            "RelatedProperties": [], "Resolution": "Retry the operation when the condition "
            "is resolved.", "Severity": "Warning"}
    return Response(400, {"error": {"@Message.ExtendedInfo": [info], "code": message_id,
                                    "message": message}})


class IdracPersonality(StandardStorage):
    """iDRAC 9 with one PERC."""

    tracks_foreign: ClassVar[bool] = True
    drive_model_name: ClassVar[str | None] = "ST1200MM0099"
    """A 1.2 TB 12G SAS 10K drive PERCs ship with (Seagate's model string)."""
    storage_id: ClassVar[str] = CONTROLLER
    create_keys: ClassVar[frozenset[str]] = StandardStorage.create_keys | {"Drives", "Oem",
                                                                           "OptimumIOSizeBytes"}

    def __init__(self, state: ServerState) -> None:
        super().__init__(state)
        self.queue = JobQueue(state, self.manager_path)
        self.lc_busy = False
        """Set from a test: the Lifecycle Controller answers NotReady."""
        self.controller_mode = "RAID"
        """``Oem.Dell.DellStorageController.ControllerMode`` (a test sets ``HBA``)."""
        self.import_failure: str | None = None
        """Set from a test: ImportForeignConfig's job fails with this message."""
        self.realtime = not any(m in self.spec.controller_model for m in STAGED_MODELS)
        legacy = firmware_tuple(self.spec.firmware) < (4, 40)
        self.dialect = "VolumeType" if legacy else "RAIDType"
        self.volume_type = "#Volume.v1_0_3.Volume" if legacy else "#Volume.v1_6_2.Volume"
        self.apply_times = ("Immediate", "OnReset") if self.realtime else ("OnReset",)

    # -- ids -------------------------------------------------------------------------------
    def drive_id(self, drive: DriveSpec) -> str:
        """``Disk.Bay.<n>:Enclosure.Internal.0-1:RAID.Integrated.1-1`` (bays from 0)."""
        return f"Disk.Bay.{bay_number(drive.bay) - 1}:Enclosure.Internal.0-1:{CONTROLLER}"

    def volume_id(self, volume: VolumeSpec) -> str:
        """``Disk.Virtual.<n>:RAID.Integrated.1-1``."""
        return f"Disk.Virtual.{self.volume_number(volume)}:{CONTROLLER}"

    @property
    def raid_service(self) -> str:
        """``Systems/System.Embedded.1/Oem/Dell/DellRaidService``."""
        return f"{self.system_path}/Oem/Dell/DellRaidService"

    @property
    def lc_service(self) -> str:
        """``Managers/iDRAC.Embedded.1/Oem/Dell/DellLCService`` (iDRAC 9 6.x; 3.x linked
        ``/redfish/v1/Dell/Managers/...``: the driver follows the link)."""
        return f"{self.manager_path}/Oem/Dell/DellLCService"

    @property
    def jobs_path(self) -> str:
        """``Managers/iDRAC.Embedded.1/Oem/Dell/Jobs``: where the Manager links the queue."""
        return f"{self.manager_path}/Oem/Dell/Jobs"

    # -- documents -------------------------------------------------------------------------
    def volumes(self) -> list[tuple[VolumeSpec, tuple[DriveSpec, ...]]]:
        """Volumes, after the jobs whose time came ran."""
        self.queue.settle()
        return super().volumes()

    def controller(self) -> Json:
        """The PERC as an embedded StorageControllers entry, with Dell's OEM block."""
        found = super().controller()
        found.update({"@odata.id": f"{self.storage_path}#/StorageControllers/0",
                      "MemberId": CONTROLLER, "Name": self.spec.controller_model,
                      "SupportedRAIDTypes": ["RAID0", "RAID1", "RAID5", "RAID6", "RAID10",
                                             "RAID50", "RAID60"],
                      "Oem": {"Dell": {"DellStorageController": {
                          "ControllerMode": self.controller_mode, "RealtimeCapability":
                              "Capable" if self.realtime else "Incapable"}}}})
        return found

    def drive_extra(self, drive: DriveSpec) -> Json:
        """``Oem.Dell.DellPhysicalDisk`` with its ``RaidStatus``."""
        return {"Oem": {"Dell": {"DellPhysicalDisk": {
            "@odata.type": "#DellPhysicalDisk.v1_6_0.DellPhysicalDisk",
            "Id": self.drive_id(drive), "RaidStatus": self._raid_status(drive)}}}}

    def _raid_status(self, drive: DriveSpec) -> str:
        raid = self.state.raid
        if drive.serial in self.state.bays.failed:
            return "Failed"
        if drive.serial in self.foreign_serials():
            return "Foreign"
        if any(v.rebuild and v.rebuild[0] == drive.serial for v, _ in self.volumes()):
            return "Rebuilding"
        if raid.member_of(drive.serial) is not None:
            return "Online"
        return "Ready"

    def volume_extra(self, volume: VolumeSpec) -> Json:
        """``Oem.Dell.DellVolume``."""
        return {"Oem": {"Dell": {"DellVolume": {
            "@odata.type": "#DellVolume.v1_2_0.DellVolume", "Id": self.volume_id(volume),
            "RaidStatus": "Online"}}}}

    def routes(self) -> list[Route]:
        """Storage, jobs, the Lifecycle Controller, the RAID service, the system and
        manager with their Dell links."""
        from hamnhw.sim import resources

        mgr = re.escape(self.manager_path)
        return [
            *super().routes(),
            (f"{mgr}/Jobs", self.queue.collection),
            (f"{mgr}/Jobs/([^/]+)", self.queue.dell_job),
            (re.escape(self.jobs_path), lambda: self.queue.collection(self.jobs_path)),
            (f"{re.escape(self.jobs_path)}/([^/]+)",
             lambda job: self.queue.dell_job(job, self.jobs_path)),
            (f"{re.escape(ROOT)}/TaskService/Tasks", self._tasks),
            (f"{re.escape(ROOT)}/TaskService/Tasks/(JID_[0-9]+)", self.queue.task),
            (re.escape(self.raid_service), self.raid_service_doc),
            (re.escape(self.lc_service), self.lc_service_doc),
            (re.escape(self.system_path), lambda: wrap(lambda: resources.system(self.state),
                                                       self._system_links)),
            (mgr, lambda: wrap(lambda: resources._manager(self.state), self._manager_links)),
            (f"{mgr}/Attributes", lambda: manager_attributes(f"{self.manager_path}/Attributes",
                                                             self.state.spec.name)),
            (re.escape(self.system_attributes_path), lambda: system_attributes(
                self.system_attributes_path, self.state.spec.name)),
        ]

    @property
    def system_attributes_path(self) -> str:
        """Where iDRAC 9 serves the system's DellAttributes (``System.Embedded.1``)."""
        system_id = self.system_path.rsplit("/", 1)[-1]
        return f"{self.manager_path}/Oem/Dell/DellAttributes/{system_id}"

    def _tasks(self) -> Json:
        """The TaskService's tasks: the simulator's own and the iDRAC jobs."""
        path = f"{ROOT}/TaskService/Tasks"
        return collection(path, "#TaskCollection.TaskCollection", "Tasks",
                          [f"{path}/{i}" for i in (*self.state.tasks, *self.queue.jobs)])

    def _system_links(self, doc: Json) -> None:
        doc["Links"]["Oem"] = {"Dell": {"@odata.type": "#DellOem.v1_3_0.DellOemLinks",
                                        "DellRaidService": link(self.raid_service)}}

    def _manager_links(self, doc: Json) -> None:
        """The OEM links where iDRAC 9 6.x puts them (libredfish's R750 capture)."""
        dell = f"{self.manager_path}/Oem/Dell"
        doc["Links"] = {"Oem": {"Dell": {"@odata.type": "#DellOem.v1_3_0.DellOemLinks",
                                         "Jobs": link(self.jobs_path),
                                         "DellJobService": link(f"{dell}/DellJobService"),
                                         "DellLCService": link(self.lc_service),
                                         "DellAttributes": [
                                             link(f"{self.manager_path}/Attributes"),
                                             link(self.system_attributes_path)]}}}

    def raid_service_doc(self) -> Json:
        """``DellRaidService`` with the actions the simulator runs."""
        actions = {f"#DellRaidService.{name}": {
            "target": f"{self.raid_service}/Actions/DellRaidService.{name}"}
            for name in RAID_SERVICE_ACTIONS}
        return resource(self.raid_service, "#DellRaidService.v1_3_0.DellRaidService",
                        Name="DellRaidService", Actions=actions,
                        Description="The DellRaidService resource provides some actions to "
                                    "support RAID functionality.")

    def lc_service_doc(self) -> Json:
        """``DellLCService`` with its GetRemoteServicesAPIStatus action."""
        name = "DellLCService.GetRemoteServicesAPIStatus"
        return resource(self.lc_service, "#DellLCService.v1_1_0.DellLCService",
                        Name="DellLCService", Actions={f"#{name}": {
                            "target": f"{self.lc_service}/Actions/{name}"}})

    # -- writes ----------------------------------------------------------------------------
    def write(self, method: str, path: str, body: Any,
              headers: Mapping[str, str]) -> Response | None:
        """Storage writes as jobs, the RAID service and LC actions."""
        if method == "POST" and path == f"{self.lc_service}/Actions/" \
                "DellLCService.GetRemoteServicesAPIStatus":
            return Response(200, remote_services_status(self.state, self.lc_busy))
        action = re.fullmatch(rf"{re.escape(self.raid_service)}/Actions/DellRaidService\."
                              r"(\w+)", path)
        if method == "POST" and action:
            return self._busy() or self.raid_action(action.group(1), body)
        if method in ("POST", "DELETE", "PATCH") and path.startswith(self.storage_path):
            return self._busy() or super().write(method, path, body, headers)
        return None

    def _busy(self) -> Response | None:
        pending = self.queue.pending(CONTROLLER)
        return dell_error(*JOB_RUNNING) if pending is not None else None

    def member_links(self, body: dict[str, Any]) -> Any:
        """``Links.Drives``, or the top-level ``Drives`` of the iDRAC 3.x examples."""
        return super().member_links(body) if "Links" in body else body.get("Drives")

    def create(self, body: Any) -> Response:
        """A create is a job: realtime (the volume after ``task_seconds``) or staged."""
        parsed = self.parse_create(body)
        if isinstance(parsed, Response):
            return parsed
        volume, apply_time = parsed
        if apply_time not in (self.apply_times or ()):
            return bad("PropertyValueNotInList", f"The value {apply_time} for the property "
                       "@Redfish.OperationApplyTime is not in the list of acceptable values.",
                       apply_time, "@Redfish.OperationApplyTime")
        payload = {"HttpOperation": "POST", "TargetUri": f"{self.storage_path}/Volumes",
                   "JsonBody": json.dumps(body)}
        return self._job(f"Configure: {CONTROLLER}", lambda: self._apply_create(volume),
                         staged=apply_time == "OnReset", payload=payload)

    def _apply_create(self, volume: VolumeSpec) -> str | None:
        busy = [s for s in volume.members if self.state.raid.in_use(s) is not None
                or self.state.bays.locate(s) is None]
        if busy:
            return f"Unable to create the virtual disk: drives {', '.join(busy)} are in use."
        self.add_volume(volume)
        return None

    def delete(self, volume: VolumeSpec) -> Response:
        """DELETE of a volume is a job too."""
        def apply() -> str | None:
            if volume in self.state.bays.volumes:
                self.state.bays.remove_volume(volume.id)
            return None
        return self._job(f"Configure: {CONTROLLER}", apply)

    def _job(self, name: str, apply: Any, *, staged: bool = False,
             payload: Json | None = None) -> Response:
        return self.queue.add(name, CONTROLLER, apply, staged=staged or not self.realtime,
                              seconds=self.spec.raid.task_seconds, payload=payload)

    def raid_action(self, name: str, body: Any) -> Response:
        """One DellRaidService action, answered with a job."""
        target = body.get("TargetFQDD") if isinstance(body, dict) else None
        if not isinstance(target, str):
            return bad("ActionParameterMissing", "The action requires TargetFQDD.",
                       "TargetFQDD")
        if name in ("ImportForeignConfig", "ClearForeignConfig"):
            return self._foreign_action(name, target)
        drive = next((d for d in self.drives() if self.drive_id(d) == target), None)
        if drive is None:
            return dell_error("IDRAC.2.8.STOR008", f"Unable to find the physical disk {target}.")
        if name == "AssignSpare":
            return self._assign(drive, body.get("VirtualDiskArray") or [])
        if name == "UnassignSpare":
            return self._job(f"Configure: {CONTROLLER}", lambda: self._unassign(drive))
        return dell_error("IDRAC.2.8.SYS403", f"{name} is not supported by the simulator.")

    def _assign(self, drive: DriveSpec, virtual_disks: list[Any]) -> Response:
        volumes = [self.find_volume(str(v)) for v in virtual_disks]
        if any(v is None for v in volumes):
            return dell_error("IDRAC.2.8.STOR009", "Unable to find the virtual disk.")
        why = self.state.raid.in_use(drive.serial)
        if why is not None:
            return dell_error("IDRAC.2.8.STOR050", f"The physical disk {self.drive_id(drive)} "
                              f"{why}.")
        chosen = [v[0] for v in volumes if v is not None]

        def apply() -> str | None:
            if not chosen:
                self.state.raid.set_hotspare(drive.serial, "Global")
            for volume in chosen:
                self.state.raid.set_dedicated(volume, (*volume.spares, drive.serial))
            return None
        return self._job(f"Configure: {CONTROLLER}", apply)

    def _unassign(self, drive: DriveSpec) -> str | None:
        dedicated = self.state.raid.dedicated_of(drive.serial)
        if dedicated is not None:
            self.state.raid.set_dedicated(dedicated, tuple(
                s for s in dedicated.spares if s != drive.serial))
        self.state.raid.set_hotspare(drive.serial, "None")
        return None

    def _foreign_action(self, name: str, target: str) -> Response:
        if target != CONTROLLER:
            return dell_error("IDRAC.2.8.STOR030", f"Unable to find the controller {target}.")
        if not self.foreign():
            return dell_error("IDRAC.2.8.STOR018", "No foreign drives detected.")
        if name == "ImportForeignConfig":
            def take() -> str | None:
                if self.import_failure is not None:
                    return self.import_failure
                self.import_foreign()
                return None
            return self._job(f"Import foreign configuration: {CONTROLLER}", take)

        def clear() -> str | None:  # destroys the array: hamnhw never sends it
            for volume, _ in self.foreign():
                self.state.bays.remove_volume(volume.id)
            return None
        return self._job(f"Clear foreign configuration: {CONTROLLER}", clear)

    def on_reset(self) -> None:
        """Staged jobs run at the reset."""
        self.queue.on_reset()


PERSONALITY = IdracPersonality
