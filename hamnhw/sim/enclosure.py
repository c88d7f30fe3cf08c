"""A shared blade enclosure in the simulated service (``ServerSpec(shared_enclosure=True)``).

The service also manages a second blade system, ``Blade2``, with its own chassis.  Both
systems sit in the chassis ``Enclosure``, whose ``Links.ComputerSystems`` names both and
which the server's system links from its ``Links.Chassis``, as blade services do.  The
enclosure holds one drive and one mezzanine NIC port for each blade; each drive's
``Links.Storage`` and each device function's ``Links.EthernetInterfaces`` name the blade it
belongs to, while the mezzanine Ports list both MACs and name no system.  ``Blade2``'s chassis
holds one more drive of its own.  Everything here is static: only the server's own drives
move between bays.

With ``enclosure_names_systems=False`` the enclosure omits its (optional)
``Links.ComputerSystems``: only the blades' ``Links.Chassis`` tell it is shared.  With
``network_interfaces`` the system also has a NetworkInterface ``Mezz1`` linking the mezzanine
adapter (``Links.NetworkAdapter``), and with ``mezz_interface_collections`` its own
``NetworkDeviceFunctions`` collection listing this blade's function only.

A client must report this server's enclosure drive and NIC, and never ``Blade2``'s.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.spec import ServerSpec, fake_serial, local_mac
from hamnhw.sim.state import ServerState

SHARED_ID = "Enclosure"
SIBLING_ID = "Blade2"
MEZZ_ID = "Mezz1"
SHARED = f"{ROOT}/Chassis/{SHARED_ID}"
SIBLING = f"{ROOT}/Systems/{SIBLING_ID}"
SIBLING_CHASSIS = f"{ROOT}/Chassis/{SIBLING_ID}"


@dataclasses.dataclass(frozen=True)
class EnclosureParts:
    """The serials and MACs the enclosure shows for each blade."""

    own_serial: str
    """The enclosure drive of this server's system."""
    other_serials: tuple[str, ...]
    """``Blade2``'s drives (one in the enclosure, one in its own chassis)."""
    own_mac: str
    """This system's mezzanine port."""
    other_mac: str
    """``Blade2``'s mezzanine port."""


def parts(spec: ServerSpec) -> EnclosureParts:
    """What the enclosure of ``spec``'s service holds, derived from its name."""
    return EnclosureParts(fake_serial(spec.name, 90), (fake_serial(spec.name, 91),
                                                       fake_serial(spec.name, 92)),
                          local_mac(spec.name, 0xE0), local_mac(spec.name, 0xE1))


def _system(state: ServerState) -> str:
    return f"{ROOT}/Systems/{state.spec.system_id}"


def system_members(state: ServerState) -> list[str]:
    """The other system the service lists."""
    return [SIBLING] if state.spec.shared_enclosure else []


def chassis_members(state: ServerState) -> list[str]:
    """Chassis the enclosure adds to the Chassis collection."""
    return [SHARED, SIBLING_CHASSIS] if state.spec.shared_enclosure else []


def linked_from_system(state: ServerState) -> list[str]:
    """What the server's system adds to its ``Links.Chassis``."""
    return [SHARED] if state.spec.shared_enclosure else []


def _drive(path: str, serial: str, storage: str) -> Json:
    return resource(path, "#Drive.v1_17_0.Drive", Name=f"Drive {serial}", SerialNumber=serial,
                    Model="Contoso SAS SSD 960GB", CapacityBytes=960_000_000_000,
                    MediaType="SSD", Protocol="SAS", Status={"State": "Enabled", "Health": "OK"},
                    Links={"Storage": link(storage)})


def drive_docs(state: ServerState) -> dict[str, Json]:
    """The enclosure's drives (``Shared.0`` this system's, ``Shared.1`` Blade2's) and
    Blade2's own, by path."""
    if not state.spec.shared_enclosure:
        return {}
    found = parts(state.spec)
    own_storage = f"{_system(state)}/Storage/RAIDController1"
    other_storage = f"{SIBLING}/Storage/1"
    docs = [_drive(f"{SHARED}/Drives/Shared.0", found.own_serial, own_storage),
            _drive(f"{SHARED}/Drives/Shared.1", found.other_serials[0], other_storage),
            _drive(f"{SIBLING_CHASSIS}/Drives/0", found.other_serials[1], other_storage)]
    return {doc["@odata.id"]: doc for doc in docs}


def _drives_of(state: ServerState, chassis: str) -> Json:
    return collection(f"{chassis}/Drives", "#DriveCollection.DriveCollection", "Drives",
                      [uri for uri in drive_docs(state) if uri.startswith(f"{chassis}/")])


def shared(state: ServerState) -> Json:
    """The enclosure: both systems (unless the spec omits them), both blades' chassis,
    drives and a mezzanine adapter."""
    links: Json = {"Contains": [link(f"{ROOT}/Chassis/{state.spec.chassis_id}"),
                                link(SIBLING_CHASSIS)]}
    if state.spec.enclosure_names_systems:
        links["ComputerSystems"] = [link(_system(state)), link(SIBLING)]
    return resource(SHARED, "#Chassis.v1_21_0.Chassis", Name="Blade Enclosure",
                    ChassisType="Enclosure", Drives=link(f"{SHARED}/Drives"),
                    NetworkAdapters=link(f"{SHARED}/NetworkAdapters"), Links=links)


