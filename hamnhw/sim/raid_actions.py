"""RAID writes of the simulated BMC, answered as a real one does: POST on the Volumes
collection (either dialect, 201 or 202 + task, now or at the next reset), DELETE of a volume,
PATCH of a volume's dedicated spares or a drive's ``HotspareType``; and the refusals (a drive
in use: 400 ``ResourceInUse`` with ``@Message.ExtendedInfo``; an unknown property; an apply
time it does not offer).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from hamnhw.raid import WRITE_CACHE_POLICIES
from hamnhw.sim import raid_docs, resources, shapes
from hamnhw.sim.actions import Response, error, task_accepted
from hamnhw.sim.bays import VolumeSpec
from hamnhw.sim.raid import CreateJob
from hamnhw.sim.spec import DriveSpec

if TYPE_CHECKING:
    from hamnhw.sim.state import ServerState, Task

LEVELS = {"RAIDType": {"RAID0": "RAID0", "RAID1": "RAID1"},
          "VolumeType": {"NonRedundant": "RAID0", "Mirrored": "RAID1"}}
"""Accepted level values per property, as the level stored."""
MEMBERS = {"RAID0": (1, 8), "RAID1": (2, 2)}
CREATE_KEYS = {"Name", "CapacityBytes", "Links", "WriteCachePolicy", "ReadCachePolicy",
               "Encrypted", "@Redfish.OperationApplyTime", "RAIDType", "VolumeType"}


def bad(message_id: str, message: str, *args: str) -> Response:
    """A 400 with ``@Message.ExtendedInfo`` carrying ``MessageArgs``."""
    response = error(400, message_id, message)
    response.body["error"]["@Message.ExtendedInfo"][0]["MessageArgs"] = list(args)
    return response


def dispatch(state: ServerState, method: str, path: str, body: Any) -> Response | None:
    """Answer a RAID write, or None when ``path``/``method`` is not one."""
    if state.spec.storage_view == "simple_storage":
        return None
    collection = raid_docs.volumes_path(state)
    if method == "POST" and path == collection:
        return create(state, body)
    volume = re.fullmatch(rf"{re.escape(collection)}/([^/]+)", path)
    if volume and volume.group(1) != "Capabilities" and method in ("DELETE", "PATCH"):
        found = _visible_volume(state, volume.group(1))
        if found is None:
            return None
        return delete(state, found) if method == "DELETE" else patch_volume(state, found, body)
    if method == "PATCH":
        found_drive = _drive_by_uri(state, {"@odata.id": path})
        return None if found_drive is None else patch_drive(state, found_drive, body)
    return None


def _visible_volume(state: ServerState, volume_id: str) -> VolumeSpec | None:
    return next((v for v, _ in state.visible_volumes() if v.id == volume_id), None)


def _drive_by_uri(state: ServerState, uri: Any) -> DriveSpec | None:
    path = uri.get("@odata.id") if isinstance(uri, dict) else None
    return next((d for d in state.visible_drives() if shapes.drive_path(state, d) == path), None)


def _name(state: ServerState, drive: DriveSpec) -> str:
    return shapes.drive_id(state, drive.bay)


# -- create -------------------------------------------------------------------------------

def create(state: ServerState, body: Any) -> Response:
    """POST on the Volumes collection."""
    if not isinstance(body, dict):
        return bad("MalformedJSON", "The request body must be a JSON object.")
    spec = state.spec.raid
    refused = _check_keys(state, body)
    if refused is not None:
        return refused
    parsed = _parse_create(state, body)
    if isinstance(parsed, Response):
        return parsed
    volume, apply_time = parsed
    immediate = apply_time == "Immediate"
    due = None if not immediate else state.clock() + (
        spec.task_seconds if spec.create_answer == "task" else 0.0)
    job = state.raid.create(volume, due, lambda j: _task_for(state, j, body)
                            if not immediate or spec.create_answer == "task" else None)
    if job.task is not None:
        return task_accepted(state, job.task.id)
    location = f"{raid_docs.volumes_path(state)}/{volume.id}"
    return Response(201, resources.render(state, location), {"Location": location})


def _check_keys(state: ServerState, body: dict[str, Any]) -> Response | None:
    spec = state.spec.raid
    for key in body:
        known = key in CREATE_KEYS and not (
            spec.dialect != "both" and key in LEVELS and key != spec.dialect) and not (
            key == "@Redfish.OperationApplyTime" and spec.apply_times is None)
        if not known:
            return bad("PropertyUnknown", f"The property {key} is not in the list of valid "
                       "properties for the resource.", key)
    levels = [k for k in LEVELS if k in body]
    if len(levels) != 1:
        return bad("PropertyMissing", "Exactly one of RAIDType or VolumeType is required.",
                   spec.volume_property)
    apply_time = body.get("@Redfish.OperationApplyTime", "Immediate")
    if spec.apply_times is not None and apply_time not in spec.apply_times:
        return bad("PropertyValueNotInList", f"The value {apply_time} for the property "
                   "@Redfish.OperationApplyTime is not in the list of acceptable values.",
                   str(apply_time), "@Redfish.OperationApplyTime")
    if body.get("WriteCachePolicy", "WriteThrough") not in WRITE_CACHE_POLICIES:
        return bad("PropertyValueNotInList", "WriteCachePolicy value not supported.",
                   str(body.get("WriteCachePolicy")), "WriteCachePolicy")
    return None


def _parse_create(state: ServerState, body: dict[str, Any]) -> tuple[VolumeSpec, str] | Response:
    prop = next(k for k in LEVELS if k in body)
    level = LEVELS[prop].get(body[prop])
    if level is None:
        return bad("PropertyValueNotInList", f"The value {body[prop]} for the property {prop} "
                   "is not in the list of acceptable values.", str(body[prop]), prop)
    links = body.get("Links", {}).get("Drives") if isinstance(body.get("Links"), dict) else None
    if not isinstance(links, list) or not links:
        return bad("PropertyMissing", "Links/Drives is required.", "Links/Drives")
    drives = [_drive_by_uri(state, item) for item in links]
    if any(d is None for d in drives):
        return bad("ResourceNotFound", "A drive in Links/Drives does not exist.", "Drive")
    members = [d for d in drives if d is not None]
    low, high = MEMBERS[level]
    if not low <= len(members) <= high or len({d.serial for d in members}) != len(members):
        return bad("PropertyValueIncorrect", f"{level} needs {low} to {high} distinct drives.",
                   "Links/Drives")
    for drive in members:
        why = state.raid.in_use(drive.serial)
        if why is not None:
            return bad("ResourceInUse", f"The drive {_name(state, drive)} {why}.",
                       _name(state, drive))
    capacity = body.get("CapacityBytes")
    smallest = min(d.capacity_bytes for d in members)
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not (
            0 < capacity <= smallest):
        return bad("PropertyValueIncorrect", f"CapacityBytes must be between 1 and {smallest}.",
                   str(capacity), "CapacityBytes")
    volume = VolumeSpec(state.bays.new_volume_id(), str(body.get("Name") or f"{level} volume"),
                        level, tuple(d.serial for d in members), capacity,
                        write_cache_policy=str(body.get("WriteCachePolicy", "WriteThrough")))
    return volume, str(body.get("@Redfish.OperationApplyTime", "Immediate"))


def _task_for(state: ServerState, job: CreateJob, body: dict[str, Any]) -> Task:
    raid = state.raid

    def done() -> bool:
        return raid.job_progress(job)[0] in ("Completed", "Exception")

    payload = {"HttpOperation": "POST", "TargetUri": raid_docs.volumes_path(state),
               "JsonBody": json.dumps(body), "HttpHeaders": []}
    location = f"{raid_docs.volumes_path(state)}/{job.volume.id}"
    task_path: list[str] = []

    def result() -> tuple[int, dict[str, Any] | None]:
        if job.outcome == "done":
            return 200, resources.render(state, location)
        return 200, resources.render(state, task_path[0])

    task = state.create_task(f"Create volume {job.volume.name}", done,
                             progress=lambda: raid.job_progress(job), payload=payload,
                             result=result)
    task_path.append(f"{resources.ROOT}/TaskService/Tasks/{task.id}")
    return task


# -- delete and patch ---------------------------------------------------------------------

def delete(state: ServerState, volume: VolumeSpec) -> Response:
    """DELETE a volume: its drives become free, its dedicated spares too; with
    ``create_answer="task"`` a 202 + task monitor, the volume gone after ``task_seconds``."""
    spec = state.spec.raid
    if spec.create_answer != "task":
        state.bays.remove_volume(volume.id)
        return Response(204)
    started, raid = state.clock(), state.raid
    raid.schedule(started + spec.task_seconds, lambda: state.bays.remove_volume(volume.id))

    def gone() -> bool:
        raid.settle()
        return volume not in state.bays.volumes

    def progress() -> tuple[str, int | None, tuple[str, ...]]:
        if gone():
            return "Completed", 100, ()
        return "Running", min(99, int((state.clock() - started) * 100 / spec.task_seconds)), ()

    task = state.create_task(f"Delete volume {volume.id}", gone, progress=progress)
    return task_accepted(state, task.id)


def patch_volume(state: ServerState, volume: VolumeSpec, body: Any) -> Response:
    """PATCH ``Links.DedicatedSpareDrives`` (the whole list), nothing else."""
    links = body.get("Links") if isinstance(body, dict) else None
    if state.spec.raid.volume_property != "RAIDType" or not isinstance(links, dict) or (
            set(body) != {"Links"} or set(links) != {"DedicatedSpareDrives"}):
        return bad("PropertyUnknown", "Only Links/DedicatedSpareDrives can be changed.",
                   ",".join(body) if isinstance(body, dict) else "")
    spares = [_drive_by_uri(state, item) for item in links["DedicatedSpareDrives"] or []]
    if any(d is None for d in spares):
        return bad("ResourceNotFound", "A drive in DedicatedSpareDrives does not exist.")
    for drive in (d for d in spares if d is not None):
        why = state.raid.in_use(drive.serial, volume)
        if why is None and drive.capacity_bytes < volume.capacity_bytes:
            why = "is smaller than the volume"
        if why is not None:
            return bad("ResourceInUse", f"The drive {_name(state, drive)} {why}.",
                       _name(state, drive))
    state.raid.set_dedicated(volume, tuple(d.serial for d in spares if d is not None))
    return Response(200, resources.render(state, f"{raid_docs.volumes_path(state)}/{volume.id}"))


def patch_drive(state: ServerState, drive: DriveSpec, body: Any) -> Response:
    """PATCH ``HotspareType``: ``Global`` or ``None``."""
    if not isinstance(body, dict) or set(body) != {"HotspareType"}:
        return bad("PropertyNotWritable", "Only HotspareType can be changed on a drive.",
                   ",".join(body) if isinstance(body, dict) else "")
    kind = body["HotspareType"]
    if kind not in ("Global", "None"):
        return bad("PropertyValueNotInList", f"HotspareType {kind} is not supported here.",
                   str(kind), "HotspareType")
    why = state.raid.in_use(drive.serial)
    if kind == "Global" and why is not None and why != "is a global hot spare":
        return bad("ResourceInUse", f"The drive {_name(state, drive)} {why}.",
                   _name(state, drive))
    state.raid.set_hotspare(drive.serial, kind)
    return Response(200, resources.render(state, shapes.drive_path(state, drive)))
