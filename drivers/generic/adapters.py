"""Host NICs of one network adapter (a NetworkAdapter, or a NetworkInterface that links
its collections itself), read from every collection it links.

* ``NetworkDeviceFunctions``: ``Ethernet.MACAddress``/``PermanentMACAddress`` of each
  Ethernet function, ``InfiniBand.PortGUID`` of each InfiniBand one (``NetDevFuncType``;
  Fibre Channel, iSCSI-only and other functions are no host NIC), completed by its physical
  port (``Links.PhysicalPortAssignment``, ``Links.PhysicalNetworkPortAssignment``, or the
  one ``AssignablePhysicalPorts``);
* ``Ports`` (Port >= 1.4): ``Ethernet.AssociatedMACAddresses``, or for an InfiniBand port
  (``LinkNetworkTechnology``) ``InfiniBand.AssociatedPortGUIDs``;
* ``NetworkPorts`` (deprecated NetworkPort): ``AssociatedNetworkAddresses``.

A port with no MAC or GUID is a NIC of its own only on an adapter with no Ethernet or
InfiniBand function (an older service showing ports only); elsewhere it completes its
function.  Only the collections the adapter links are read; an adapter linking none shows
no NICs at all (None, unknown).  A function whose links name only another system is that
system's, never this one's; in a shared chassis a function must name this system, and ports
(which name none) are left out.  A member whose document is unusable is skipped with a
warning.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypedDict

from hamnhw_drivers.generic import mappings
from hamnhw_drivers.generic.chassis import Owner, ownership
from hamnhw_drivers.generic.macs import normalize_guid, normalize_mac
from hamnhw_drivers.generic.resource import Field, Resource, last_segment
from hamnhw_drivers.generic.walk import Walk

from hamnhw.errors import MalformedResponse
from hamnhw.log import get_logger
from hamnhw.models import LinkStatus, Nic, NicKind, NicSource

LOG = get_logger("hamnhw.drivers.generic.adapters")

DEVICE_FUNCTION_NAME = Field("Name", str, "Name of the network device function.")
PORT_SPEED = (
    Field("CurrentSpeedGbps", float, "Port (Port schema) speed in Gbit/s."),
    Field("CurrentLinkSpeedMbps", int, "NetworkPort (deprecated schema) speed in Mbit/s."),
)
PORT_LABEL = (
    Field("PortId", str, "Port: the port's label on its adapter."),
    Field("PhysicalPortNumber", str, "NetworkPort: the physical port number."),
)
SLOT_LABEL = Field("Location.PartLocation.ServiceLabel", str,
                   "Slot label: of the adapter (its own Location where the schema version has "
                   "one, else its first controller's), or of a port's connector.")
PORT_MACS = {
    NicSource.PORT: "Ethernet.AssociatedMACAddresses",
    NicSource.NETWORK_PORT: "AssociatedNetworkAddresses",
}
"""Where each kind of port lists its MACs."""
PORT_GUIDS = "InfiniBand.AssociatedPortGUIDs"
"""Where an InfiniBand Port (Port >= 1.4) lists its port GUIDs."""
PORT_TECHNOLOGY = {NicSource.PORT: "LinkNetworkTechnology",
                   NicSource.NETWORK_PORT: "ActiveLinkTechnology"}
"""Where each kind of port says its link technology."""
NIC_COLLECTIONS = ("NetworkDeviceFunctions", "Ports", "NetworkPorts")
"""The collections of an adapter that show host NICs."""
FUNCTION_SYSTEM_LINKS = ("Links.EthernetInterface", "Links.EthernetInterfaces",
                         "Links.OffloadSystem")
"""Links of a NetworkDeviceFunction that name the system it serves."""


@dataclasses.dataclass(frozen=True)
class Scope:
    """Whose NICs an adapter is read for."""

    system_uri: str
    """The system: a function naming only other systems is left out."""
    shared: bool = False
    """The adapter sits in a chassis shared with other systems: a function counts only
    when it names this system, and ports (which name none) are left out."""

    def keeps(self, function: Resource) -> bool:
        """Whether a device function is this system's."""
        owner = ownership(function, self.system_uri, FUNCTION_SYSTEM_LINKS)
        return owner is Owner.OURS or (owner is Owner.UNSAID and not self.shared)


