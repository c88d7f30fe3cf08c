"""Vendor-neutral data model: frozen dataclasses and enums.

Every driver translates what its BMC says into these types; nothing above the
driver layer sees Redfish JSON or IPMI bytes.  ``None`` always means "the BMC
did not tell us" and is never used for "there are none": an empty tuple is a
positive statement that the BMC reported nothing.

The storage models (drives, volumes, controllers, health and RAID level) live in
:mod:`hamnhw.storagemodels`, the host's (system, manager, NICs, inventory, boot marks and
override) in :mod:`hamnhw.hostmodels`; both are imported from here as well (on first use).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hamnhw.hostmodels import BootMarks as BootMarks
    from hamnhw.hostmodels import BootOverride as BootOverride
    from hamnhw.hostmodels import Inventory as Inventory
    from hamnhw.hostmodels import Manager as Manager
    from hamnhw.hostmodels import Nic as Nic
    from hamnhw.hostmodels import NicView as NicView
    from hamnhw.hostmodels import System as System
    from hamnhw.storagemodels import Drive as Drive
    from hamnhw.storagemodels import EmptyBay as EmptyBay
    from hamnhw.storagemodels import Health as Health
    from hamnhw.storagemodels import Operation as Operation
    from hamnhw.storagemodels import RaidType as RaidType
    from hamnhw.storagemodels import StorageController as StorageController
    from hamnhw.storagemodels import Volume as Volume

_HOMES = {**dict.fromkeys(("Drive", "EmptyBay", "Health", "Operation", "RaidType",
                           "StorageController", "Volume"), "hamnhw.storagemodels"),
          **dict.fromkeys(("System", "Manager", "Nic", "NicView", "Inventory", "BootMarks",
                           "BootOverride"), "hamnhw.hostmodels")}
"""Where the models imported on first use live, by name."""


if not TYPE_CHECKING:  # hidden from mypy, which would take every unknown name for Any
    def __getattr__(name: str) -> Any:
        """The storage and host models, imported on first use: a command that reads no
        storage and no inventory (``power status``) does not build their dataclasses
        (PEP 562)."""
        if name in _HOMES:
            import importlib

            return getattr(importlib.import_module(_HOMES[name]), name)
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
    """Why ``confirmed`` is False: ``no-wait`` (the state was read once, not waited for);
    None when confirmed."""
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
    warning: str | None = None
    """What speaks against the choice, when something does: a vendor URL scheme chose a
    driver whose maker is not the one the BMC names (the scheme still wins)."""


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
