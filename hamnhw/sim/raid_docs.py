"""Redfish documents of the simulated storage that RAID changes: drives (health, spare type,
rebuild), volumes (status, members, dedicated spares, operations), the Volumes collection
with its ``@Redfish.OperationApplyTimeSupport`` and ``@Redfish.CollectionCapabilities``
annotations, the capabilities object, and the ``JsonSchemas`` entry of Volume.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hamnhw.sim import shapes
from hamnhw.sim.bays import VolumeSpec
from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.spec import DriveSpec

if TYPE_CHECKING:
    from hamnhw.sim.state import ServerState

VOLUME_TYPES = {"RAID0": "NonRedundant", "RAID1": "Mirrored"}
"""The deprecated ``VolumeType`` of each level the simulator builds."""


def volumes_path(state: ServerState) -> str:
    """The Volumes collection."""
    return f"{shapes.storage_path(state, 0)}/Volumes"


def drive_raid_properties(state: ServerState, drive: DriveSpec) -> Json:
    """What RAID adds to a Drive document (:func:`hamnhw.sim.shapes.drive_doc`): failed
    drives are Critical with ``StatusIndicator: Fail``, spares show their ``HotspareType``,
    the drive a rebuild writes to shows the operation."""
    raid = state.raid
    raid.settle()
    failed = drive.serial in state.bays.failed
    spare = raid.hotspare_type(drive.serial)
    rebuilding = next((v for v in state.bays.volumes if v.rebuild and
                       v.rebuild[0] == drive.serial), None)
    indicator = "Fail" if failed else "Rebuild" if rebuilding else (
        "Hotspare" if spare != "None" else "OK")
    found: Json = {"HotspareType": spare, "StatusIndicator": indicator}
    if failed:
        found["Status"] = {"State": "Enabled", "Health": "Critical"}
    if rebuilding is not None:
        found["Operations"] = [{"OperationName": "Rebuilding",
                                "PercentageComplete": raid.rebuild_percent(rebuilding)}]
    return found


def _volume_status(state: ServerState, volume: VolumeSpec,
                   present: tuple[DriveSpec, ...]) -> tuple[dict[str, str], list[Json]]:
    raid = state.raid
    healthy = [d for d in present if d.serial not in state.bays.failed]
    if volume.rebuild is not None:
        operation = {"OperationName": "Rebuilding",
                     "PercentageComplete": raid.rebuild_percent(volume)}
        return {"State": "Enabled", "Health": "Warning"}, [operation]
    operations = [] if volume.operation is None else [
        {"OperationName": volume.operation[0], "PercentageComplete": volume.operation[1]}]
    if not healthy:
        return {"State": "UnavailableOffline", "Health": "Critical"}, operations
    if len(healthy) < len(volume.members):
        return {"State": "Enabled", "Health": "Warning"}, operations
    return {"State": "Enabled", "Health": "OK"}, operations


def volume_doc(state: ServerState, volume: VolumeSpec, present: tuple[DriveSpec, ...]) -> Json:
    """One Volume in the BMC's dialect (``RAIDType`` v1.9, or ``VolumeType`` v1.0.3
    without the later properties)."""
    spec = state.spec.raid
    status, operations = _volume_status(state, volume, present)
    here = {d.serial: d for d in state.visible_drives()}
    links: Json = {"Drives": [link(shapes.drive_path(state, d)) for d in present]}
    doc = resource(f"{volumes_path(state)}/{volume.id}", spec.volume_type, Name=volume.name,
                   CapacityBytes=volume.capacity_bytes, Links=links, Status=status,
                   Operations=operations)
    if spec.volume_property == "VolumeType":
        doc["VolumeType"] = VOLUME_TYPES.get(volume.raid_type, volume.raid_type)
        return doc
    doc["RAIDType"] = volume.raid_type
    doc["WriteCachePolicy"] = volume.write_cache_policy
    links["DedicatedSpareDrives"] = [link(shapes.drive_path(state, here[s]))
                                     for s in volume.spares if s in here]
    return doc


def volumes(state: ServerState) -> dict[str, Json]:
    """Every volume on a visible drive, by id."""
    state.raid.settle()
    return {v.id: volume_doc(state, v, present) for v, present in state.visible_volumes()}


def volume_collection(state: ServerState) -> Json | None:
    """The Volumes collection with its annotations (None when storage is hidden)."""
    if not state.storage_visible():
        return None
    path, spec = volumes_path(state), state.spec.raid
    doc = collection(path, "#VolumeCollection.VolumeCollection", "Volumes",
                     [v["@odata.id"] for v in volumes(state).values()])
    if spec.apply_times is not None:
        doc["@Redfish.OperationApplyTimeSupport"] = {
            "@odata.type": "#Settings.v1_3_5.OperationApplyTimeSupport",
            "SupportedValues": list(spec.apply_times)}
    if spec.capabilities:
        doc["@Redfish.CollectionCapabilities"] = {
            "@odata.type": "#CollectionCapabilities.v1_4_0.CollectionCapabilities",
            "Capabilities": [{"CapabilitiesObject": link(f"{path}/Capabilities"),
                              "Links": {"TargetCollection": link(path)},
                              "UseCase": "VolumeCreation"}]}
    return doc


def capabilities_doc(state: ServerState) -> Json | None:
    """The VolumeCreation capabilities object: which properties a create needs."""
    spec = state.spec.raid
    if not spec.capabilities:
        return None
    name = spec.volume_property
    values = list(VOLUME_TYPES.values()) if name == "VolumeType" else list(VOLUME_TYPES)
    return resource(f"{volumes_path(state)}/Capabilities", spec.volume_type,
                    Name="Capabilities for the volume collection",
                    **{f"{name}@Redfish.RequiredOnCreate": True,
                       f"{name}@Redfish.AllowableValues": values,
                       "CapacityBytes@Redfish.RequiredOnCreate": True,
                       "Links": {"Drives@Redfish.RequiredOnCreate": True}})


def schema_routes(state: ServerState) -> list[tuple[str, Callable[..., Json | None]]]:
    """``JsonSchemas`` and the Volume schema entry, when the spec publishes them."""
    spec = state.spec.raid
    if not spec.json_schemas:
        return []
    name = spec.volume_type.strip("#").rsplit(".", 1)[0]
    path = f"{ROOT}/JsonSchemas"
    return [
        (path, lambda: collection(path, "#JsonSchemaFileCollection.JsonSchemaFileCollection",
                                  "JSON schemas", [f"{path}/{name}"])),
        (re.escape(f"{path}/{name}"), lambda: resource(
            f"{path}/{name}", "#JsonSchemaFile.v1_1_4.JsonSchemaFile", Name=f"{name} schema",
            Schema=spec.volume_type, Languages=["en"],
            Location=[{"Language": "en", "Uri": f"{path}/{name}/{name}.json"}])),
    ]


def volume_routes(state: ServerState) -> list[tuple[str, Callable[..., Any]]]:
    """Routes of the Volumes collection, its capabilities object and the volumes."""
    sto = re.escape(shapes.storage_path(state, 0))
    return [
        (f"{sto}/Volumes", lambda: volume_collection(state)),
        (f"{sto}/Volumes/Capabilities", lambda: capabilities_doc(state)),
        (f"{sto}/Volumes/([^/]+)", lambda i: volumes(state).get(i)),
    ]