def read_mac(resource: Resource, path: str, owner: str) -> str | None:
    """Normalised MAC at ``path``; an unusable one is skipped with a warning naming ``owner``."""
    if not resource.has(path):
        return None
    raw: object = resource.doc
    for step in path.split("."):
        raw = raw.get(step) if isinstance(raw, Mapping) else None
    mac = normalize_mac(raw)
    if mac is None:
        LOG.warning("%s: interface %s (%s): unusable %s %r skipped", resource.host or "BMC",
                    owner, resource.uri, path, raw)
    return mac


def port_speed_mbps(port: Resource) -> int | None:
    """Speed of a Port or NetworkPort in Mbit/s, or None."""
    gbps = port.field(PORT_SPEED[0])
    if gbps is not None:
        return int(gbps * 1000)
    return port.field(PORT_SPEED[1])


def port_label(port: Resource) -> str | None:
    """The port's number or label on its adapter: ``PortId``, ``PhysicalPortNumber``, else
    its location ordinal, else its Id."""
    for spec in PORT_LABEL:
        value = port.doc.get(str(spec.path))
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            return str(value)
    ordinal = port.get("Location.PartLocation.LocationOrdinalValue", int)
    return str(ordinal) if ordinal is not None else port.id


def adapter_location(adapter: Resource) -> str | None:
    """Slot label of an adapter: its ``Location``, else its first controller's."""
    label = adapter.field(SLOT_LABEL)
    if label:
        return str(label)
    controllers = adapter.get("Controllers", list) or []
    first = controllers[0] if controllers and isinstance(controllers[0], Mapping) else {}
    return Resource(adapter.uri, first, adapter.host).field(SLOT_LABEL) or None


def function_port_uri(function: Resource) -> str | None:
    """The physical port a device function is assigned to, by any schema version's name."""
    for path in ("Links.PhysicalPortAssignment", "Links.PhysicalNetworkPortAssignment"):
        uri = function.link(path)
        if uri:
            return uri
    for path in ("AssignablePhysicalPorts", "AssignablePhysicalNetworkPorts"):
        uris = function.links(path) or []
        if len(uris) == 1:
            return uris[0]
    return None


@dataclasses.dataclass(frozen=True)
class AdapterInfo:
    """What every NIC of one adapter shares."""

    id: str
    """The adapter's id (last segment of its URI, as in its members' URIs)."""
    location: str | None
    """Its slot label, where shown."""


class PortFields(TypedDict, total=False):
    """What a NIC learns from its physical port and adapter."""

    link: LinkStatus
    speed_mbps: int | None
    adapter: str | None
    location: str | None
    port: str | None


def _port_fields(port: Resource | None, info: AdapterInfo) -> PortFields:
    if port is None:
        return {"adapter": info.id, "location": info.location}
    return {"link": mappings.link_status(port.get("LinkStatus", str)),
            "speed_mbps": port_speed_mbps(port), "adapter": info.id,
            "location": info.location or port.field(SLOT_LABEL), "port": port_label(port)}


def function_kind(function: Resource) -> NicKind | None:
    """Ethernet or InfiniBand for a host NIC function (``NetDevFuncType``, else the object
    it carries); None for any other function (Fibre Channel, iSCSI offload...)."""
    declared = function.get("NetDevFuncType", str)
    if declared is not None and declared not in ("Ethernet", "InfiniBand"):
        return NicKind.ETHERNET if declared == "Disabled" and function.has("Ethernet") else None
    if declared == "InfiniBand" or (declared is None and function.has("InfiniBand")
                                    and not function.has("Ethernet")):
        return NicKind.INFINIBAND
    return NicKind.ETHERNET if function.has("Ethernet") else None