def sibling_chassis(state: ServerState) -> Json:
    """Blade2's own chassis (another system's: a client must not read its drives)."""
    return resource(SIBLING_CHASSIS, "#Chassis.v1_21_0.Chassis", Name="Blade 2",
                    ChassisType="Blade", Drives=link(f"{SIBLING_CHASSIS}/Drives"),
                    Links={"ComputerSystems": [link(SIBLING)], "ContainedBy": link(SHARED)})


def sibling(state: ServerState) -> Json:
    """The second blade system."""
    return resource(SIBLING, "#ComputerSystem.v1_20_0.ComputerSystem", Name=SIBLING_ID,
                    SystemType="Physical", PowerState="On",
                    SerialNumber=fake_serial(state.spec.name, 93),
                    Status={"State": "Enabled", "Health": "OK"},
                    Links={"Chassis": [link(SIBLING_CHASSIS), link(SHARED)]})


def _mezz(state: ServerState, kind: str, index: str) -> Json | None:
    """Function or port ``index`` (0: this system's, 1: Blade2's) of the mezzanine."""
    found = parts(state.spec)
    if index not in ("0", "1"):
        return None
    mac, owner = (found.own_mac, _system(state)) if index == "0" else (found.other_mac, SIBLING)
    path = f"{SHARED}/NetworkAdapters/{MEZZ_ID}/{kind}/{index}"
    if kind == "Ports":
        return resource(path, "#Port.v1_7_0.Port", PortId=index, LinkStatus="LinkUp",
                        Ethernet={"AssociatedMACAddresses": [mac]})
    return resource(path, "#NetworkDeviceFunction.v1_9_0.NetworkDeviceFunction",
                    NetDevFuncType="Ethernet", Ethernet={"MACAddress": mac},
                    Links={"EthernetInterfaces": [link(f"{owner}/EthernetInterfaces/Mezz")]})


def interface_ids(state: ServerState) -> list[str]:
    """The system's NetworkInterfaces the enclosure adds (``Mezz1``)."""
    return [MEZZ_ID] if state.spec.shared_enclosure and state.spec.network_interfaces else []


def interface(state: ServerState, base: str, interface_id: str) -> Json | None:
    """The system's NetworkInterface of the mezzanine adapter: the adapter, and with
    ``mezz_interface_collections`` its own collection of this blade's function."""
    if interface_id not in interface_ids(state):
        return None
    path = f"{base}/{interface_id}"
    extra: Json = {}
    if state.spec.mezz_interface_collections:
        extra["NetworkDeviceFunctions"] = link(f"{path}/NetworkDeviceFunctions")
    return resource(path, "#NetworkInterface.v1_2_0.NetworkInterface", Name="Mezzanine",
                    Links={"NetworkAdapter": link(f"{SHARED}/NetworkAdapters/{MEZZ_ID}")},
                    **extra)


def _interface_functions(state: ServerState) -> Json | None:
    """The mezzanine interface's own collection: this blade's function only."""
    if not (interface_ids(state) and state.spec.mezz_interface_collections):
        return None
    path = f"{_system(state)}/NetworkInterfaces/{MEZZ_ID}/NetworkDeviceFunctions"
    return collection(path, "#NetworkDeviceFunctionCollection", "Functions",
                      [f"{SHARED}/NetworkAdapters/{MEZZ_ID}/NetworkDeviceFunctions/0"])


def routes(state: ServerState) -> list[tuple[str, Any]]:
    """(regex, renderer) pairs of the enclosure (none without ``shared_enclosure``)."""
    if not state.spec.shared_enclosure:
        return []
    adapters = f"{SHARED}/NetworkAdapters"
    mezz = f"{adapters}/{MEZZ_ID}"
    kinds = "(NetworkDeviceFunctions|Ports)"
    return [
        (re.escape(SIBLING), lambda: sibling(state)),
        (re.escape(SHARED), lambda: shared(state)),
        (re.escape(SIBLING_CHASSIS), lambda: sibling_chassis(state)),
        (f"{re.escape(SHARED)}/Drives", lambda: _drives_of(state, SHARED)),
        (f"{re.escape(SIBLING_CHASSIS)}/Drives", lambda: _drives_of(state, SIBLING_CHASSIS)),
        (re.escape(adapters), lambda: collection(
            adapters, "#NetworkAdapterCollection.NetworkAdapterCollection", "Adapters", [mezz])),
        (re.escape(mezz), lambda: resource(
            mezz, "#NetworkAdapter.v1_9_0.NetworkAdapter", Name="Mezzanine",
            NetworkDeviceFunctions=link(f"{mezz}/NetworkDeviceFunctions"),
            Ports=link(f"{mezz}/Ports"))),
        (f"{re.escape(mezz)}/{kinds}", lambda kind: collection(
            f"{mezz}/{kind}", f"#{kind}Collection", kind, [f"{mezz}/{kind}/0",
                                                           f"{mezz}/{kind}/1"])),
        (f"{re.escape(mezz)}/{kinds}/([^/]+)", lambda kind, i: _mezz(state, kind, i)),
        (re.escape(f"{_system(state)}/NetworkInterfaces/{MEZZ_ID}/NetworkDeviceFunctions"),
         lambda: _interface_functions(state)),
    ]
