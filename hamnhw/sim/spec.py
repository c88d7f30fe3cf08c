"""What a simulated server looks like: frozen specs that the simulator turns into live state.

Default values are derived deterministically from the server name so that two servers in one
cluster never share a MAC, a serial or a UUID, and so that a test run is reproducible.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid as uuid_module
from typing import Any, Literal

from hamnhw.sim.raidspec import RaidSpec

#: Power states a simulated host can be put in from Python (``SimServer.set_power``).
STABLE_POWER_STATES = ("On", "Off")
#: Where the host NICs are shown (see :class:`ServerSpec`).
NIC_VIEWS = ("ethernet_interfaces", "network_adapters", "both", "none")
#: How storage is shown (see :class:`ServerSpec`).
STORAGE_VIEWS = ("storage", "simple_storage", "chassis_drives", "backplane", "enclosure")
#: How the add-in card shows its MACs (see :class:`ServerSpec`).
CARD_STYLES = ("functions", "ports", "network_ports", "bare")
#: What the ServiceRoot says of systems (see :class:`ServerSpec`).
SYSTEMS_SHOWN = ("listed", "empty", "absent")
#: Which identify LED property the ComputerSystem carries.
IDENTIFY_STYLES = ("location_indicator", "indicator_led")
#: Id of the extra NIC ``null_mac_nic=True`` adds.
SIM_USERNAME = "admin"
"""The simulated BMCs' account name (simulator only)."""
SIM_PASSWORD = "sim-only-K7q2x"  # noqa: S105 - simulator-only default, documented as such
"""The simulated BMCs' default password: simulator only, never use it on a real BMC.  Not a
dictionary word, so that log masking of it (:func:`hamnhw.log.redact`) never cuts holes in
hamnhw's own words (``password_file``, "password file"), as ``password`` did."""

NULL_MAC_NIC_ID = "NIC.NullMAC"


def _digest(name: str, salt: str) -> bytes:
    return hashlib.sha256(f"{salt}:{name}".encode()).digest()


def local_mac(name: str, index: int) -> str:
    """A locally administered unicast MAC (``02:..``) derived from ``name`` and ``index``."""
    digest = _digest(name, "mac")
    octets = [0x02, digest[0], digest[1], digest[2], digest[3], index & 0xFF]
    return ":".join(f"{octet:02x}" for octet in octets)


def fake_serial(name: str, index: int) -> str:
    """A serial number that is obviously simulated, derived from ``name``."""
    return f"SIM{_digest(name, 'serial').hex()[:8].upper()}D{index}"


@dataclasses.dataclass(frozen=True)
class NicSpec:
    """One host network interface (System EthernetInterfaces member).

    ``mac`` may be ``None``, ``""`` or malformed, to show a BMC reporting an unusable MAC.
    """

    id: str
    mac: str | None
    link_up: bool | None = True
    """Link state; None: the EthernetInterface shows no ``LinkStatus`` (the BMC does not
    tell)."""
    speed_mbps: int = 25000
    bond_mac: str | None = None
    """The MAC the port uses as a member of a bond (its EthernetInterface ``MACAddress``);
    ``mac`` stays its ``PermanentMACAddress``.  None: not bonded, ``MACAddress`` is ``mac``."""


@dataclasses.dataclass(frozen=True)
class HcaPortSpec:
    """One InfiniBand port of the simulated HCA; ``guid`` in Redfish's ``PortGUID`` form
    (``0002:C903:00AA:BB01``)."""

    id: str
    guid: str
    link_up: bool = True
    speed_mbps: int = 200000


@dataclasses.dataclass(frozen=True)
class DriveSpec:
    """One physical drive; identified across the whole cluster by its ``serial``."""

    serial: str
    model: str = "Contoso SAS HDD 1.2TB"
    capacity_bytes: int = 1_200_000_000_000
    media: str = "HDD"
    protocol: str = "SAS"
    bay: str = "Bay 1"
    health: str = "OK"
    reported_serial: str | None = None
    """What the BMC shows as ``SerialNumber`` when not ``serial`` (a placeholder such as
    ``To Be Filled By O.E.M.``); ``serial`` stays the simulator's identity of the disk."""


def default_nics(name: str) -> tuple[NicSpec, ...]:
    """Two host NICs with distinct locally administered MACs derived from ``name``."""
    return (NicSpec("NIC1", local_mac(name, 1)), NicSpec("NIC2", local_mac(name, 2)))


