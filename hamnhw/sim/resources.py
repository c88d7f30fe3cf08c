"""Rendering of the simulated server's Redfish resources (DMTF shapes) from its live state.

:func:`render` maps a GET path to a JSON document, or ``None`` when nothing lives there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hamnhw.sim import legacy, personalities, raid_docs, shapes
from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.power import RESET_TYPES
from hamnhw.sim.shapes import drive_path as drive_path  # re-exported (events.py uses it)
from hamnhw.sim.state import BOOT_ENABLED, BOOT_TARGETS, RESTORE_POLICIES, ServerState

STORAGE_ID = f"{shapes.STORAGE_PREFIX}1"
BMC_NIC_ID = "eth0"


def system_path(state: ServerState) -> str:
    """``/redfish/v1/Systems/<id>``."""
    return f"{ROOT}/Systems/{state.spec.system_id}"


def storage_path(state: ServerState) -> str:
    """The first Storage resource of the system (the one holding the volumes)."""
    return shapes.storage_path(state, 0)


def service_root(state: ServerState) -> Json:
    """The ServiceRoot; readable without authentication."""
    spec = state.spec
    root = resource(ROOT, "#ServiceRoot.v1_15_0.ServiceRoot", Id="RootService",
                    Name="Root Service", RedfishVersion="1.15.0", UUID=spec.uuid,
                    **shapes.root_systems(state), Managers=link(f"{ROOT}/Managers"),
                    Chassis=link(f"{ROOT}/Chassis"), TaskService=link(f"{ROOT}/TaskService"),
                    EventService=link(f"{ROOT}/EventService"))
    if spec.session_service:
        root["SessionService"] = link(f"{ROOT}/SessionService")
        root["Links"] = {"Sessions": link(f"{ROOT}/SessionService/Sessions")}
    if spec.raid.json_schemas:
        root["JsonSchemas"] = link(f"{ROOT}/JsonSchemas")
    if spec.vendor is not None:
        root["Vendor"] = spec.vendor
    if spec.oem is not None:
        root["Oem"] = spec.oem
    return root


def system(state: ServerState) -> Json:
    """The ComputerSystem."""
    spec, path = state.spec, system_path(state)
    return resource(
        path, "#ComputerSystem.v1_20_0.ComputerSystem", Name=spec.name, SystemType="Physical",
        Manufacturer=spec.manufacturer, Model=spec.model, SerialNumber=spec.serial,
        UUID=spec.uuid, BiosVersion=spec.bios_version, PowerState=state.power_state,
        PowerRestorePolicy=state.restore_policy,
        **{"PowerRestorePolicy@Redfish.AllowableValues": list(RESTORE_POLICIES)},
        **_reset_marks(state),
        Boot={
            "BootSourceOverrideTarget": state.boot_target,
            "BootSourceOverrideEnabled": state.boot_enabled,
            "BootSourceOverrideMode": spec.boot_mode,
            "BootSourceOverrideTarget@Redfish.AllowableValues": list(BOOT_TARGETS),
            "BootSourceOverrideEnabled@Redfish.AllowableValues": list(BOOT_ENABLED),
        },
        **legacy.identify_properties(state),
        Status={"State": "Enabled", "Health": "OK"},
        **shapes.system_extra(state),
        **_storage_link(state),
        Links={"Chassis": shapes.system_chassis(state),
               "ManagedBy": [link(f"{ROOT}/Managers/{spec.manager_id}")]},
        Actions={"#ComputerSystem.Reset": {
            "target": f"{path}/Actions/ComputerSystem.Reset",
            "ResetType@Redfish.AllowableValues": list(spec.reset_types or RESET_TYPES),
        }},
    )


def _reset_marks(state: ServerState) -> Json:
    """``LastResetTime`` and ``BootProgress``, each unless the spec hides it."""
    marks: Json = {}
    if state.spec.last_reset_time:
        marks["LastResetTime"] = state.last_reset_time
    if state.spec.boot_progress:
        stage, _since = state.boot_stage()
        marks["BootProgress"] = {"LastState": stage}
        if state.spec.boot_progress_time:
            marks["BootProgress"]["LastStateTime"] = state.boot_stage_time()
    return marks


def _storage_link(state: ServerState) -> Json:
    if state.spec.storage_view == "simple_storage":
        return {"SimpleStorage": link(legacy.simple_storage_path(state))}
    return {"Storage": link(f"{system_path(state)}/Storage")}


def _host_nics(state: ServerState) -> dict[str, Json]:
    if not legacy.shows_system_nics(state):
        return {}
    base = f"{system_path(state)}/EthernetInterfaces"
    return {
        nic.id: resource(
            f"{base}/{nic.id}", "#EthernetInterface.v1_9_0.EthernetInterface", Name=nic.id,
            MACAddress=nic.bond_mac or nic.mac, PermanentMACAddress=nic.mac,
            **({} if nic.link_up is None else
               {"LinkStatus": "LinkUp" if nic.link_up else "LinkDown"}),
            SpeedMbps=nic.speed_mbps, Status={"State": "Enabled", "Health": "OK"})
        for nic in state.spec.nics or ()
    }


def _bmc_nic(state: ServerState) -> Json:
    mac = state.spec.bmc_mac
    path = f"{ROOT}/Managers/{state.spec.manager_id}/EthernetInterfaces/{BMC_NIC_ID}"
    return resource(path, "#EthernetInterface.v1_9_0.EthernetInterface", Name="BMC NIC",
                    MACAddress=mac, PermanentMACAddress=mac, LinkStatus="LinkUp",
                    SpeedMbps=1000, Status={"State": "Enabled", "Health": "OK"})


def storage(state: ServerState, index: int = 0) -> Json:
    """Storage ``index`` with its controller, drive links and (the first) volumes link."""
    path = shapes.storage_path(state, index)
    links = shapes.storage_drive_links(state, index)
    drives = {} if links is None else {"Drives": links}
    volumes = {"Volumes": link(f"{path}/Volumes")} if index == 0 else {}
    return resource(
        path, "#Storage.v1_15_0.Storage", Name="RAID Controller",
        StorageControllers=[{
            "@odata.id": f"{path}#/StorageControllers/0", "MemberId": "0",
            "Name": "Contoso RAID Controller", "Model": state.spec.controller_model,
            **({"FirmwareVersion": state.spec.controller_firmware}
               if state.spec.controller_firmware is not None else {}),
            "SupportedRAIDTypes": ["RAID0", "RAID1"], "Status": {"State": "Enabled",
                                                                  "Health": "OK"}}],
        **drives, **volumes, Status={"State": "Enabled", "Health": "OK"})


def _chassis(state: ServerState) -> Json:
    spec = state.spec
    extra, more_links = shapes.chassis_extra(state)
    links: Json = {"ComputerSystems": [link(system_path(state))],
                   "ManagedBy": [link(f"{ROOT}/Managers/{spec.manager_id}")], **more_links}
    return resource(
        f"{ROOT}/Chassis/{spec.chassis_id}", "#Chassis.v1_21_0.Chassis", Name="Chassis",
        ChassisType="RackMount", Manufacturer=spec.manufacturer, Model=spec.model,
        SerialNumber=spec.serial, Links=links, **extra)


def _storage_routes(state: ServerState) -> list[tuple[str, Callable[..., Json | None]]]:
    """Routes of the Storage resource, its drives and volumes (none under SimpleStorage)."""
    if state.spec.storage_view == "simple_storage":
        return []
    return [
        (re.escape(f"{system_path(state)}/Storage"), lambda: collection(
            f"{system_path(state)}/Storage", "#StorageCollection.StorageCollection", "Storage",
            shapes.storage_paths(state) if state.storage_visible() else [])),
        (f"{re.escape(system_path(state))}/Storage/{shapes.STORAGE_PREFIX}([1-9][0-9]*)",
         lambda n: storage(state, int(n) - 1)
         if state.storage_visible() and int(n) <= state.spec.controllers else None),
        *raid_docs.volume_routes(state),
    ]


def _manager(state: ServerState) -> Json:
    spec = state.spec
    path = f"{ROOT}/Managers/{spec.manager_id}"
    return resource(path, "#Manager.v1_17_0.Manager", Name="BMC", ManagerType="BMC",
                    Model=spec.manager_model, FirmwareVersion=spec.firmware,
                    EthernetInterfaces=link(f"{path}/EthernetInterfaces"),
                    Status={"State": "Enabled", "Health": "OK"})


def _task(state: ServerState, task_id: str) -> Json | None:
    task = state.tasks.get(task_id)
    if task is None:
        return None
    done = task.is_done()
    state_name, percent, messages = (task.progress() if task.progress else
                                     ("Completed" if done else "Running", 100 if done else 50, ()))
    extra = {"Payload": task.payload} if task.payload else {}
    return resource(f"{ROOT}/TaskService/Tasks/{task.id}", "#Task.v1_7_0.Task", Name=task.name,
                    TaskState=state_name,
                    TaskStatus="Critical" if state_name == "Exception" else "OK",
                    PercentComplete=percent, Messages=[{"Message": m} for m in messages],
                    TaskMonitor=f"{ROOT}/TaskService/TaskMonitors/{task.id}", **extra)


def _routes(state: ServerState) -> list[tuple[str, Callable[..., Json | None]]]:
    """(regex, renderer) pairs; regex groups are passed to the renderer."""
    spec, sys_path = state.spec, re.escape(system_path(state))
    mgr = re.escape(f"{ROOT}/Managers/{spec.manager_id}")
    session_routes: list[tuple[str, Callable[..., Any]]] = [
        (f"{ROOT}/SessionService", lambda: resource(
            f"{ROOT}/SessionService", "#SessionService.v1_1_8.SessionService",
            Name="Session Service", ServiceEnabled=True, SessionTimeout=1800,
            Sessions=link(f"{ROOT}/SessionService/Sessions"))),
        (f"{ROOT}/SessionService/Sessions", lambda: collection(
            f"{ROOT}/SessionService/Sessions", "#SessionCollection.SessionCollection",
            "Sessions", [f"{ROOT}/SessionService/Sessions/{i}" for i in sorted(state.sessions)])),
        (f"{ROOT}/SessionService/Sessions/([^/]+)", lambda sid: resource(
            f"{ROOT}/SessionService/Sessions/{sid}", "#Session.v1_6_0.Session",
            Name="User Session", UserName=spec.username) if sid in state.sessions else None),
    ] if spec.session_service else []
    return [
        *personalities.routes(state),
        *shapes.routes(state),
        ("/redfish", lambda: {"v1": f"{ROOT}/"}),
        (ROOT, lambda: service_root(state)),
        (f"{ROOT}/Systems", lambda: collection(f"{ROOT}/Systems",
                                               "#ComputerSystemCollection.ComputerSystemCollection",
                                               "Systems", shapes.system_members(state))),
        (sys_path, lambda: system(state)),
        (f"{sys_path}/EthernetInterfaces", lambda: collection(
            f"{system_path(state)}/EthernetInterfaces",
            "#EthernetInterfaceCollection.EthernetInterfaceCollection", "Ethernet Interfaces",
            [n["@odata.id"] for n in _host_nics(state).values()])),
        (f"{sys_path}/EthernetInterfaces/([^/]+)", lambda i: _host_nics(state).get(i)),
        *_storage_routes(state),
        (f"{ROOT}/Managers", lambda: collection(
            f"{ROOT}/Managers", "#ManagerCollection.ManagerCollection", "Managers",
            [f"{ROOT}/Managers/{spec.manager_id}"])),
        (mgr, lambda: _manager(state)),
        (f"{mgr}/EthernetInterfaces", lambda: collection(
            f"{ROOT}/Managers/{spec.manager_id}/EthernetInterfaces",
            "#EthernetInterfaceCollection.EthernetInterfaceCollection", "BMC NICs",
            [_bmc_nic(state)["@odata.id"]])),
        (f"{mgr}/EthernetInterfaces/{BMC_NIC_ID}", lambda: _bmc_nic(state)),
        (f"{ROOT}/Chassis", lambda: collection(f"{ROOT}/Chassis",
                                               "#ChassisCollection.ChassisCollection", "Chassis",
                                               shapes.chassis_members(state))),
        (re.escape(f"{ROOT}/Chassis/{spec.chassis_id}"), lambda: _chassis(state)),
        *legacy.routes(state),
        *raid_docs.schema_routes(state),
        (f"{ROOT}/TaskService", lambda: resource(
            f"{ROOT}/TaskService", "#TaskService.v1_2_0.TaskService", Name="Task Service",
            ServiceEnabled=True, Tasks=link(f"{ROOT}/TaskService/Tasks"))),
        (f"{ROOT}/TaskService/Tasks", lambda: collection(
            f"{ROOT}/TaskService/Tasks", "#TaskCollection.TaskCollection", "Tasks",
            [f"{ROOT}/TaskService/Tasks/{i}" for i in state.tasks])),
        (f"{ROOT}/TaskService/Tasks/([^/]+)", lambda i: _task(state, i)),
        *session_routes,
    ]


def normalize(path: str) -> str:
    """Drop the query string and a trailing slash."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    return path.rstrip("/") or "/"


def render(state: ServerState, path: str) -> Json | None:
    """The document at ``path`` (normalized), or ``None`` when there is none."""
    path = normalize(path)
    with state.lock:
        for pattern, renderer in _routes(state):
            match = re.fullmatch(pattern, path)
            if match:
                return renderer(*match.groups())
    return None
