"""Older and alternative BMC shapes of the simulated server (DMTF schemas all the same).

Selected by :class:`~hamnhw.sim.spec.ServerSpec` options:

* ``nic_view="network_adapters"``/``"both"``: host ports under
  ``Chassis/<id>/NetworkAdapters/<a>`` with ``NetworkDeviceFunctions`` (MACs) and ``Ports``
  (link and speed);
* ``storage_view="simple_storage"``: ``SimpleStorage/<id>`` with a ``Devices`` array (no
  serials, no volumes);
* ``identify_style="indicator_led"``: ``IndicatorLED`` instead of ``LocationIndicatorActive``.

This module renders documents only; :mod:`hamnhw.sim.resources` routes to them.
"""

from __future__ import annotations

import re
from typing import Any

from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.spec import NicSpec
from hamnhw.sim.state import ServerState

ADAPTER_ID = "NIC.Slot.1"
SIMPLE_STORAGE_ID = "SATA.Embedded.1"
INDICATOR_LED_VALUES = ("Lit", "Blinking", "Off")


def adapters_path(state: ServerState) -> str:
    """``/redfish/v1/Chassis/<id>/NetworkAdapters``."""
    return f"{ROOT}/Chassis/{state.spec.chassis_id}/NetworkAdapters"


def shows_adapters(state: ServerState) -> bool:
    """Whether the chassis lists NetworkAdapters."""
    return state.spec.nic_view in ("network_adapters", "both")


def shows_system_nics(state: ServerState) -> bool:
    """Whether the system's EthernetInterfaces collection lists the host NICs."""
    return state.spec.nic_view in ("ethernet_interfaces", "both")


def _adapter_path(state: ServerState) -> str:
    return f"{adapters_path(state)}/{ADAPTER_ID}"


def _nic(state: ServerState, nic_id: str) -> NicSpec | None:
    return next((nic for nic in state.spec.nics or () if nic.id == nic_id), None)


def adapter_collection(state: ServerState) -> Json | None:
    """The NetworkAdapters collection (one adapter carrying every host NIC)."""
    if not shows_adapters(state):
        return None
    return collection(adapters_path(state), "#NetworkAdapterCollection.NetworkAdapterCollection",
                      "Network Adapters", [_adapter_path(state)])


def adapter(state: ServerState) -> Json | None:
    """The one NetworkAdapter."""
    if not shows_adapters(state):
        return None
    path = _adapter_path(state)
    slot = state.spec.adapter_slot
    location = ({"Location": {"PartLocation": {"ServiceLabel": slot, "LocationType": "Slot"}}}
                if slot is not None else {})
    return resource(path, "#NetworkAdapter.v1_9_0.NetworkAdapter", Name="Contoso 25GbE Adapter",
                    **location, Manufacturer=state.spec.manufacturer, Model="Contoso NX-25",
                    NetworkDeviceFunctions=link(f"{path}/NetworkDeviceFunctions"),
                    Ports=link(f"{path}/Ports"), Status={"State": "Enabled", "Health": "OK"})


def functions_collection(state: ServerState) -> Json | None:
    """NetworkDeviceFunctions of the adapter, one per host NIC."""
    if not shows_adapters(state):
        return None
    path = f"{_adapter_path(state)}/NetworkDeviceFunctions"
    return collection(path, "#NetworkDeviceFunctionCollection.NetworkDeviceFunctionCollection",
                      "Network Device Functions", [f"{path}/{n.id}" for n in state.spec.nics or ()])


def ports_collection(state: ServerState) -> Json | None:
    """Ports of the adapter, one per host NIC."""
    if not shows_adapters(state):
        return None
    path = f"{_adapter_path(state)}/Ports"
    return collection(path, "#PortCollection.PortCollection", "Ports",
                      [f"{path}/{n.id}" for n in state.spec.nics or ()])


