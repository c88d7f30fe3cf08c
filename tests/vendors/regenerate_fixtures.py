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
        "manager.json, system.json",
        "libredfish tests/mockups/dell (a PowerEdge R750, iDRAC 9 6.00.30.00, captured 2024): "
        "the Manager's Model '15G Monolithic', firmware and OEM link paths (Oem/Dell/Jobs, "
        "Oem/Dell/DellLCService), the DellJob fields"],
        "unverified": [
            "ServiceRoot, System, Chassis and Manager documents: the simulator's generic "
            "shapes with iDRAC's ids, Vendor, Oem blocks and links (only the Manager's Model, "
            "firmware and OEM links follow the 15G capture)",
            "Storage, Drive and Volume documents: no public capture of a PERC's drives and "
            "volumes here; the drive Model ST1200MM0099 is a real 1.2 TB SAS model name, "
            "not read from a captured document",
            "DellJob and Task documents: the fields of the samples and the capture; the "
            "timing, the staged job's states and the Task Payload of a staged create are the "
            "simulator's",
            "DellRaidService and DellLCService documents: only the actions the simulator runs",
            "DellAttributes documents (the iDRAC's and System.Embedded.1): a few attribute "
            "names of a public iDRAC 9 capture (DNS, NTP, AD, syslog, SNMP alert and e-mail "
            "targets, owner, contacts, topology) with a made-up site's values, scrubbed; the "
            "iDRAC's own at the simulator's Managers/iDRAC.Embedded.1/Attributes"]},
    "ilo5": {"model": "ilo5", "follows": [
        "HPE iLO 5 Redfish API reference (SmartStorage, SmartStorageConfig, DataGuard rules)",
        "HPE Developer blog: Storage management with Redfish",
        "proliantutils 2.16.3 json_samples: smart_storage.json, array_controller.json, "
        "logical_drive.json, disk_drive.json, smart_storage_config.json, system.json",
        "libredfish tests/mockups/hpe (a ProLiant DL385 Gen10 Plus v2, iLO 5 2.72, captured "
        "2024): the ArrayController's fields"],
        "unverified": [
            "ServiceRoot, System, Chassis and Manager documents: the simulator's generic "
            "shapes with iLO's Oem blocks (Oem.Hpe.Links.SmartStorage, SmartStorageConfig)",
            "DiskDrive and LogicalDrive documents: the fields the proliantutils samples show, "
            "the simulator's values; the disk Model EG001200JWJNQ is a real HPE 1.2 TB SAS "
            "model name, not read from a captured document",
            "SmartStorageConfig and its settings object: the reference's fields; the "
            "pending settings kept until the reset and the ETags are the simulator's",
            "DiskDriveStatusReasons/LogicalDriveStatusReasons of a rebuild",
            "message ids of settings the controller refused"]},
    "xcc": {"model": "xcc", "follows": [
        "Lenovo XCC REST API (pubs.lenovo.com xcc-restapi, xcc2-restapi): POST - Create a "
        "Volume, GET - Drives managed by storage controller, GET - Storage controller "
        "properties",
        "libredfish tests/mockups/lenovo (a ThinkSystem SR670 V2, XCC TGBT42S 2.83, captured "
        "2024): the Manager's Model 'Lenovo XClarity Controller'"],
        "unverified": ["every storage document: written from the documentation, no public "
                       "capture of an XCC's RAID adapter here"]},
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
