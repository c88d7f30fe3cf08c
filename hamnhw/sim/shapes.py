"""Where a simulated server shows its drives, and what its service shows of systems.

Selected by :class:`~hamnhw.sim.spec.ServerSpec` options (documents only;
:mod:`hamnhw.sim.resources` routes to them):

* ``controllers``: Storage resources ``RAIDController1``...; the bays are split evenly, and
  with two or more the drive ids restart on each (``Disk.0``...): the same id on two
  controllers;
* ``storage_view``: drives under the Storage (``storage``), the chassis (``chassis_drives``),
  a backplane chassis the chassis contains (``backplane``: Dell's ``Enclosure.Internal``
  shape), or a chassis nothing links that claims the system (``enclosure``: HPE iLO's
  ``Chassis/DE040000``);
* ``empty_bays``: each bay without a drive shown as a Drive with ``Status.State`` ``Absent``;
* ``systems``: the Systems collection listed, empty, or not linked from the ServiceRoot.

Also the routes of :mod:`hamnhw.sim.cards` (add-in NIC, NetworkInterfaces) and
:mod:`hamnhw.sim.enclosure` (a shared blade enclosure with a second system).
"""

from __future__ import annotations

import math
import re
from typing import Any

from hamnhw.sim import cards, enclosure, raid_docs
from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.spec import DriveSpec
from hamnhw.sim.state import ServerState

STORAGE_PREFIX = "RAIDController"
BACKPLANE_ID = "Backplane1"
CLAIMING_ID = "DE040000"
"""Id of the ``enclosure`` view's chassis (HPE iLO names its storage enclosures so)."""
CHASSIS_HOMES = {"chassis_drives": None, "backplane": BACKPLANE_ID, "enclosure": CLAIMING_ID}
"""Views whose drives live under a chassis: the chassis id (None: the server's own)."""


def _system_path(state: ServerState) -> str:
    return f"{ROOT}/Systems/{state.spec.system_id}"


# -- drive placement -----------------------------------------------------------------------
def _bay_number(bay: str) -> int:
    match = re.search(r"(\d+)$", bay)
    return int(match.group(1)) if match else 1


