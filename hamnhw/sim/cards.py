"""An add-in network card and the system's NetworkInterfaces, in the simulated server.

* ``card_nics``: a NetworkAdapter ``NIC.Slot.2`` under the chassis whose MACs the system's
  EthernetInterfaces never show (a tower server's add-in card, a SmartNIC), shown as
  ``card_style`` says: NetworkDeviceFunctions with Ports for link and speed
  (``functions``), Ports only with ``Ethernet.AssociatedMACAddresses`` (``ports``, Port
  >= 1.4), the deprecated NetworkPorts with ``AssociatedNetworkAddresses``
  (``network_ports``), or no collection at all (``bare``, an adapter showing no ports);
* ``hca_ports``: an InfiniBand HCA ``HCA.Slot.3`` under the chassis: NetworkDeviceFunctions
  (``NetDevFuncType`` ``InfiniBand``, ``InfiniBand.PortGUID``) assigned to Ports
  (``LinkNetworkTechnology`` ``InfiniBand``, ``InfiniBand.AssociatedPortGUIDs``), as
  Port >= 1.4 and NetworkDeviceFunction >= 1.5 show them;
* ``network_interfaces``: the system links ``NetworkInterfaces``, one per adapter (this card,
  the HCA, the ``nic_view`` adapter of :mod:`hamnhw.sim.legacy`, and the mezzanine of
  :mod:`hamnhw.sim.enclosure`), each ``Links.NetworkAdapter``.

Documents only; :mod:`hamnhw.sim.shapes` gathers the routes.
"""

from __future__ import annotations

import re
from typing import Any

from hamnhw.sim import enclosure, legacy
from hamnhw.sim.documents import ROOT, Json, collection, link, resource
from hamnhw.sim.spec import HcaPortSpec, NicSpec
from hamnhw.sim.state import ServerState

CARD_ID = "NIC.Slot.2"
CARD_SLOT = "Slot 2"
"""The card's slot label (``Controllers[0].Location.PartLocation.ServiceLabel``)."""
HCA_ID = "HCA.Slot.3"
HCA_SLOT = "Slot 3"
_MEMBERS = {"functions": ("NetworkDeviceFunctions", "Ports"), "ports": ("Ports",),
            "network_ports": ("NetworkPorts",), "bare": ()}


def adapters_path(state: ServerState) -> str:
    """``/redfish/v1/Chassis/<id>/NetworkAdapters``."""
    return legacy.adapters_path(state)


def card_path(state: ServerState) -> str:
    """The card's NetworkAdapter."""
    return f"{adapters_path(state)}/{CARD_ID}"


def adapter_paths(state: ServerState) -> list[str]:
    """Every adapter of the chassis: the ``nic_view`` one, then the card."""
    found = [f"{adapters_path(state)}/{legacy.ADAPTER_ID}"] if legacy.shows_adapters(state) else []
    found += [card_path(state)] if state.spec.card_nics else []
    return found + ([hca_path(state)] if state.spec.hca_ports else [])


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


# -- the InfiniBand HCA ------------------------------------------------------------------------
def hca_path(state: ServerState) -> str:
    """The HCA's NetworkAdapter."""
    return f"{adapters_path(state)}/{HCA_ID}"


def _hca_port(state: ServerState, port_id: str) -> HcaPortSpec | None:
    return next((port for port in state.spec.hca_ports if port.id == port_id), None)


def hca(state: ServerState) -> Json | None:
    """The HCA, linking its functions and ports."""
    if not state.spec.hca_ports:
        return None
    path = hca_path(state)
    return resource(path, "#NetworkAdapter.v1_9_0.NetworkAdapter", Name="Contoso HDR HCA",
                    Manufacturer=state.spec.manufacturer, Model="Contoso IB-200",
                    Location={"PartLocation": {"ServiceLabel": HCA_SLOT, "LocationType": "Slot"}},
                    NetworkDeviceFunctions=link(f"{path}/NetworkDeviceFunctions"),
                    Ports=link(f"{path}/Ports"), Status={"State": "Enabled", "Health": "OK"})


