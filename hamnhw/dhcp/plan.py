"""Which addresses to reserve for which MACs and client ids.

Each ``[network.nics."<primary NIC id>"]`` entry gives an address and a host name; the NIC
map (from ``pair check``) names the standby NIC that takes that NIC's place, whose MAC gets
the same address.  Client-id reservations are added where the config names one (or gives
``machine_id`` + ``ifname``: systemd-networkd's DUID-based id), and InfiniBand ports are
reserved by client id only (their 20-byte hardware address is no Ethernet MAC).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from hamnhw.config import NetworkConfig
from hamnhw.dhcp.clientid import infiniband_client_id, networkd_client_id
from hamnhw.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class ClientId:
    """A client-id reservation and where it comes from."""

    value: str
    """Lower-case colon hex."""
    origin: str
    """``config``, ``systemd-networkd`` or ``infiniband <node>``."""


@dataclasses.dataclass(frozen=True)
class Reservation:
    """One address and everything that must get it."""

    nic_id: str
    """The primary's NIC id (the config key)."""
    standby_nic_id: str | None
    hostname: str
    alias: str
    """Second name for the standby MAC's entry (xCAT keeps one MAC per name)."""
    ip: str
    prefix: int | None
    kind: str
    """``ethernet`` or ``infiniband``."""
    primary_mac: str | None
    standby_mac: str | None
    client_ids: tuple[ClientId, ...] = ()
    ifname: str | None = None
    """The OS interface name the config gives, if any."""

    @property
    def macs(self) -> tuple[str, ...]:
        """The Ethernet MACs to reserve for (none for InfiniBand), each once: a MAC both
        nodes show (cloned) is one reservation, Kea refuses it twice in a subnet."""
        if self.kind != "ethernet":
            return ()
        return tuple(dict.fromkeys(m for m in (self.primary_mac, self.standby_mac) if m))

    @property
    def shared_mac(self) -> bool:
        """Both nodes show the same MAC for this address (one reservation serves both)."""
        return bool(self.primary_mac) and self.primary_mac == self.standby_mac

    @property
    def subnet(self) -> str | None:
        """``a.b.c.0/n`` when the config gave a prefix."""
        if self.prefix is None:
            return None
        return str(ipaddress.IPv4Interface(f"{self.ip}/{self.prefix}").network)


@dataclasses.dataclass(frozen=True)
class Plan:
    """All reservations, and what the admin should know about them."""

    reservations: tuple[Reservation, ...]
    notes: tuple[str, ...]
    unreserved: tuple[str, ...] = ()
    """Each configured address not reserved for both nodes, naming the address and why
    (``NIC1 (10.0.0.10): ...``): the MN does not keep it when its disks move."""


def plan_reservations(network: NetworkConfig, nic_map: Sequence[Mapping[str, Any]],
                      source: str | None = None) -> Plan:
    """Join ``[network]`` with the NIC map.

    :param source: the config file ``network`` came from, named in errors.
    :raises ConfigError: no ``[network.nics]``, or a NIC id the primary does not have.
    """
    check_network(network, source)
    by_primary = {e.get("primary"): e for e in nic_map if e.get("primary")}
    reservations: list[Reservation] = []
    notes: list[str] = []
    unreserved: list[str] = []
    for nic in network.nics.values():
        entry = by_primary.get(nic.nic_id)
        if entry is None:
            known = ", ".join(sorted(str(k) for k in by_primary)) or "none"
            raise ConfigError(f"the primary has no NIC {nic.nic_id!r} (its NICs: {known})",
                              key=f"network.nics.{nic.nic_id}", path=source)
        kind = str(entry.get("kind") or "ethernet")
        client_ids = _client_ids(network, nic.client_id, nic.ifname, entry, kind, notes)
        reservation = Reservation(
            nic_id=nic.nic_id, standby_nic_id=entry.get("standby"), hostname=nic.hostname,
            alias=f"{nic.hostname.split('.')[0]}{network.alias_suffix}", ip=nic.ip,
            prefix=nic.prefix, kind=kind, primary_mac=_mac(entry.get("primary_mac")),
            standby_mac=_mac(entry.get("standby_mac")), client_ids=tuple(client_ids),
            ifname=nic.ifname)
        unreserved += _gaps(reservation)
        if reservation.shared_mac:
            notes.append(f"{nic.nic_id} ({nic.ip}): both nodes show MAC "
                         f"{reservation.primary_mac} (pair check nic_mac): one reservation "
                         "serves both, and DHCP cannot tell the nodes apart")
        reservations.append(reservation)
    return Plan(tuple(reservations), tuple(notes), tuple(unreserved))


def _mac(value: Any) -> str | None:
    """A NIC map MAC, lower case (so that the same MAC read twice compares equal)."""
    return str(value).lower() if value else None


def check_network(network: NetworkConfig, source: str | None) -> None:
    """:raises ConfigError: ``[network]`` names no address to reserve (naming the file)."""
    if not network.nics:
        raise ConfigError("no [network.nics.\"<primary NIC id>\"] table in the config: "
                          "nothing to reserve (see docs/runbook.md, Preparation 3)",
                          key="network.nics", path=source)


def _client_ids(network: NetworkConfig, explicit: str | None, ifname: str | None,
                entry: Mapping[str, Any], kind: str, notes: list[str]) -> list[ClientId]:
    found = []
    if explicit:
        found.append(ClientId(explicit, "config"))
    if ifname and network.machine_id:
        value = networkd_client_id(network.machine_id, ifname)
        found.append(ClientId(value, "systemd-networkd"))
        notes.append(f"{ifname}: systemd-networkd client id {value} (DUID from machine-id, "
                     f"IAID from the name {ifname}; the same on the standby only if its NIC "
                     "gets the same persistent name)")
    elif ifname:
        notes.append(f"{ifname}: no [network] machine_id, so no systemd-networkd client id")
    if kind == "infiniband":
        for side in ("primary", "standby"):
            guid = entry.get(f"{side}_port_guid")
            if guid:
                found.append(ClientId(infiniband_client_id(str(guid)), f"infiniband {side}"))
    return found


def _gaps(reservation: Reservation) -> list[str]:
    """Why the address is not reserved for the primary or the standby (empty when it is
    for both)."""
    name = f"{reservation.nic_id} ({reservation.ip})"
    if reservation.kind == "infiniband":
        sides = {c.origin for c in reservation.client_ids}
        missing = [s for s in ("primary", "standby") if f"infiniband {s}" not in sides]
        return [f"{name}: not reserved for the {s}: its InfiniBand port GUID is unknown, so "
                "there is no client-id reservation for it" for s in missing]
    gaps = []
    if reservation.standby_nic_id is None:
        gaps.append(f"{name}: not reserved for the standby: no standby NIC takes its place "
                    "(pair check nic_map), only the primary's MAC is reserved")
    for side, nic, mac in (("primary", reservation.nic_id, reservation.primary_mac),
                           ("standby", reservation.standby_nic_id, reservation.standby_mac)):
        if mac is None and nic:
            gaps.append(f"{name}: not reserved for the {side}: its NIC {nic} shows no "
                        "usable MAC")
    return gaps