def default_drives(name: str) -> tuple[DriveSpec, ...]:
    """Two SAS drives in bays 1 and 2, serials derived from ``name``."""
    return tuple(
        DriveSpec(serial=fake_serial(name, index), bay=f"Bay {index}") for index in (1, 2)
    )


@dataclasses.dataclass(frozen=True)
class ServerSpec:
    """Static description of one simulated server and its BMC.

    :param name: cluster-unique name (``cluster["primary"]``); seeds every derived default.
    :param username: the one BMC account (simulator only, never a real credential).
    :param password: its password (simulator only).
    :param vendor: ServiceRoot ``Vendor``; ``None`` omits the property.
    :param oem: ServiceRoot ``Oem`` object, or ``None`` to omit it.
    :param power: initial power state, ``"On"`` or ``"Off"``.
    :param nics: host NICs; two derived from the name by default.
    :param drives: drives placed in this server's bays; two derived from the name by default.
    :param raid1: create a RAID1 volume over the first two drives.
    :param power_delay: seconds spent in PoweringOn / PoweringOff.
    :param storage_when_off: ``"stale"`` shows the last POST's view while off, ``"empty"``
        shows no storage at all while off.
    :param session_service: expose SessionService (else basic auth only).
    :param basic_auth: accept HTTP basic auth.
    :param session_returns_token: answer session creation with an X-Auth-Token header (some
        emulators answer 201 without one).
    :param post_time: seconds of POST after power reaches On (BootProgress
        ``SystemHardwareInitializationComplete``).
    :param boot_time: seconds from power On until ``OSRunning``.
    :param reset_async: answer ComputerSystem.Reset with 202 and a task monitor.
    :param bay_count: number of drive bays (``Bay 1`` .. ``Bay N``).
    :param nic_view: ``"ethernet_interfaces"`` lists host NICs under the system's
        EthernetInterfaces; ``"network_adapters"`` leaves that collection empty and shows them
        only as chassis NetworkAdapters (NetworkDeviceFunctions and Ports); ``"both"`` does both;
        ``"none"`` links no EthernetInterfaces at all.
    :param storage_view: ``"storage"`` (Storage with Drives links and Volumes);
        ``"simple_storage"`` (SimpleStorage Devices only: no Storage, no volumes, no serials);
        ``"chassis_drives"`` (Storage without Drives links; drives live under the chassis and
        are linked from its ``Links.Drives`` and ``Drives`` collection); ``"backplane"``
        (Storage without Drives links; drives live under a backplane chassis that the chassis
        links in ``Links.Contains``); ``"enclosure"`` (Storage without Drives links; drives live
        under a chassis nothing links, whose ``Links.ComputerSystems`` names the system, as
        HPE iLO's ``Chassis/DE040000``).  See :mod:`hamnhw.sim.shapes`.
    :param card_nics: host NICs of an add-in card, shown only as a chassis NetworkAdapter
        (``NIC.Slot.2``), never in the system's EthernetInterfaces (a tower server's card).
    :param card_style: how the card shows its MACs: ``"functions"`` (NetworkDeviceFunctions,
        Ports for link and speed), ``"ports"`` (Ports only, MACs in
        ``Ethernet.AssociatedMACAddresses``, Port >= 1.4), ``"network_ports"`` (the deprecated
        NetworkPorts, MACs in ``AssociatedNetworkAddresses``) or ``"bare"`` (the adapter links
        no functions and no ports: it shows no NIC at all).
    :param network_interfaces: the system links ``NetworkInterfaces``, one per network
        adapter, each with ``Links.NetworkAdapter`` (with ``shared_enclosure``, one more for
        the enclosure's mezzanine adapter).
    :param hca_ports: ports of an InfiniBand HCA ``HCA.Slot.3`` under the chassis:
        NetworkDeviceFunctions with ``NetDevFuncType`` ``InfiniBand`` and
        ``InfiniBand.PortGUID``, Ports with ``LinkNetworkTechnology`` ``InfiniBand`` and
        ``InfiniBand.AssociatedPortGUIDs`` (see :mod:`hamnhw.sim.cards`).
    :param controllers: Storage resources (``RAIDController1``...); the bays are split evenly
        between them, and with two or more the drive ids restart on each (``Disk.0``...), so
        two controllers show drives with the same id.
    :param empty_bays: show every bay without a drive as a Drive with ``Status.State``
        ``Absent``, listed beside the drives.
    :param shared_enclosure: the service also manages a second blade system (``Blade2``); a
        chassis ``Enclosure`` names both systems and holds one drive and one NIC of each blade,
        each linking the storage or interface of its own blade.
    :param enclosure_names_systems: the enclosure's ``Links.ComputerSystems`` names both
        blades; False omits it (it is optional), so only the blades' own ``Links.Chassis``
        tell that the enclosure is shared.
    :param mezz_interface_collections: the system's NetworkInterface for the mezzanine
        adapter links its own ``NetworkDeviceFunctions`` collection (this blade's function
        only) besides ``Links.NetworkAdapter`` (with ``network_interfaces``).
    :param systems: ``"listed"``; ``"empty"`` (an empty Systems collection, as a BMC still
        starting); ``"absent"`` (no Systems link in the ServiceRoot, as a PDU).
    :param identify_style: ``"location_indicator"`` (``LocationIndicatorActive``) or
        ``"indicator_led"`` (the older ``IndicatorLED``: ``Lit``/``Off``; PATCHable).
    :param null_mac_nic: add a host NIC (:data:`NULL_MAC_NIC_ID`) whose MACs are null.
    :param last_reset_time: show ``LastResetTime`` (iLO 5 and Supermicro X11 do not).
    :param boot_progress: show ``BootProgress`` (older BMCs do not).
    :param reset_types: the ``ResetType`` values advertised, or None for all the simulator
        runs (e.g. without ``PowerCycle``, as iLO 5 and Supermicro).
    :param post_detail: BootProgress shows ``MemoryInitializationStarted`` during POST and
        ``SystemHardwareInitializationComplete`` only once POST is done (when the drive view
        is fresh), as real BMCs do; off by default (then SHIC is shown from power-on).
    :param boot_progress_time: show ``BootProgress.LastStateTime`` (when the current boot
        stage began).
    :param setup_entered: BootProgress shows ``SetupEntered`` while the host sits in BIOS
        setup (a one-time ``BiosSetup`` boot); False keeps showing the POST's last stage, as
        BMCs that do not report setup.
    :param foreign_volumes: a volume whose drives were moved in from another server is not
        shown as a volume (its configuration is foreign to this controller until imported;
        generic Redfish has no import action).
    :param boot_mode: ``Boot.BootSourceOverrideMode`` (``UEFI`` or ``Legacy``).
    :param controller_model: the RAID controller's ``Model``.
    :param controller_firmware: its ``FirmwareVersion``; None omits the property.
    :param adapter_slot: the NetworkAdapter's slot label (``Location.PartLocation.
        ServiceLabel``) with ``nic_view`` ``network_adapters``/``both``; None omits it.
    :param event_sse: the EventService offers ``ServerSentEventUri`` (else push only).
    :param event_https_only: push destinations must be ``https://`` (as some BMCs require).
    :param event_subscriptions_persist: subscriptions survive a BMC reset
        (:meth:`hamnhw.sim.events.EventService.reset`).
    :param raid: RAID write behaviour (dialect, answers, apply times, rebuild time), see
        :class:`~hamnhw.sim.raidspec.RaidSpec`.
    :param personality: serve a vendor BMC's shapes (``idrac``, ``ilo5``, ``xcc``,
        ``supermicro``; see :mod:`hamnhw.sim.personalities`); the fields it fixes (vendor,
        ids, models) take its values unless given here.  None: the plain DMTF simulator.
    """

    name: str = "node"
    username: str = SIM_USERNAME
    password: str = SIM_PASSWORD
    system_id: str = "1"
    manager_id: str = "BMC"
    chassis_id: str = "Chassis1"
    manufacturer: str = "Contoso"
    model: str = "Contoso Server 1000"
    serial: str | None = None
    uuid: str | None = None
    vendor: str | None = "Contoso"
    oem: dict[str, Any] | None = None
    manager_model: str = "Contoso BMC"
    firmware: str = "1.00"
    bios_version: str = "1.0.0"
    power: Literal["On", "Off"] = "Off"
    power_restore_policy: str = "AlwaysOff"
    nics: tuple[NicSpec, ...] | None = None
    drives: tuple[DriveSpec, ...] | None = None
    raid1: bool = True
    power_delay: float = 0.0
    storage_when_off: Literal["stale", "empty"] = "stale"
    session_service: bool = True
    basic_auth: bool = True
    session_returns_token: bool = True
    post_time: float = 1.0
    boot_time: float = 2.0
    reset_async: bool = False
    bay_count: int = 8
    nic_view: Literal["ethernet_interfaces", "network_adapters", "both",
                      "none"] = "ethernet_interfaces"
    storage_view: Literal["storage", "simple_storage", "chassis_drives", "backplane",
                          "enclosure"] = "storage"
    identify_style: Literal["location_indicator", "indicator_led"] = "location_indicator"
    null_mac_nic: bool = False
    last_reset_time: bool = True
    boot_progress: bool = True
    reset_types: tuple[str, ...] | None = None
    post_detail: bool = False
    boot_progress_time: bool = False
    setup_entered: bool = True
    foreign_volumes: bool = False
    boot_mode: str = "UEFI"
    controller_model: str = "Contoso RAID 9000"
    controller_firmware: str | None = "50.1.0"
    adapter_slot: str | None = None
    event_sse: bool = True
    event_https_only: bool = False
    event_subscriptions_persist: bool = False
    card_nics: tuple[NicSpec, ...] = ()
    card_style: Literal["functions", "ports", "network_ports", "bare"] = "functions"
    network_interfaces: bool = False
    controllers: int = 1
    empty_bays: bool = False
    shared_enclosure: bool = False
    enclosure_names_systems: bool = True
    mezz_interface_collections: bool = False
    hca_ports: tuple[HcaPortSpec, ...] = ()
    systems: Literal["listed", "empty", "absent"] = "listed"
    raid: RaidSpec = dataclasses.field(default_factory=RaidSpec)
    personality: str | None = None

    def __post_init__(self) -> None:
        if self.personality is not None:
            self._apply_personality(self.personality)
        if self.power not in STABLE_POWER_STATES:
            raise ValueError(f"power must be On or Off, got {self.power!r}")
        if self.storage_when_off not in ("stale", "empty"):
            raise ValueError(
                f"storage_when_off must be stale or empty, got {self.storage_when_off!r}")
        self._check_choices()
        nics = default_nics(self.name) if self.nics is None else tuple(self.nics)
        if self.null_mac_nic and all(nic.id != NULL_MAC_NIC_ID for nic in nics):
            nics += (NicSpec(NULL_MAC_NIC_ID, None, link_up=False),)
        defaults = {
            "nics": nics,
            "drives": default_drives(self.name) if self.drives is None else tuple(self.drives),
            "serial": self.serial or f"SIM{_digest(self.name, 'system').hex()[:10].upper()}",
            "uuid": self.uuid or str(uuid_module.UUID(bytes=_digest(self.name, "uuid")[:16])),
        }
        for key, value in defaults.items():
            object.__setattr__(self, key, value)

    def _apply_personality(self, name: str) -> None:
        """Fields still at their defaults take the personality's values."""
        from hamnhw.sim.personalities import spec_defaults

        fields = {f.name: f for f in dataclasses.fields(self)}
        for key, value in spec_defaults(name).items():
            field = fields[key]
            default = (field.default_factory() if field.default_factory is not
                       dataclasses.MISSING else field.default)
            if getattr(self, key) == default:
                object.__setattr__(self, key, value)

    def _check_choices(self) -> None:
        choices = {"nic_view": NIC_VIEWS, "storage_view": STORAGE_VIEWS,
                   "identify_style": IDENTIFY_STYLES, "card_style": CARD_STYLES,
                   "systems": SYSTEMS_SHOWN}
        for option, allowed in choices.items():
            value = getattr(self, option)
            if value not in allowed:
                raise ValueError(f"{option} must be one of {', '.join(allowed)}, got {value!r}")
        if self.controllers < 1 or self.controllers > self.bay_count:
            raise ValueError(f"controllers must be 1..bay_count, got {self.controllers!r}")

    @property
    def bmc_mac(self) -> str:
        """The BMC's own NIC MAC (Manager EthernetInterfaces)."""
        return local_mac(self.name, 0xB0)

    @property
    def bay_names(self) -> tuple[str, ...]:
        """Names of this server's drive bays."""
        return tuple(f"Bay {index}" for index in range(1, self.bay_count + 1))