def controller_of(state: ServerState, bay: str) -> int:
    """Index of the controller (Storage) a bay is cabled to."""
    spec = state.spec
    per = math.ceil(spec.bay_count / spec.controllers)
    return min((_bay_number(bay) - 1) // per, spec.controllers - 1)


def storage_path(state: ServerState, index: int = 0) -> str:
    """``.../Storage/RAIDController<index + 1>``."""
    return f"{_system_path(state)}/Storage/{STORAGE_PREFIX}{index + 1}"


def storage_paths(state: ServerState) -> list[str]:
    """Every Storage resource of the system."""
    return [storage_path(state, index) for index in range(state.spec.controllers)]


def chassis_home(state: ServerState) -> str | None:
    """The chassis the drives live under, or None when they live under their Storage."""
    if state.spec.storage_view not in CHASSIS_HOMES:
        return None
    return f"{ROOT}/Chassis/{CHASSIS_HOMES[state.spec.storage_view] or state.spec.chassis_id}"


def drive_id(state: ServerState, bay: str) -> str:
    """``Bay3`` for ``Bay 3``; ``Disk.<n>``, counted per controller, with several
    controllers (so that two controllers show the same ids)."""
    spec = state.spec
    if spec.controllers == 1 or chassis_home(state) is not None:
        return bay.replace(" ", "")
    per = math.ceil(spec.bay_count / spec.controllers)
    return f"Disk.{(_bay_number(bay) - 1) % per}"


def drives_home(state: ServerState, bay: str) -> str:
    """The collection path the drive in ``bay`` lives under."""
    home = chassis_home(state)
    if home is not None:
        return f"{home}/Drives"
    return f"{storage_path(state, controller_of(state, bay))}/Drives"


def drive_path(state: ServerState, drive: DriveSpec | str) -> str:
    """Path of a drive (or of the bay placeholder, given a bay name)."""
    bay = drive if isinstance(drive, str) else drive.bay
    return f"{drives_home(state, bay)}/{drive_id(state, bay)}"


def slots(state: ServerState) -> list[tuple[str, DriveSpec | None]]:
    """``(bay, drive)`` the BMC shows, in bay order: each visible drive, and each empty bay
    when the spec shows them (not while storage is hidden)."""
    by_bay = {drive.bay: drive for drive in state.visible_drives()}
    if not (state.spec.empty_bays and state.storage_visible()):
        return [(bay, by_bay[bay]) for bay in state.spec.bay_names if bay in by_bay]
    return [(bay, by_bay.get(bay)) for bay in state.spec.bay_names]


def storage_drive_links(state: ServerState, index: int) -> list[Json] | None:
    """The ``Drives`` links of Storage ``index``; None when drives live under a chassis."""
    if chassis_home(state) is not None:
        return None
    return [link(drive_path(state, bay)) for bay, _ in slots(state)
            if controller_of(state, bay) == index]


def drive_doc(state: ServerState, drive: DriveSpec) -> Json:
    """A present drive (with its RAID state: :func:`hamnhw.sim.raid_docs.drive_raid_properties`)."""
    serial = drive.serial if drive.reported_serial is None else drive.reported_serial
    doc = resource(
        drive_path(state, drive), "#Drive.v1_17_0.Drive", Name=f"Drive in {drive.bay}",
        SerialNumber=serial, Model=drive.model, CapacityBytes=drive.capacity_bytes,
        MediaType=drive.media, Protocol=drive.protocol,
        Status={"State": "Enabled", "Health": drive.health},
        PhysicalLocation={"PartLocation": {"ServiceLabel": drive.bay, "LocationType": "Bay"}})
    return {**doc, **raid_docs.drive_raid_properties(state, drive)}


def empty_bay_doc(state: ServerState, bay: str) -> Json:
    """The placeholder of a bay without a drive (``Status.State`` ``Absent``)."""
    return resource(drive_path(state, bay), "#Drive.v1_17_0.Drive", Name=f"Empty {bay}",
                    Status={"State": "Absent"},
                    PhysicalLocation={"PartLocation": {"ServiceLabel": bay,
                                                       "LocationType": "Bay"}})


def drive_docs(state: ServerState) -> dict[str, Json]:
    """Every drive and bay placeholder shown, by path (none under SimpleStorage)."""
    docs: dict[str, Json] = {}
    if state.spec.storage_view == "simple_storage":
        return docs
    for bay, drive in slots(state):
        doc = empty_bay_doc(state, bay) if drive is None else drive_doc(state, drive)
        docs[doc["@odata.id"]] = doc
    return docs


# -- chassis -------------------------------------------------------------------------------
def chassis_extra(state: ServerState) -> tuple[Json, Json]:
    """``(properties, links)`` the server's own chassis adds: its drive list (``Drives``
    collection, ``Links.Drives``) and the backplane it contains."""
    spec = state.spec
    own = f"{ROOT}/Chassis/{spec.chassis_id}"
    props: Json = {}
    links: Json = {}
    if spec.storage_view in ("storage", "chassis_drives"):
        links["Drives"] = [link(drive_path(state, bay)) for bay, _ in slots(state)]
    if chassis_home(state) == own:
        props["Drives"] = link(f"{own}/Drives")
    if spec.storage_view == "backplane":
        links["Contains"] = [link(f"{ROOT}/Chassis/{BACKPLANE_ID}")]
    if cards.shows_adapters(state):
        props["NetworkAdapters"] = link(cards.adapters_path(state))
    return props, links


def _drive_chassis(state: ServerState) -> Json | None:
    """The backplane (contained) or the claiming enclosure (linked from nothing)."""
    home = chassis_home(state)
    spec = state.spec
    if home is None or home == f"{ROOT}/Chassis/{spec.chassis_id}":
        return None
    links: Json = {"Drives": [link(drive_path(state, bay)) for bay, _ in slots(state)]}
    if spec.storage_view == "enclosure":
        links["ComputerSystems"] = [link(_system_path(state))]
    else:
        links["ContainedBy"] = link(f"{ROOT}/Chassis/{spec.chassis_id}")
    kind = "Enclosure" if spec.storage_view == "enclosure" else "StorageEnclosure"
    return resource(home, "#Chassis.v1_21_0.Chassis", Name=f"Drive {kind}", ChassisType=kind,
                    Drives=link(f"{home}/Drives"), Links=links)


def chassis_members(state: ServerState) -> list[str]:
    """The Chassis collection: the server's chassis and those these shapes add."""
    found = [f"{ROOT}/Chassis/{state.spec.chassis_id}"]
    extra = _drive_chassis(state)
    if extra is not None:
        found.append(extra["@odata.id"])
    return found + enclosure.chassis_members(state)


def drive_collection(state: ServerState) -> Json | None:
    """The ``Drives`` collection of the chassis the drives live under."""
    home = chassis_home(state)
    if home is None:
        return None
    return collection(f"{home}/Drives", "#DriveCollection.DriveCollection", "Drives",
                      [drive_path(state, bay) for bay, _ in slots(state)])


# -- systems -------------------------------------------------------------------------------
def root_systems(state: ServerState) -> Json:
    """The ServiceRoot's ``Systems`` link, unless the spec hides it."""
    return {} if state.spec.systems == "absent" else {"Systems": link(f"{ROOT}/Systems")}


def system_members(state: ServerState) -> list[str]:
    """Members of the Systems collection."""
    if state.spec.systems == "empty":
        return []
    return [_system_path(state), *enclosure.system_members(state)]


def system_extra(state: ServerState) -> Json:
    """What the ComputerSystem adds: its EthernetInterfaces and NetworkInterfaces links."""
    path = _system_path(state)
    extra: Json = {}
    if state.spec.nic_view != "none":
        extra["EthernetInterfaces"] = link(f"{path}/EthernetInterfaces")
    if state.spec.network_interfaces:
        extra["NetworkInterfaces"] = link(f"{path}/NetworkInterfaces")
    return extra


def system_chassis(state: ServerState) -> list[Json]:
    """The system's ``Links.Chassis``."""
    own = [link(f"{ROOT}/Chassis/{state.spec.chassis_id}")]
    return own + [link(uri) for uri in enclosure.linked_from_system(state)]


def routes(state: ServerState) -> list[tuple[str, Any]]:
    """(regex, renderer) pairs of these shapes, before the server's own routes."""
    found: list[tuple[str, Any]] = [
        (rf"({re.escape(ROOT)}/(?:Systems|Chassis)/.+/Drives/[^/]+)",
         lambda path: drive_docs(state).get(path) or enclosure.drive_docs(state).get(path)),
    ]
    home = chassis_home(state)
    if home is not None:
        found.append((f"{re.escape(home)}/Drives", lambda: drive_collection(state)))
    extra = _drive_chassis(state)
    if extra is not None:
        found.append((re.escape(extra["@odata.id"]), lambda: _drive_chassis(state)))
    return found + cards.routes(state) + enclosure.routes(state)
