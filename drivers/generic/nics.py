"""Host and BMC NICs.

Host MACs come from every place a service puts them, in this order, merged by MAC
(:func:`~hamnhw_drivers.generic.adapters.merge`) so each port is reported once with the
``source`` it was first seen in:

1. the system's ``EthernetInterfaces`` (``source`` ``EthernetInterface``);
2. the system's ``NetworkInterfaces``, each followed to its ``Links.NetworkAdapter`` (or,
   without one, through its own collections);
3. the ``NetworkAdapters`` of the system's chassis (:mod:`.chassis`); a shared chassis's
   adapters count only for device functions linking this system.

Adapters give ``NetworkDeviceFunction``, ``Port`` and ``NetworkPort`` NICs
(:mod:`.adapters`).  Only links a resource has are followed, so a BMC without adapters
costs no request for them.  The list is None (unknown) when the system links none of these
places, ``()`` only when a linked collection is really empty.  The BMC's own ports come
from its manager's ``EthernetInterfaces``.
"""

from __future__ import annotations

from hamnhw_drivers.generic.adapters import adapter_nics, merge, read_mac
from hamnhw_drivers.generic.chassis import names_system, system_chassis
from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.mappings import link_status
from hamnhw_drivers.generic.resource import Field, Resource
from hamnhw_drivers.generic.walk import Walk

from hamnhw.errors import HttpError, MalformedResponse, UnsupportedOperation
from hamnhw.interfaces import NicInterface
from hamnhw.models import Nic, NicSource, NicView

__all__ = ["RedfishNics", "parse_ethernet_interface", "read_mac"]

ETHERNET_INTERFACE = {
    "name": Field("Name", str, "Name the BMC gives the interface."),
    "speed_mbps": Field("SpeedMbps", int, "Negotiated speed, Mbit/s."),
}
FUNCTION_SYSTEM_LINKS = ("Links.EthernetInterface", "Links.EthernetInterfaces",
                         "Links.OffloadSystem")
"""Links of a NetworkDeviceFunction that name the system it serves."""


def parse_ethernet_interface(resource: Resource) -> Nic:
    """An EthernetInterface document as a :class:`~hamnhw.models.Nic`."""
    fields = resource.extract(ETHERNET_INTERFACE)
    nic_id = resource.id
    return Nic(id=nic_id, name=fields["name"], mac=read_mac(resource, "MACAddress", nic_id),
               permanent_mac=read_mac(resource, "PermanentMACAddress", nic_id),
               link=link_status(resource.get("LinkStatus", str)),
               speed_mbps=fields["speed_mbps"], uri=resource.uri,
               source=NicSource.ETHERNET_INTERFACE)


def interface_nics(walk: Walk, interface: Resource, done: set[str]) -> list[Nic]:
    """A NetworkInterface's NICs: its adapter's, or its own collections' when it links none."""
    adapter_uri = interface.link("Links.NetworkAdapter")
    if adapter_uri is None:
        return adapter_nics(walk, interface)
    adapter = walk.try_read(adapter_uri, "network adapter")
    return once(walk, adapter, done) if adapter is not None else []


def once(walk: Walk, adapter: Resource, done: set[str], shared_by: str | None = None
         ) -> list[Nic]:
    """One adapter's NICs unless already read (URI in ``done``).

    :param shared_by: the system URI when the adapter is in a shared chassis: only device
        functions naming that system count.
    """
    key = adapter.uri.rstrip("/")
    if key in done:
        return []
    done.add(key)
    if shared_by is None:
        return adapter_nics(walk, adapter)
    system_uri = shared_by
    return adapter_nics(walk, adapter, lambda function: names_system(
        function, system_uri, FUNCTION_SYSTEM_LINKS))


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
        try:
            bmc = self._bmc(walk)
        except UnsupportedOperation:
            bmc = None  # the BMC shows none: nothing failed
        except (HttpError, MalformedResponse) as exc:
            walk.warn(f"BMC NICs not readable: {exc.message}")
            bmc = None
        return NicView(nics, bmc, walk.incomplete, tuple(walk.warnings))

    def _walk(self) -> Walk:
        walk = Walk(self.reader)
        walk.remember(self.context.locator.system())
        return walk

    def _host(self, walk: Walk) -> tuple[Nic, ...] | None:
        system = walk.read(self.context.locator.system_uri)
        found: list[Nic] = []
        shown = False
        collection = self.interfaces_uri(system)
        members = walk.collection(collection, "ethernet interface") if collection else None
        if members is not None:
            shown = True
            found += [self.parse_interface(r) for r in members if self.include_interface(r)]
        done: set[str] = set()
        interfaces = system.link("NetworkInterfaces")
        members = walk.collection(interfaces, "network interface") if interfaces else None
        if members is not None:
            shown = True
            for interface in members:
                found += interface_nics(walk, interface, done)
        chassis = system_chassis(walk, system, self.context.client.root)
        for shared, group in ((False, chassis.own), (True, chassis.shared)):
            for resource in group:
                adapters = resource.link("NetworkAdapters")
                members = walk.collection(adapters, "network adapter") if adapters else None
                shown = shown or members is not None
                for adapter in members or []:
                    found += once(walk, adapter, done, system.uri if shared else None)
        return merge(found) if shown else None

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