def read_guid(resource: Resource, path: str, owner: str) -> str | None:
    """Normalised port GUID at ``path``; an unusable one is skipped with a warning."""
    raw = resource.get(path, str) if resource.has(path) else None
    guid = normalize_guid(raw)
    if guid is None and raw is not None:
        LOG.warning("%s: interface %s (%s): unusable %s %r skipped", resource.host or "BMC",
                    owner, resource.uri, path, raw)
    return guid


def function_nic(info: AdapterInfo, function: Resource, port: Resource | None) -> Nic:
    """A NetworkDeviceFunction (with its physical port, if known) as a Nic."""
    nic_id = f"{info.id}/{function.id}"
    name = (port.get("Name", str) if port else None) or function.field(DEVICE_FUNCTION_NAME)
    if function_kind(function) is NicKind.INFINIBAND:
        return Nic(id=nic_id, name=name, mac=None, permanent_mac=None, uri=function.uri,
                   source=NicSource.NETWORK_DEVICE_FUNCTION, kind=NicKind.INFINIBAND,
                   port_guid=read_guid(function, "InfiniBand.PortGUID", nic_id),
                   **_port_fields(port, info))
    return Nic(id=nic_id, name=name, mac=read_mac(function, "Ethernet.MACAddress", nic_id),
               permanent_mac=read_mac(function, "Ethernet.PermanentMACAddress", nic_id),
               uri=function.uri, source=NicSource.NETWORK_DEVICE_FUNCTION,
               **_port_fields(port, info))


def port_kind(port: Resource, source: NicSource) -> NicKind:
    """The port's link technology: declared, else told by the addresses it lists."""
    declared = mappings.nic_kind(port.get(PORT_TECHNOLOGY[source], str))
    if declared is not None:
        return declared
    if source is NicSource.PORT and port.has("InfiniBand"):
        return NicKind.INFINIBAND
    if port.has(PORT_MACS[source]) or port.get("PortProtocol", str) == "Ethernet":
        return NicKind.ETHERNET
    return NicKind.UNKNOWN


def _addresses(port: Resource, path: str, normalize: Callable[[object], str | None],
               nic_id: str) -> list[str]:
    found: list[str] = []
    for raw in port.get(path, list) or []:
        value = normalize(raw)
        if value is None:
            LOG.warning("%s: port %s: unusable address %r skipped", port.host or "BMC",
                        nic_id, raw)
        elif value not in found:
            found.append(value)
    return found


def port_nics(info: AdapterInfo, port: Resource, source: NicSource,
              keep_without_mac: bool) -> list[Nic]:
    """A Port or NetworkPort as Nics, one per usable MAC (or InfiniBand port GUID) it lists.

    :param keep_without_mac: report a port listing no address as one Nic with ``mac`` None.
    """
    nic_id = f"{info.id}/{port.id}"
    kind = port_kind(port, source)
    infiniband = kind is NicKind.INFINIBAND and source is NicSource.PORT
    addresses = (_addresses(port, PORT_GUIDS, normalize_guid, nic_id) if infiniband
                 else [] if kind is NicKind.INFINIBAND
                 else _addresses(port, PORT_MACS[source], normalize_mac, nic_id))
    if not addresses and not keep_without_mac:
        return []
    fields = _port_fields(port, info)
    found: list[str | None] = list(addresses) or [None]
    return [Nic(id=nic_id if index == 0 else f"{nic_id}/{index}", name=port.get("Name", str),
                mac=None if infiniband else address, permanent_mac=None, uri=port.uri,
                source=source, kind=kind, port_guid=address if infiniband else None, **fields)
            for index, address in enumerate(found)]


