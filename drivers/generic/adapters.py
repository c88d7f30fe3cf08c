"""Host NICs of one network adapter (a NetworkAdapter, or a NetworkInterface that links
its collections itself), read from every collection it links.

* ``NetworkDeviceFunctions``: ``Ethernet.MACAddress``/``PermanentMACAddress`` of each
  Ethernet function, completed by its physical port (``Links.PhysicalPortAssignment``,
  ``Links.PhysicalNetworkPortAssignment``, or the one ``AssignablePhysicalPorts``);
* ``Ports`` (Port >= 1.4): ``Ethernet.AssociatedMACAddresses``;
* ``NetworkPorts`` (deprecated NetworkPort): ``AssociatedNetworkAddresses``.

A port with no MAC is a NIC of its own only on an adapter with no Ethernet function (an
older service showing ports only); elsewhere it completes its function.  Only the collections
the adapter links are read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypedDict

from hamnhw_drivers.generic import mappings
from hamnhw_drivers.generic.macs import normalize_mac
from hamnhw_drivers.generic.resource import Field, Resource, last_segment
from hamnhw_drivers.generic.walk import Walk

from hamnhw.log import get_logger
from hamnhw.models import LinkStatus, Nic, NicSource

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
BelongsTo = Callable[[Resource], bool]


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


def function_nic(info: AdapterInfo, function: Resource, port: Resource | None) -> Nic:
    """A NetworkDeviceFunction (with its physical port, if known) as a Nic."""
    nic_id = f"{info.id}/{function.id}"
    name = (port.get("Name", str) if port else None) or function.field(DEVICE_FUNCTION_NAME)
    return Nic(id=nic_id, name=name, mac=read_mac(function, "Ethernet.MACAddress", nic_id),
               permanent_mac=read_mac(function, "Ethernet.PermanentMACAddress", nic_id),
               uri=function.uri, source=NicSource.NETWORK_DEVICE_FUNCTION,
               **_port_fields(port, info))


def port_nics(info: AdapterInfo, port: Resource, source: NicSource,
              keep_without_mac: bool) -> list[Nic]:
    """A Port or NetworkPort as Nics, one per usable MAC it lists.

    :param keep_without_mac: report a port listing no MAC as one Nic with ``mac`` None.
    """
    nic_id = f"{info.id}/{port.id}"
    addresses = port.get(PORT_MACS[source], list) or []
    macs = []
    for raw in addresses:
        mac = normalize_mac(raw)
        if mac is None:
            LOG.warning("%s: port %s: unusable MAC %r skipped", port.host or "BMC", nic_id, raw)
        elif mac not in macs:
            macs.append(mac)
    if not macs and not keep_without_mac:
        return []
    fields = _port_fields(port, info)
    found: list[str | None] = list(macs) or [None]
    return [Nic(id=nic_id if index == 0 else f"{nic_id}/{index}", name=port.get("Name", str),
                mac=mac, permanent_mac=None, uri=port.uri, source=source, **fields)
            for index, mac in enumerate(found)]


def adapter_nics(walk: Walk, adapter: Resource,
                 belongs: BelongsTo | None = None) -> list[Nic]:
    """Every NIC one adapter shows (see the module docstring).

    :param belongs: for an adapter of a shared chassis: whether a device function belongs
        to the system; ports, which name no system, are then left out.
    """
    info = AdapterInfo(last_segment(adapter.uri), adapter_location(adapter))
    functions = _linked(walk, adapter, "NetworkDeviceFunctions", "network device function")
    ports = {source: _linked(walk, adapter, source.value + "s", source.value.lower())
             for source in PORT_MACS}
    by_uri = {p.uri.rstrip("/"): p for group in ports.values() for p in group}
    ethernet = [f for f in functions if f.has("Ethernet")]
    nics = [function_nic(info, f, _port_of(walk, f, by_uri)) for f in ethernet
            if belongs is None or belongs(f)]
    if belongs is not None:
        return nics
    for source, group in ports.items():
        for port in group:
            nics += port_nics(info, port, source, keep_without_mac=not ethernet)
    return nics


def _linked(walk: Walk, resource: Resource, name: str, what: str) -> list[Resource]:
    uri = resource.link(name)
    return (walk.collection(uri, what) or []) if uri else []


def _port_of(walk: Walk, function: Resource, by_uri: Mapping[str, Resource]) -> Resource | None:
    uri = function_port_uri(function)
    if uri is None:
        return None
    return by_uri.get(uri.rstrip("/")) or walk.try_read(uri, "network port")


def merge(nics: Iterable[Nic]) -> tuple[Nic, ...]:
    """One Nic per MAC: the first seen, completed (link, speed, adapter, location, port,
    permanent MAC) by later ones with the same current or permanent MAC.  NICs without a
    usable MAC are kept as they are."""
    merged: list[Nic] = []
    index: dict[str, int] = {}
    for nic in nics:
        keys = [mac for mac in (nic.mac, nic.permanent_mac) if mac]
        hit = next((index[k] for k in keys if k in index), None)
        if nic.mac is None or hit is None:
            hit = len(merged)
            merged.append(nic)
        else:
            merged[hit] = _complete(merged[hit], nic)
        for key in keys:
            index.setdefault(key, hit)
    return tuple(merged)


def _complete(first: Nic, other: Nic) -> Nic:
    updates: dict[str, Any] = {
        name: getattr(other, name)
        for name in ("name", "permanent_mac", "speed_mbps", "adapter", "location", "port")
        if getattr(first, name) is None and getattr(other, name) is not None}
    if first.link is LinkStatus.UNKNOWN and other.link is not LinkStatus.UNKNOWN:
        updates["link"] = other.link
    return dataclasses.replace(first, **updates)
