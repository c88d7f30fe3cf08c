"""Vendor-neutral models of what a BMC reads of the host and of itself: the system, the
manager, NICs, the inventory, boot marks and the boot override.

Part of :mod:`hamnhw.models` (which re-exports every name here, so
``from hamnhw.models import System`` keeps working), apart so that a command that builds
none of them (``hamnhw power status``, timed as a whole process against redfishtool:
docs/performance.md) does not build their dataclasses.  ``None`` means the BMC did not
tell; an empty tuple means it said there are none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

from hamnhw.models import (
    BootOverrideMode,
    BootSource,
    BootStage,
    LinkStatus,
    NicKind,
    NicSource,
    PowerState,
)

if TYPE_CHECKING:
    from hamnhw.storagemodels import Drive, EmptyBay, StorageController, Volume


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
    serials: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Every serial of the host the BMC showed in this read, by where it showed it
    (Redfish ``SerialNumber``, and Dell's ``SKU``, its service tag; over IPMI ``FRU Product
    Serial``, ``FRU Chassis Serial``, ``FRU Board Serial``), placeholders left out; empty
    when it showed none.  One machine shows different serials in different places (a Dell's
    Redfish ``SerialNumber`` is its board's, its service tag is ``SKU``; an Intel board's FRU
    product serial differs from its board serial): :mod:`hamnhw.pair.oldnode` compares them
    all (docs/quirks.md)."""


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