def device_function(state: ServerState, nic_id: str) -> Json | None:
    """A NetworkDeviceFunction: the NIC's MACs, assigned to its physical port."""
    nic = _nic(state, nic_id)
    if nic is None or not shows_adapters(state):
        return None
    base = _adapter_path(state)
    port = link(f"{base}/Ports/{nic.id}")
    return resource(f"{base}/NetworkDeviceFunctions/{nic.id}",
                    "#NetworkDeviceFunction.v1_9_0.NetworkDeviceFunction",
                    Name=f"Function {nic.id}", NetDevFuncType="Ethernet",
                    Ethernet={"MACAddress": nic.mac, "PermanentMACAddress": nic.mac,
                              "MTUSize": 1500},
                    Links={"PhysicalPortAssignment": port}, AssignablePhysicalPorts=[port],
                    Status={"State": "Enabled", "Health": "OK"})


def port(state: ServerState, nic_id: str) -> Json | None:
    """A Port: link status and current speed (Gbit/s) of the NIC."""
    nic = _nic(state, nic_id)
    if nic is None or not shows_adapters(state):
        return None
    return resource(f"{_adapter_path(state)}/Ports/{nic.id}", "#Port.v1_7_0.Port", Name=nic.id,
                    PortId=nic.id, PortProtocol="Ethernet", PortType="BidirectionalPort",
                    LinkStatus="LinkUp" if nic.link_up else "LinkDown",
                    CurrentSpeedGbps=nic.speed_mbps / 1000,
                    Status={"State": "Enabled", "Health": "OK"})


# -- SimpleStorage -------------------------------------------------------------------------
def simple_storage_path(state: ServerState) -> str:
    """``/redfish/v1/Systems/<id>/SimpleStorage``."""
    return f"{ROOT}/Systems/{state.spec.system_id}/SimpleStorage"


def simple_storage_collection(state: ServerState) -> Json:
    """The SimpleStorage collection: one controller while storage is visible."""
    path = simple_storage_path(state)
    members = [f"{path}/{SIMPLE_STORAGE_ID}"] if state.storage_visible() else []
    return collection(path, "#SimpleStorageCollection.SimpleStorageCollection",
                      "Simple Storage", members)


def simple_storage(state: ServerState) -> Json | None:
    """A SimpleStorage controller whose ``Devices`` are the visible drives."""
    if not state.storage_visible():
        return None
    devices: list[dict[str, Any]] = [
        {"Name": drive.bay, "Model": drive.model, "CapacityBytes": drive.capacity_bytes,
         "Status": {"State": "Enabled", "Health": drive.health}}
        for drive in state.visible_drives()]
    return resource(f"{simple_storage_path(state)}/{SIMPLE_STORAGE_ID}",
                    "#SimpleStorage.v1_3_1.SimpleStorage", Name="Embedded SATA Controller",
                    UefiDevicePath="PciRoot(0x0)/Pci(0x17,0x0)", Devices=devices,
                    Status={"State": "Enabled", "Health": "OK"})


# -- identify LED --------------------------------------------------------------------------
def identify_properties(state: ServerState) -> Json:
    """The ComputerSystem's identify LED property, in the spec's schema generation."""
    if state.spec.identify_style == "indicator_led":
        return {"IndicatorLED": "Lit" if state.led else "Off"}
    return {"LocationIndicatorActive": state.led}


def routes(state: ServerState) -> list[tuple[str, Any]]:
    """(regex, renderer) pairs for the shapes above."""
    adapter_base = re.escape(_adapter_path(state))
    simple = re.escape(simple_storage_path(state))
    found: list[tuple[str, Any]] = [
        (re.escape(adapters_path(state)), lambda: adapter_collection(state)),
        (adapter_base, lambda: adapter(state)),
        (f"{adapter_base}/NetworkDeviceFunctions", lambda: functions_collection(state)),
        (f"{adapter_base}/NetworkDeviceFunctions/([^/]+)", lambda i: device_function(state, i)),
        (f"{adapter_base}/Ports", lambda: ports_collection(state)),
        (f"{adapter_base}/Ports/([^/]+)", lambda i: port(state, i)),
    ]
    if state.spec.storage_view == "simple_storage":
        found += [(simple, lambda: simple_storage_collection(state)),
                  (f"{simple}/{re.escape(SIMPLE_STORAGE_ID)}",
                   lambda: simple_storage(state))]
    return found
