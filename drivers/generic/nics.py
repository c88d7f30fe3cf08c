"""Host and BMC NICs.

Host MACs come from every place a service puts them, in this order, merged by physical port
(:func:`~hamnhw_drivers.generic.adapters.merge`) so each port is reported once with the
``source`` it was first seen in:

1. the system's ``EthernetInterfaces`` (``source`` ``EthernetInterface``);
2. the system's ``NetworkInterfaces``: the collections a NetworkInterface links itself
   (its system's view of the adapter), else its ``Links.NetworkAdapter``;
3. the ``NetworkAdapters`` of the system's chassis (:mod:`.chassis`): those it links and
   what they contain; the chassis of the Chassis collection claiming the system only when
   the system links no chassis or none of the places above shows a NIC (the collection
   costs a request, and one per chassis it lists).

An adapter in a chassis shared with other systems (a blade enclosure), however reached,
counts only for device functions linking this system; a function linking only another
system never counts.  Adapters give ``NetworkDeviceFunction``, ``Port`` and ``NetworkPort``
NICs (:mod:`.adapters`).  Only links a resource has are followed, so a BMC without adapters
costs no request for them.  The list is None (unknown) when the system links none of the
collections that show NICs (an adapter linking no functions or ports shows none), ``()``
only when such a collection, or the NetworkAdapters collection, is really empty.  The BMC's
own ports come from its manager's ``EthernetInterfaces``.
"""

from __future__ import annotations

import dataclasses

from hamnhw_drivers.generic.adapters import (
    NIC_COLLECTIONS,
    AdapterInfo,
    Scope,
    adapter_location,
    adapter_nics,
    merge,
    read_mac,
)
from hamnhw_drivers.generic.chassis import ChassisSearch, ChassisSet, chassis_roots
from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.mappings import link_status
from hamnhw_drivers.generic.resource import Field, Resource, last_segment
from hamnhw_drivers.generic.walk import Walk

from hamnhw.errors import HttpError, MalformedResponse, UnsupportedOperation
from hamnhw.interfaces import NicInterface
from hamnhw.models import Nic, NicSource, NicView

__all__ = ["RedfishNics", "parse_ethernet_interface", "read_mac"]

ETHERNET_INTERFACE = {
    "name": Field("Name", str, "Name the BMC gives the interface."),
    "speed_mbps": Field("SpeedMbps", int, "Negotiated speed, Mbit/s."),
}


def parse_ethernet_interface(resource: Resource) -> Nic:
    """An EthernetInterface document as a :class:`~hamnhw.models.Nic`."""
    fields = resource.extract(ETHERNET_INTERFACE)
    nic_id = resource.id
    return Nic(id=nic_id, name=fields["name"], mac=read_mac(resource, "MACAddress", nic_id),
               permanent_mac=read_mac(resource, "PermanentMACAddress", nic_id),
               link=link_status(resource.get("LinkStatus", str)),
               speed_mbps=fields["speed_mbps"], uri=resource.uri,
               source=NicSource.ETHERNET_INTERFACE)


@dataclasses.dataclass
class _Found:
    """NICs found so far, and whether any place showing NICs was read."""

    nics: list[Nic] = dataclasses.field(default_factory=list)
    shown: bool = False
    done: dict[str, bool] = dataclasses.field(default_factory=dict)
    """Adapters already read (URI), and whether each showed NICs."""

    def add(self, nics: list[Nic] | None) -> None:
        if nics is not None:
            self.shown = True
            self.nics += nics


def adapter_scope(system_uri: str, chassis: ChassisSet, adapter_uri: str) -> Scope:
    """The scope of an adapter: shared when it lies under a shared chassis."""
    shared = any(adapter_uri.startswith(c.uri.rstrip("/") + "/") for c in chassis.shared)
    return Scope(system_uri, shared)


def interface_nics(walk: Walk, interface: Resource, found: _Found, system_uri: str,
                   chassis: ChassisSet) -> list[Nic] | None:
    """A NetworkInterface's NICs: the collections it links itself (scoped to its system by
    the service), else its adapter's, filtered like any adapter of its chassis."""
    adapter_uri = interface.link("Links.NetworkAdapter")
    adapter = walk.try_read(adapter_uri, "network adapter") if adapter_uri else None
    if any(interface.link(name) for name in NIC_COLLECTIONS):
        if adapter is not None:
            found.done[adapter.uri.rstrip("/")] = True
        owner = adapter or interface
        info = AdapterInfo(last_segment(owner.uri), adapter_location(owner))
        return adapter_nics(walk, interface, Scope(system_uri), info)
    if adapter is None:
        return None
    return once(walk, adapter, found, adapter_scope(system_uri, chassis, adapter.uri))


def once(walk: Walk, adapter: Resource, found: _Found, scope: Scope) -> list[Nic] | None:
    """One adapter's NICs unless already read (URI in ``found.done``: then ``[]``, or None
    when it showed none)."""
    key = adapter.uri.rstrip("/")
    if key in found.done:
        return [] if found.done[key] else None
    nics = adapter_nics(walk, adapter, scope)
    found.done[key] = nics is not None
    return nics