def hca_collection(state: ServerState, name: str) -> Json | None:
    """The HCA's NetworkDeviceFunctions or Ports."""
    if not state.spec.hca_ports:
        return None
    path = f"{hca_path(state)}/{name}"
    return collection(path, f"#{name[:-1]}Collection.{name[:-1]}Collection", name,
                      [f"{path}/{port.id}" for port in state.spec.hca_ports])


def hca_member(state: ServerState, name: str, port_id: str) -> Json | None:
    """An InfiniBand device function (its port GUID, assigned to its port) or port."""
    port = _hca_port(state, port_id)
    if port is None:
        return None
    base = hca_path(state)
    if name == "NetworkDeviceFunctions":
        return resource(f"{base}/{name}/{port.id}",
                        "#NetworkDeviceFunction.v1_9_0.NetworkDeviceFunction",
                        Name=f"IB function {port.id}", NetDevFuncType="InfiniBand",
                        InfiniBand={"PortGUID": port.guid, "NodeGUID": port.guid},
                        Links={"PhysicalPortAssignment": link(f"{base}/Ports/{port.id}")})
    return resource(f"{base}/{name}/{port.id}", "#Port.v1_7_0.Port", Name=f"ib{port.id}",
                    PortId=port.id, LinkNetworkTechnology="InfiniBand",
                    LinkStatus="LinkUp" if port.link_up else "LinkDown",
                    CurrentSpeedGbps=port.speed_mbps / 1000,
                    InfiniBand={"AssociatedPortGUIDs": [port.guid]})


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
                      [f"{path}/{uri.rsplit('/', 1)[-1]}" for uri in adapter_paths(state)]
                      + [f"{path}/{i}" for i in enclosure.interface_ids(state)])


def interface(state: ServerState, adapter_id: str) -> Json | None:
    """A NetworkInterface: the system's view of one adapter."""
    adapter = next((uri for uri in adapter_paths(state) if uri.endswith(f"/{adapter_id}")), None)
    if not state.spec.network_interfaces:
        return None
    if adapter is None:
        return enclosure.interface(state, interfaces_path(state), adapter_id)
    return resource(f"{interfaces_path(state)}/{adapter_id}",
                    "#NetworkInterface.v1_2_0.NetworkInterface", Name=f"Interface {adapter_id}",
                    Links={"NetworkAdapter": link(adapter)})


def routes(state: ServerState) -> list[tuple[str, Any]]:
    """(regex, renderer) pairs; the adapter collection route comes before
    :mod:`hamnhw.sim.legacy`'s."""
    card_base = re.escape(card_path(state))
    hca_base = re.escape(hca_path(state))
    ifaces = re.escape(interfaces_path(state))
    kinds = "(NetworkDeviceFunctions|Ports|NetworkPorts)"
    return [
        (re.escape(adapters_path(state)), lambda: adapter_collection(state)),
        (card_base, lambda: card(state) if state.spec.card_nics else None),
        (f"{card_base}/{kinds}", lambda name: card_collection(state, name)
         if state.spec.card_nics else None),
        (f"{card_base}/NetworkDeviceFunctions/([^/]+)", lambda i: card_function(state, i)),
        (f"{card_base}/(Ports|NetworkPorts)/([^/]+)", lambda n, i: card_port(state, n, i)),
        (hca_base, lambda: hca(state)),
        (f"{hca_base}/(NetworkDeviceFunctions|Ports)", lambda n: hca_collection(state, n)),
        (f"{hca_base}/(NetworkDeviceFunctions|Ports)/([^/]+)",
         lambda n, i: hca_member(state, n, i)),
        (ifaces, lambda: interfaces(state)),
        (f"{ifaces}/([^/]+)", lambda i: interface(state, i)),
    ]
