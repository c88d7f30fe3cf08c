"""An add-in network card and the system's NetworkInterfaces, in the simulated server.

* ``card_nics``: a NetworkAdapter ``NIC.Slot.2`` under the chassis whose MACs the system's
  EthernetInterfaces never show (a tower server's add-in card, a SmartNIC), shown as
  ``card_style`` says: NetworkDeviceFunctions with Ports for link and speed
  (``functions``), Ports only with ``Ethernet.AssociatedMACAddresses`` (``ports``, Port
  >= 1.4), or the deprecated NetworkPorts with ``AssociatedNetworkAddresses``
  (``network_ports``);
* ``network_interfaces``: the system links ``NetworkInterfaces``, one per adapter (this card
  and the ``nic_view`` adapter of :mod:`hamnhw.sim.legacy`), each ``Links.NetworkAdapter``.

Documents only; :mod:`hamnhw.sim.shapes` gathers the routes.
"""

from __future__ import annotations

import re
from typing import Any

from hamnhw.sim import legacy
from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.spec import NicSpec
from hamnhw.sim.state import ServerState

CARD_ID = "NIC.Slot.2"
CARD_SLOT = "Slot 2"
"""The card's slot label (``Controllers[0].Location.PartLocation.ServiceLabel``)."""
_MEMBERS = {"functions": ("NetworkDeviceFunctions", "Ports"), "ports": ("Ports",),
            "network_ports": ("NetworkPorts",)}


def adapters_path(state: ServerState) -> str:
    """``/redfish/v1/Chassis/<id>/NetworkAdapters``."""
    return legacy.adapters_path(state)


def card_path(state: ServerState) -> str:
    """The card's NetworkAdapter."""
    return f"{adapters_path(state)}/{CARD_ID}"


def adapter_paths(state: ServerState) -> list[str]:
    """Every adapter of the chassis: the ``nic_view`` one, then the card."""
    found = [f"{adapters_path(state)}/{legacy.ADAPTER_ID}"] if legacy.shows_adapters(state) else []
    return found + ([card_path(state)] if state.spec.card_nics else [])


def shows_adapters(state: ServerState) -> bool:
    """Whether the chassis links NetworkAdapters."""
    return bool(adapter_paths(state))


def _nic(state: ServerState, nic_id: str) -> NicSpec | None:
    return next((nic for nic in state.spec.card_nics if nic.id == nic_id), None)


def card(state: ServerState) -> Json:
    """The card, linking the collections its style has."""
    path = card_path(state)
    members = {name: link(f"{path}/{name}") for name in _MEMBERS[state.spec.card_style]}
    return resource(path, "#NetworkAdapter.v1_9_0.NetworkAdapter", Name="Contoso 100GbE Card",
                    Manufacturer=state.spec.manufacturer, Model="Contoso CX-100",
                    Controllers=[{"Location": {"PartLocation": {
                        "ServiceLabel": CARD_SLOT, "LocationType": "Slot"}}}],
                    Status={"State": "Enabled", "Health": "OK"}, **members)


def card_collection(state: ServerState, name: str) -> Json | None:
    """One of the card's collections (None when its style has no such collection)."""
    if name not in _MEMBERS[state.spec.card_style]:
        return None
    path = f"{card_path(state)}/{name}"
    return collection(path, f"#{name[:-1]}Collection.{name[:-1]}Collection", name,
                      [f"{path}/{nic.id}" for nic in state.spec.card_nics])


def card_function(state: ServerState, nic_id: str) -> Json | None:
    """A NetworkDeviceFunction of the card: the MACs, assigned to its port."""
    nic = _nic(state, nic_id)
    if nic is None or state.spec.card_style != "functions":
        return None
    base = card_path(state)
    return resource(f"{base}/NetworkDeviceFunctions/{nic.id}",
                    "#NetworkDeviceFunction.v1_9_0.NetworkDeviceFunction",
                    Name=f"Function {nic.id}", NetDevFuncType="Ethernet",
                    Ethernet={"MACAddress": nic.mac, "PermanentMACAddress": nic.mac},
                    Links={"PhysicalPortAssignment": link(f"{base}/Ports/{nic.id}")})