def chassis_adapters(walk: Walk, chassis: ChassisSet, found: _Found, system_uri: str) -> None:
    """Add the NICs of every adapter of ``chassis`` (own ones, then shared ones)."""
    for shared, group in ((False, chassis.own), (True, chassis.shared)):
        for resource in group:
            adapters = resource.link("NetworkAdapters")
            members = walk.collection(adapters, "network adapter") if adapters else None
            if members == []:
                found.add([])  # the BMC says this chassis has no adapter
            for adapter in members or []:
                found.add(once(walk, adapter, found, Scope(system_uri, shared)))


class RedfishNics(NicInterface):
    """:class:`~hamnhw.interfaces.NicInterface` over DMTF Redfish.

    Vendor subclasses override :meth:`include_interface`, :meth:`parse_interface` or
    :meth:`interfaces_uri`.
    """

    def __init__(self, context: DriverContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context
        self.reader = context.reader

    def include_interface(self, resource: Resource) -> bool:
        """Whether a system EthernetInterface is a host port worth reporting.

        VLAN/team interfaces (``EthernetInterfaceType`` ``Virtual``) repeat a
        physical port's MAC, and the host side of the Redfish host interface
        (``Links.HostInterface``) is a BMC-internal USB NIC: both are left out.
        """
        if resource.get("EthernetInterfaceType", str) == "Virtual":
            return False
        return not resource.has("Links.HostInterface")

    def parse_interface(self, resource: Resource) -> Nic:
        """Hook: one EthernetInterface as a Nic."""
        return parse_ethernet_interface(resource)

    def interfaces_uri(self, system: Resource) -> str | None:
        """Hook: the system's EthernetInterfaces collection (its ``EthernetInterfaces``
        link).  Override where a BMC links it elsewhere (HPE iLO 5:
        ``Oem.Hpe.Links.EthernetInterfaces``)."""
        return system.link("EthernetInterfaces")

    # -- host NICs -------------------------------------------------------------------------

    def list(self) -> tuple[Nic, ...] | None:
        """Host ports from every place the system links (see the module docstring)."""
        return self._host(self._walk())

    def view(self) -> NicView:
        """Host and BMC NICs in one walk; an unreadable part is a warning, and a failing
        read of the BMC's own NICs leaves ``bmc_nics`` None without losing the host's."""
        walk = self._walk()
        nics = self._host(walk)
        host_warnings = tuple(walk.warnings)
        try:
            bmc = self._bmc(walk)
        except UnsupportedOperation:
            bmc = None  # the BMC shows none: nothing failed
        except (HttpError, MalformedResponse) as exc:
            walk.warn(f"BMC NICs not readable: {exc.message}")
            bmc = None
        return NicView(nics, bmc, walk.incomplete, tuple(walk.warnings), host_warnings)

    def _walk(self) -> Walk:
        walk = Walk(self.reader)
        walk.remember(self.context.locator.system())
        return walk

    def _host(self, walk: Walk) -> tuple[Nic, ...] | None:
        system = walk.read(self.context.locator.system_uri)
        found = _Found()
        collection = self.interfaces_uri(system)
        interfaces = system.link("NetworkInterfaces")
        walk.prefetch([uri for uri in (collection, interfaces) if uri]
                      + chassis_roots(system))
        members = walk.collection(collection, "ethernet interface") if collection else None
        if members is not None:
            found.add([nic for r in members if self.include_interface(r)
                       if (nic := walk.parse(r, "ethernet interface", self.parse_interface))])
        search = ChassisSearch(walk, system, self.context.client.root,
                               self.context.locator.other_system_uris())
        chassis = search.linked
        members = walk.collection(interfaces, "network interface") if interfaces else None
        if members == []:
            found.add([])  # the BMC says the system has no network interface
        for interface in members or []:
            found.add(interface_nics(walk, interface, found, system.uri, chassis))
        chassis_adapters(walk, chassis, found, system.uri)
        if search.links_none or not found.nics:
            chassis_adapters(walk, search.claimed(), found, system.uri)
        return merge(found.nics) if found.shown else None

    # -- BMC NICs --------------------------------------------------------------------------

    def bmc_nics(self) -> tuple[Nic, ...] | None:
        """The BMC's own ports (its Manager's EthernetInterfaces)."""
        return self._bmc(self._walk())

    def _bmc(self, walk: Walk) -> tuple[Nic, ...] | None:
        system = walk.read(self.context.locator.system_uri)
        manager_uri = self.context.locator.manager_uri(system)
        if manager_uri is None:
            self._unsupported("nics.bmc_nics", "no Manager is linked")
        collection = walk.read(manager_uri).link("EthernetInterfaces")
        if collection is None:
            self._unsupported("nics.bmc_nics", "the Manager has no EthernetInterfaces")
        resources = walk.reader.collection(collection)
        return tuple(parse_ethernet_interface(r) for r in resources)
