"""Record the vendor fixtures (``fixtures/redfish/<vendor>/<model>_<fw>/walk``) from the
simulator's vendor personalities, scrubbed by :mod:`hamnhw.fixturetools`::

    .venv/bin/python tests/vendors/regenerate_fixtures.py

No public capture of these BMCs exists here, so each fixture is the personality's shapes,
which follow the public documents named in ``meta.json`` (``follows``); ``unverified`` says
which parts no public capture confirms.  Each walk is taken after a staged or pending change
(a Dell job, an HPE pending setting) so that job and settings bodies are in it.  The
simulator runs on loopback and is stopped at the end.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

from hamnhw.fixturetools.sessions import record_walk
from hamnhw.sim import DriveSpec, ServerSpec, SimCluster
from hamnhw.sim.personalities import of

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "redfish"
CREDENTIALS = {"username": "admin", "password": "password"}  # simulator-only values

SOURCES: dict[str, dict[str, Any]] = {
    "idrac": {"model": "idrac9", "follows": [
        "Dell iDRAC9 Redfish API Guide (Storage, Volumes, DellJob, DellRaidService, "
        "DellLCService)",
        "dell/iDRAC-Redfish-Scripting: CreateVirtualDiskREDFISH.py, AssignHotSpareREDFISH.py, "
        "ImportForeignConfigREDFISH.py, GetRemoteServicesAPIStatusREDFISH.py",
        "sushy-oem-idrac 6.0.0 json_samples: task.json, job.json, raid_service.json, "
        "manager.json, system.json"],
        "unverified": ["Drive and Volume documents (no public capture of a PERC's drives "
                       "and volumes here)", "Task Payload of a staged create"]},
    "ilo5": {"model": "ilo5", "follows": [
        "HPE iLO 5 Redfish API reference (SmartStorage, SmartStorageConfig, DataGuard)",
        "HPE Developer blog: Storage management with Redfish",
        "proliantutils 2.16.3 json_samples: smart_storage.json, array_controller.json, "
        "logical_drive.json, disk_drive.json, smart_storage_config.json, system.json"],
        "unverified": ["DiskDriveStatusReasons/LogicalDriveStatusReasons of a rebuild",
                       "message ids of settings the controller refused"]},
    "xcc": {"model": "xcc2", "follows": [
        "Lenovo XCC REST API (pubs.lenovo.com xcc-restapi, xcc2-restapi): POST - Create a "
        "Volume, GET - Drives managed by storage controller, GET - Storage controller "
        "properties"],
        "unverified": ["every document: written from the documentation, no public capture"]},
    "supermicro": {"model": "x12", "follows": [
        "Supermicro Redfish Reference Guide (Storage of Broadcom controllers, sessions, "
        "tasks)"],
        "unverified": ["every document, the HA-RAID drive and volume ids: written from the "
                       "documentation, no public capture"]},
}


def drives(name: str) -> tuple[DriveSpec, ...]:
    return tuple(DriveSpec(serial=f"REC{name.upper()}{i}", bay=f"Bay {i}")
                 for i in range(1, 5))


def stage_a_change(personality: str, server: Any) -> None:
    """Leave a pending change so that its bodies are in the walk."""
    state = server.state
    if personality == "idrac":
        sim = of(state)
        assert sim is not None
        drives3 = [d for d in state.visible_drives() if d.bay in ("Bay 3", "Bay 4")]
        sim.create({"RAIDType": "RAID1", "Links": {"Drives": [  # type: ignore[attr-defined]
            {"@odata.id": sim.drive_path(d)} for d in drives3]},  # type: ignore[attr-defined]
            "@Redfish.OperationApplyTime": "OnReset"})
    if personality == "ilo5":
        sim = of(state)
        assert sim is not None
        sim.write("PUT", f"{sim.config}settings/", {  # type: ignore[attr-defined]
            "DataGuard": "Permissive", "LogicalDrives": [
                {"Raid": "Raid1", "DataDrives": ["1I:1:3", "1I:1:4"], "CapacityGiB": -1}]},
            {"If-Match": sim.etag})  # type: ignore[attr-defined]


def regenerate(personality: str) -> pathlib.Path:
    source = SOURCES[personality]
    spec = ServerSpec(name="rec", personality=personality, power="On", post_time=0.0,
                      drives=drives(personality))
    with SimCluster([spec]) as cluster:
        server = cluster["rec"]
        stage_a_change(personality, server)
        written = record_walk(server.url, FIXTURES, source=f"hamnhw-sim personality "
                              f"{personality}", model=source["model"], **CREDENTIALS)
    meta_path = written / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.update(personality=personality, follows=source["follows"],
                unverified=source["unverified"])
    meta_path.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    return written


def main() -> None:
    for personality in SOURCES:
        print(regenerate(personality))


if __name__ == "__main__":
    main()
