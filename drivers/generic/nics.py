"""Host and BMC NICs.

Host ports come from the system's ``EthernetInterfaces``; where that
collection is absent or empty, from the chassis ``NetworkAdapters`` (their
``NetworkDeviceFunctions`` for MACs, their ``Ports``/``NetworkPorts`` for link
and speed).  The BMC's own ports come from the manager's ``EthernetInterfaces``.
"""

from __future__ import annotations

from collections.abc import Iterable

from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.macs import normalize_mac
from hamnhw_drivers.generic.resource import Field, Resource, last_segment

from hamnhw.interfaces import NicInterface
from hamnhw.log import get_logger
from hamnhw.models import LinkStatus, Nic

LOG = get_logger("hamnhw.drivers.generic.nics")

ETHERNET_INTERFACE = {
    "name": Field("Name", str, "Name the BMC gives the interface."),
    "speed_mbps": Field("SpeedMbps", int, "Negotiated speed, Mbit/s."),
}
DEVICE_FUNCTION = {
    "name": Field("Name", str, "Name of the network device function."),
}
PORT_SPEED = (
    Field("CurrentSpeedGbps", float, "Port (Port schema) speed in Gbit/s."),
    Field("CurrentLinkSpeedMbps", int, "NetworkPort (deprecated schema) speed in Mbit/s."),
)

_LINK = {
    "LinkUp": LinkStatus.UP, "Up": LinkStatus.UP,
    "LinkDown": LinkStatus.DOWN, "NoLink": LinkStatus.DOWN, "Down": LinkStatus.DOWN,
}


def link_status(value: object) -> LinkStatus:
    """Map ``LinkStatus`` of EthernetInterface, Port or NetworkPort."""
    return _LINK.get(value, LinkStatus.UNKNOWN) if isinstance(value, str) else LinkStatus.UNKNOWN


def read_mac(resource: Resource, path: str, owner: str) -> str | None:
    """Normalised MAC at ``path``; an unusable one is skipped with a warning naming ``owner``."""
    if not resource.has(path):
        return None
    raw = resource.doc
    for step in path.split("."):
        raw = raw.get(step) if isinstance(raw, dict) else None
    mac = normalize_mac(raw)
    if mac is None:
        LOG.warning("%s: interface %s (%s): unusable %s %r skipped", resource.host or "BMC",
                    owner, resource.uri, path, raw)
    return mac


def parse_ethernet_interface(resource: Resource) -> Nic:
    """An EthernetInterface document as a :class:`~hamnhw.models.Nic`."""
    fields = resource.extract(ETHERNET_INTERFACE)
    nic_id = resource.id
    return Nic(id=nic_id, name=fields["name"], mac=read_mac(resource, "MACAddress", nic_id),
               permanent_mac=read_mac(resource, "PermanentMACAddress", nic_id),
               link=link_status(resource.get("LinkStatus", str)),
               speed_mbps=fields["speed_mbps"], uri=resource.uri)


def port_speed_mbps(port: Resource) -> int | None:
    """Speed of a Port or NetworkPort in Mbit/s, or None."""
    gbps = port.field(PORT_SPEED[0])
    if gbps is not None:
        return int(gbps * 1000)
    return port.field(PORT_SPEED[1])


def parse_device_function(adapter_id: str, function: Resource, port: Resource | None) -> Nic:
    """A NetworkDeviceFunction (with its physical port, if known) as a Nic."""
    nic_id = f"{adapter_id}/{function.id}"
    return Nic(id=nic_id, name=(port.get("Name", str) if port else None)
               or function.field(DEVICE_FUNCTION["name"]),
               mac=read_mac(function, "Ethernet.MACAddress", nic_id),
               permanent_mac=read_mac(function, "Ethernet.PermanentMACAddress", nic_id),
               link=link_status(port.get("LinkStatus", str)) if port else LinkStatus.UNKNOWN,
               speed_mbps=port_speed_mbps(port) if port else None, uri=function.uri)


def parse_network_port(adapter_id: str, port: Resource) -> Nic:
    """A Port/NetworkPort without device functions as a Nic.

    The MAC is the first of ``AssociatedNetworkAddresses``.
    """
    nic_id = f"{adapter_id}/{port.id}"
    addresses = port.get("AssociatedNetworkAddresses", list) or []
    mac = normalize_mac(addresses[0]) if addresses else None
    if addresses and mac is None:
        LOG.warning("%s: port %s: unusable MAC %r skipped", port.host or "BMC", nic_id,
                    addresses[0])
    return Nic(id=nic_id, name=port.get("Name", str), mac=mac, permanent_mac=None,
               link=link_status(port.get("LinkStatus", str)), speed_mbps=port_speed_mbps(port),
               uri=port.uri)


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


class RedfishNics(NicInterface):
    """:class:`~hamnhw.interfaces.NicInterface` over DMTF Redfish.

    Vendor subclasses override :meth:`include_interface` or :meth:`parse_interface`.
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

    def list(self) -> tuple[Nic, ...]:
        """Host ports: EthernetInterfaces, else chassis NetworkAdapters."""
        system = self.context.locator.system()
        collection = system.link("EthernetInterfaces")
        if collection:
            nics = tuple(self.parse_interface(r) for r in self.reader.collection(collection)
                         if self.include_interface(r))
            if nics:
                return nics
        return tuple(self._adapter_nics(self.context.locator.chassis_uris(system)))

    def _adapter_nics(self, chassis_uris: Iterable[str]) -> Iterable[Nic]:
        for chassis_uri in chassis_uris:
            adapters = self.reader.read(chassis_uri).link("NetworkAdapters")
            for adapter in self.reader.collection(adapters) if adapters else []:
                yield from self._one_adapter(adapter)

    def _one_adapter(self, adapter: Resource) -> Iterable[Nic]:
        adapter_id = last_segment(adapter.uri)
        functions_uri = adapter.link("NetworkDeviceFunctions")
        functions = self.reader.collection(functions_uri) if functions_uri else []
        ethernet = [f for f in functions if f.has("Ethernet")]
        if ethernet:
            for function in ethernet:
                port_uri = function_port_uri(function)
                port = self.reader.read(port_uri) if port_uri else None
                yield parse_device_function(adapter_id, function, port)
            return
        ports_uri = adapter.link("Ports") or adapter.link("NetworkPorts")
        for port in self.reader.collection(ports_uri) if ports_uri else []:
            yield parse_network_port(adapter_id, port)

    def bmc_nics(self) -> tuple[Nic, ...]:
        """The BMC's own ports (its Manager's EthernetInterfaces)."""
        manager_uri = self.context.locator.manager_uri()
        if manager_uri is None:
            self._unsupported("nics.bmc_nics", "no Manager is linked")
        collection = self.reader.read(manager_uri).link("EthernetInterfaces")
        if collection is None:
            self._unsupported("nics.bmc_nics", "the Manager has no EthernetInterfaces")
        return tuple(parse_ethernet_interface(r) for r in self.reader.collection(collection))
