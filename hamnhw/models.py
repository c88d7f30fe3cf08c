"""Vendor-neutral data model: frozen dataclasses and enums.

Every driver translates what its BMC says into these types; nothing above the
driver layer sees Redfish JSON or IPMI bytes.  ``None`` always means "the BMC
did not tell us" and is never used for "there are none": an empty tuple is a
positive statement that the BMC reported nothing.

The storage models (drives, volumes, controllers, health and RAID level) live in
:mod:`hamnhw.storagemodels` and are imported from here as well (on first use).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hamnhw.storagemodels import Drive as Drive
    from hamnhw.storagemodels import EmptyBay as EmptyBay
    from hamnhw.storagemodels import Health as Health
    from hamnhw.storagemodels import Operation as Operation
    from hamnhw.storagemodels import RaidType as RaidType
    from hamnhw.storagemodels import StorageController as StorageController
    from hamnhw.storagemodels import Volume as Volume

_STORAGE_NAMES = frozenset({"Drive", "EmptyBay", "Health", "Operation", "RaidType",
                            "StorageController", "Volume"})


if not TYPE_CHECKING:  # hidden from mypy, which would take every unknown name for Any
    def __getattr__(name: str) -> Any:
        """The storage models, imported on first use: a command that reads no storage
        (``power status``) does not build their dataclasses (PEP 562)."""
        if name in _STORAGE_NAMES:
            from hamnhw import storagemodels

            return getattr(storagemodels, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class PowerState(enum.StrEnum):
    """Host power state as hamnhw reports it."""

    ON = "on"
    OFF = "off"
    POWERING_ON = "powering_on"
    POWERING_OFF = "powering_off"
    UNKNOWN = "unknown"


class LinkStatus(enum.StrEnum):
    """Link state of a NIC port."""

    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"


class NicSource(enum.StrEnum):
    """Where a BMC showed a host NIC (valued as the Redfish resource type it was read from)."""

    ETHERNET_INTERFACE = "EthernetInterface"
    """The system's ``EthernetInterfaces`` (the OS-visible interface)."""
    NETWORK_DEVICE_FUNCTION = "NetworkDeviceFunction"
    """A function of a network adapter (``NetworkDeviceFunctions``)."""
    PORT = "Port"
    """A physical port of a network adapter (``Ports``, Port >= 1.4 ``AssociatedMACAddresses``)."""
    NETWORK_PORT = "NetworkPort"
    """A physical port in the deprecated ``NetworkPorts`` (``AssociatedNetworkAddresses``)."""


class NicKind(enum.StrEnum):
    """The link technology of a host port."""

    ETHERNET = "ethernet"
    INFINIBAND = "infiniband"
    """An InfiniBand port: no Ethernet MAC; identified by its :attr:`Nic.port_guid`."""
    UNKNOWN = "unknown"
    """The BMC shows the port but not its technology (a port with no MAC and no
    ``LinkNetworkTechnology``)."""


class BootSource(enum.StrEnum):
    """Boot override targets, valued as Redfish ``BootSourceOverrideTarget``."""

    NONE = "None"
    PXE = "Pxe"
    HDD = "Hdd"
    CD = "Cd"
    USB = "Usb"
    BIOS_SETUP = "BiosSetup"


class BootOverrideMode(enum.StrEnum):
    """Redfish ``BootSourceOverrideEnabled``."""

    DISABLED = "Disabled"
    ONCE = "Once"
    CONTINUOUS = "Continuous"


class PowerRestorePolicy(enum.StrEnum):
    """What the host does when AC power returns (Redfish ``PowerRestorePolicy``)."""

    ALWAYS_ON = "AlwaysOn"
    ALWAYS_OFF = "AlwaysOff"
    LAST_STATE = "LastState"