def adapter_nics(walk: Walk, adapter: Resource, scope: Scope,
                 info: AdapterInfo | None = None) -> list[Nic] | None:
    """Every NIC one adapter shows (see the module docstring); None when it links none of
    :data:`NIC_COLLECTIONS`.

    :param scope: whose NICs (functions of other systems are left out).
    :param info: what the NICs share (default: read from ``adapter``).
    """
    if not any(adapter.link(name) for name in NIC_COLLECTIONS):
        return None
    info = info or AdapterInfo(last_segment(adapter.uri), adapter_location(adapter))
    functions = _linked(walk, adapter, "NetworkDeviceFunctions", "network device function")
    ports = {source: _linked(walk, adapter, source.value + "s", source.value.lower())
             for source in PORT_MACS}
    by_uri = {p.uri.rstrip("/"): p for group in ports.values() for p in group}
    host = [f for f in functions
            if walk.parse(f, "network device function", function_kind) is not None]
    ours = [f for f in host if scope.keeps(f)]
    nics = [nic for f in ours
            if (nic := walk.parse(f, "network device function",
                                  lambda r: function_nic(info, r, _port_of(walk, r, by_uri))))]
    if scope.shared:
        return nics
    theirs = {_address(f) for f in host if f not in ours} - {None}
    for source, group in ports.items():
        for port in group:
            found = walk.parse(port, source.value.lower(), lambda r, s=source: port_nics(
                info, r, s, keep_without_mac=not host)) or []
            nics += [nic for nic in found if (nic.mac or nic.port_guid) not in theirs]
    return nics


def _address(function: Resource) -> str | None:
    """The MAC or port GUID a device function shows (to leave out its port)."""
    try:
        if function_kind(function) is NicKind.INFINIBAND:
            return normalize_guid(function.get("InfiniBand.PortGUID", str))
        return normalize_mac(function.get("Ethernet.MACAddress", str))
    except MalformedResponse:
        return None


def _linked(walk: Walk, resource: Resource, name: str, what: str) -> list[Resource]:
    uri = resource.link(name)
    return (walk.collection(uri, what) or []) if uri else []


def _port_of(walk: Walk, function: Resource, by_uri: Mapping[str, Resource]) -> Resource | None:
    uri = function_port_uri(function)
    if uri is None:
        return None
    return by_uri.get(uri.rstrip("/")) or walk.try_read(uri, "network port")


def port_identity(nic: Nic) -> str | None:
    """What names the physical port: its InfiniBand GUID, else its permanent MAC, else its
    current MAC."""
    if nic.port_guid:
        return f"guid {nic.port_guid}"
    mac = nic.permanent_mac or nic.mac
    return f"mac {mac}" if mac else None


def _same_port(first: Nic, other: Nic, strong: bool) -> bool:
    if first.kind is not other.kind:
        return False
    if first.permanent_mac and other.permanent_mac:
        return first.permanent_mac == other.permanent_mac
    if strong:
        return port_identity(first) is not None and port_identity(first) == port_identity(other)
    return first.mac is not None and first.mac == other.mac


def merge(nics: Iterable[Nic]) -> tuple[Nic, ...]:
    """One Nic per physical port: the first seen, completed (link, speed, adapter,
    location, port, permanent MAC, GUID) by the later views of the same port.

    The same port is the same :func:`port_identity` (GUID, permanent MAC, else current
    MAC), else, where a view shows no permanent MAC, the same current MAC.  A port takes at
    most one view of each source: two EthernetInterfaces (two device functions...) are two
    ports even when they show one current MAC, as the members of a bond do.  NICs without
    any address are kept as they are.
    """
    merged: list[Nic] = []
    sources: list[set[NicSource | None]] = []
    for nic in nics:
        free = [i for i, m in enumerate(merged) if nic.source not in sources[i]]
        hit = None
        if port_identity(nic) is not None:
            hit = next((i for i in free if _same_port(merged[i], nic, strong=True)),
                       next((i for i in free if _same_port(merged[i], nic, strong=False)),
                            None))
        if hit is None:
            merged.append(nic)
            sources.append({nic.source})
        else:
            merged[hit] = _complete(merged[hit], nic)
            sources[hit].add(nic.source)
    return tuple(merged)


def _complete(first: Nic, other: Nic) -> Nic:
    updates: dict[str, Any] = {
        name: getattr(other, name)
        for name in ("name", "mac", "permanent_mac", "speed_mbps", "adapter", "location", "port",
                     "port_guid")
        if getattr(first, name) is None and getattr(other, name) is not None}
    if first.link is LinkStatus.UNKNOWN and other.link is not LinkStatus.UNKNOWN:
        updates["link"] = other.link
    return dataclasses.replace(first, **updates)