def card_port(state: ServerState, name: str, nic_id: str) -> Json | None:
    """A Port (with its MAC in the ``ports`` style) or a deprecated NetworkPort."""
    nic = _nic(state, nic_id)
    if nic is None or name not in _MEMBERS[state.spec.card_style]:
        return None
    path = f"{card_path(state)}/{name}/{nic.id}"
    if name == "NetworkPorts":
        return resource(path, "#NetworkPort.v1_2_0.NetworkPort", Name=nic.id,
                        PhysicalPortNumber=nic.id, LinkStatus="Up" if nic.link_up else "Down",
                        CurrentLinkSpeedMbps=nic.speed_mbps,
                        AssociatedNetworkAddresses=[nic.mac])
    port: Json = {"Name": nic.id, "PortId": nic.id, "PortProtocol": "Ethernet",
                  "LinkStatus": "LinkUp" if nic.link_up else "LinkDown",
                  "CurrentSpeedGbps": nic.speed_mbps / 1000}
    if state.spec.card_style == "ports":
        port["Ethernet"] = {"AssociatedMACAddresses": [nic.mac]}
    return resource(path, "#Port.v1_7_0.Port", **port)


def adapter_collection(state: ServerState) -> Json | None:
    """The chassis NetworkAdapters collection, when it has any adapter."""
    members = adapter_paths(state)
    if not members:
        return None
    return collection(adapters_path(state), "#NetworkAdapterCollection.NetworkAdapterCollection",
                      "Network Adapters", members)


# -- the system's NetworkInterfaces ---------------------------------------------------------
def interfaces_path(state: ServerState) -> str:
    """``/redfish/v1/Systems/<id>/NetworkInterfaces``."""
    return f"{ROOT}/Systems/{state.spec.system_id}/NetworkInterfaces"


def interfaces(state: ServerState) -> Json | None:
    """One NetworkInterface per adapter."""
    if not state.spec.network_interfaces:
        return None
    path = interfaces_path(state)
    return collection(path, "#NetworkInterfaceCollection.NetworkInterfaceCollection",
                      "Network Interfaces",
                      [f"{path}/{uri.rsplit('/', 1)[-1]}" for uri in adapter_paths(state)])


def interface(state: ServerState, adapter_id: str) -> Json | None:
    """A NetworkInterface: the system's view of one adapter."""
    adapter = next((uri for uri in adapter_paths(state) if uri.endswith(f"/{adapter_id}")), None)
    if not state.spec.network_interfaces or adapter is None:
        return None
    return resource(f"{interfaces_path(state)}/{adapter_id}",
                    "#NetworkInterface.v1_2_0.NetworkInterface", Name=f"Interface {adapter_id}",
                    Links={"NetworkAdapter": link(adapter)})


def routes(state: ServerState) -> list[tuple[str, Any]]:
    """(regex, renderer) pairs; the adapter collection route comes before
    :mod:`hamnhw.sim.legacy`'s."""
    card_base = re.escape(card_path(state))
    ifaces = re.escape(interfaces_path(state))
    kinds = "(NetworkDeviceFunctions|Ports|NetworkPorts)"
    return [
        (re.escape(adapters_path(state)), lambda: adapter_collection(state)),
        (card_base, lambda: card(state) if state.spec.card_nics else None),
        (f"{card_base}/{kinds}", lambda name: card_collection(state, name)
         if state.spec.card_nics else None),
        (f"{card_base}/NetworkDeviceFunctions/([^/]+)", lambda i: card_function(state, i)),
        (f"{card_base}/(Ports|NetworkPorts)/([^/]+)", lambda n, i: card_port(state, n, i)),
        (ifaces, lambda: interfaces(state)),
        (f"{ifaces}/([^/]+)", lambda i: interface(state, i)),
    ]