@dataclasses.dataclass(frozen=True)
class System:
    """The host computer a BMC manages."""

    id: str
    """Redfish member id (``Systems/<id>``)."""
    uri: str | None
    """Resource URI on the BMC."""
    manufacturer: str | None
    """Vendor name as the BMC reports it."""
    model: str | None
    """Product model."""
    serial: str | None
    """Chassis or system serial number."""
    uuid: str | None
    """SMBIOS system UUID."""
    bios_version: str | None
    """Firmware (BIOS/UEFI) version."""
    power_state: PowerState = PowerState.UNKNOWN
    """Power state at the time of reading."""
    boot_mode: str | None = None
    """``UEFI`` or ``Legacy`` (Redfish ``Boot.BootSourceOverrideMode``), or None."""
    placeholders: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Fields the BMC filled with a placeholder (``serial``: ``To Be Filled By O.E.M.``),
    each read as None above, with the raw text it showed: two nodes showing the same
    placeholder are not the same machine, and the pair check says so."""


@dataclasses.dataclass(frozen=True)
class Manager:
    """The BMC itself."""

    id: str
    """Redfish member id (``Managers/<id>``)."""
    uri: str | None
    """Resource URI on the BMC."""
    model: str | None
    """BMC model, e.g. ``iDRAC 9``."""
    firmware: str | None
    """BMC firmware version."""


@dataclasses.dataclass(frozen=True)
class Nic:
    """One host network port as the BMC sees it.

    A BMC may show one port in several places (the system's EthernetInterfaces, a network
    adapter's device functions and ports); the driver merges them by physical port (its
    permanent MAC where shown, else its current MAC, or an InfiniBand port's GUID), so each
    port is reported once, from the first place it was seen, completed by the others.  Two
    resources of the same kind (two EthernetInterfaces, say two members of a bond showing
    the bond's MAC) are never merged.
    """

    id: str
    """Id of the interface, or ``<adapter id>/<function or port id>`` for an adapter's."""
    name: str | None
    """Name the BMC gives the port, if any."""
    mac: str | None
    """Current MAC, lower-case colon form; None if the BMC gave none usable (a placeholder
    such as ``00:00:00:00:00:00`` or ``ff:ff:ff:ff:ff:ff`` is not usable)."""
    permanent_mac: str | None
    """Burned-in MAC, lower-case colon form, or None."""
    link: LinkStatus = LinkStatus.UNKNOWN
    """Link state."""
    speed_mbps: int | None = None
    """Negotiated speed in Mbit/s, or None."""
    uri: str | None = None
    """Resource URI on the BMC."""
    source: NicSource | None = None
    """Where the BMC showed it first; None when the driver does not say."""
    adapter: str | None = None
    """Id of the network adapter (card) the port is on, where the BMC shows it."""
    location: str | None = None
    """Physical location of the adapter (slot label such as ``Slot 2`` or ``NIC Daughter
    Card``, or a PCI location), where the BMC shows it: with :attr:`port`, how NICs of two
    servers are paired."""
    port: str | None = None
    """Port number or label on its adapter (Redfish ``PortId``/``PhysicalPortNumber``, or the
    port's location ordinal), where the BMC shows it."""
    kind: NicKind = NicKind.ETHERNET
    """Link technology: Ethernet, InfiniBand (then :attr:`mac` is None and
    :attr:`port_guid` identifies the port), or unknown."""
    port_guid: str | None = None
    """InfiniBand port GUID, 8 bytes in lower-case colon hex (``00:02:c9:03:00:aa:bb:01``),
    where the BMC shows it; None for Ethernet."""


@dataclasses.dataclass(frozen=True)
class NicView:
    """Host and BMC NICs from one read, with what could not be read."""

    nics: tuple[Nic, ...] | None
    """Host NICs; None when the BMC links no place where they would be shown."""
    bmc_nics: tuple[Nic, ...] | None
    """The BMC's own NICs; None when they could not be read (see :attr:`warnings`)."""
    incomplete: bool = False
    """True when a linked part of the tree could not be read."""
    warnings: tuple[str, ...] = ()
    """What could not be read, one message each."""
    host_warnings: tuple[str, ...] = ()
    """Those of :attr:`warnings` about the host NICs: when there is one, :attr:`nics` may
    miss a port (the BMC's own NICs failing leaves the host list whole)."""


@dataclasses.dataclass(frozen=True)
class Inventory:
    """Everything the inventory interface reads in one go."""

    system: System
    """The host."""
    manager: Manager | None
    """The BMC, or None when not reported."""
    controllers: tuple[StorageController, ...] | None
    """Storage controllers; None when the BMC shows no storage at all."""
    drives: tuple[Drive, ...] | None
    """Physical drives; None when the BMC cannot tell."""
    volumes: tuple[Volume, ...] | None
    """Logical volumes; None when the BMC cannot tell."""
    empty_bays: tuple[EmptyBay, ...] | None = None
    """Bays shown without a drive; None when the BMC shows no bays at all."""
    incomplete: bool = False
    """True when a linked part of the storage tree could not be read: the lists above may
    then miss entries (a missing drive is not a failed drive)."""
    warnings: tuple[str, ...] = ()
    """What could not be read, one message each."""


class BootStage(enum.StrEnum):
    """Where the host's boot stands, as far as the BMC tells (DMTF ``BootProgress``
    mapped by the driver)."""

    NONE = "none"
    """No boot in progress (powered off, or the BMC reset its marks)."""
    POST = "post"
    """Firmware running its power-on self test (processor, memory, bus, PCI stages)."""
    POST_COMPLETE = "post_complete"
    """Hardware initialisation complete (``SystemHardwareInitializationComplete``)."""
    SETUP = "setup"
    """The host sits in firmware setup (``SetupEntered``): a POST just completed."""
    OS_BOOT = "os_boot"
    """The OS loader started (``OSBootStarted``)."""
    OS_RUNNING = "os_running"
    """The OS runs (``OSRunning``)."""
    OTHER = "other"
    """A stage hamnhw does not rank (OEM stages)."""


@dataclasses.dataclass(frozen=True)
class BootMarks:
    """One read of the host's power state and the marks that tell a fresh boot from a stale
    one: the failover uses them to believe a POST really happened.  None where the BMC does
    not tell."""

    power_state: PowerState
    """The power state read with the marks."""
    boot_stage: BootStage | None = None
    """The current boot stage; None when the BMC shows no boot progress."""
    boot_stage_time: str | None = None
    """When the current stage began (``BootProgress.LastStateTime``), as the BMC wrote it."""
    last_reset_time: str | None = None
    """When the host was last reset (``LastResetTime``), as the BMC wrote it."""
    boot_mode: str | None = None
    """``UEFI`` or ``Legacy`` when known."""

    @property
    def os_starting(self) -> bool:
        """The OS is starting or running."""
        return self.boot_stage in (BootStage.OS_BOOT, BootStage.OS_RUNNING)


@dataclasses.dataclass(frozen=True)
class BootOverride:
    """The current boot source override."""

    target: BootSource
    """Where the host boots next."""
    mode: BootOverrideMode
    """Once, continuous, or disabled."""


@dataclasses.dataclass(frozen=True)
class PowerResult:
    """Outcome of a power request, after waiting (or not) for the target."""

    power_state: PowerState
    """State read back at the end."""
    changed: bool
    """False when the node was already in the target state."""
    elapsed_s: float
    """Seconds spent, request and polling included."""
    confirmed: bool = True
    """True when the target state was confirmed by the required reads; False with wait=False
    (``power_state`` is then the state as read once)."""
    method: str = "reset"
    """How the change was made: ``reset`` (one ``ComputerSystem.Reset``, or none when
    already there) or ``off-on`` (a cycle made of a confirmed off, then on, on a BMC that
    shows no evidence of a reset)."""
    unconfirmed_reason: str | None = None
    """Why ``confirmed`` is False: ``no-wait`` (the state was read once, not waited for) or,
    over IPMI, ``reset-unseen`` (a cycle whose node read on throughout: IPMI cannot show a
    reset shorter than the poll interval); None when confirmed."""
    protocol: str = "redfish"
    """The protocol that served the request: ``redfish`` or ``ipmi`` (a node with an IPMI
    fallback says which one it used)."""
    escalation: str | None = None
    """Why a soft-off with ``escalate_after`` sent the forced off, None when it did not (no
    escalation, or the node read off by then):
    ``still-on`` (the node still read on when the escalation time came; the graceful
    shutdown, if there was time to send it, was accepted), ``graceful-unanswered`` (the
    graceful shutdown got no answer or could not be confirmed: the BMC may have acted on it,
    its outcome is unknown; it was never sent again), ``not-offered``, ``refused``
    (400/409), ``at-once`` (``escalate_after`` was 0: no graceful shutdown was sent)."""


@dataclasses.dataclass(frozen=True)
class Detection:
    """Which driver was chosen for a BMC, and why."""

    driver: str
    """Entry-point name of the driver."""
    reason: str
    """Human-readable reason, e.g. ``ServiceRoot Vendor 'Dell'``."""


def to_jsonable(value: Any) -> Any:
    """Convert models (recursively) to plain JSON types; enums become their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v) for v in value]
    return value
