"""The ``[network]`` table of the configuration file (:mod:`hamnhw.config`): the addresses
the MN keeps across a failover, rendered by ``hamnhw dhcp render``."""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from hamnhw.configkeys import check_keys, subtable
from hamnhw.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class NetworkNic:
    """One ``[network.nics."<primary NIC id>"]`` table: an address the MN must keep."""

    nic_id: str
    """The primary node's NIC id (the standby's counterpart comes from the NIC map)."""
    ip: str
    """IPv4 address."""
    prefix: int | None
    """Prefix length when ``ip`` was given as ``a.b.c.d/n``, else None."""
    hostname: str
    """Host name of this address."""
    client_id: str | None = None
    """A DHCP client identifier to reserve too (lower-case colon hex)."""
    ifname: str | None = None
    """The OS's persistent interface name (with ``machine_id``: systemd-networkd's client id)."""


@dataclasses.dataclass(frozen=True)
class NetworkConfig:
    """The ``[network]`` table."""

    nics: Mapping[str, NetworkNic]
    """By primary NIC id, in file order."""
    machine_id: str | None = None
    """The MN OS's ``/etc/machine-id`` (32 hex digits), or None."""
    alias_suffix: str = "-standby"
    """Suffix of the xCAT host name given to the standby MAC's entry."""


_NETWORK_KEYS: dict[str, tuple[type, ...]] = {"machine_id": (str,), "alias_suffix": (str,),
                                               "nics": (dict,)}
_NETWORK_NIC_KEYS: dict[str, tuple[type, ...]] = {"ip": (str,), "hostname": (str,),
                                                   "client_id": (str,), "ifname": (str,)}
_HOSTNAME = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$")
_CLIENT_ID = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){1,254}$")


def parse_network(table: Mapping[str, Any], source: str | None) -> NetworkConfig:
    """The ``[network]`` table, checked.

    :raises ConfigError: an unknown or mistyped key, a bad address, host name, client id or
        machine id, or an address or host name given to two NICs."""
    check_keys(table, _NETWORK_KEYS, "network.", source)
    machine_id = table.get("machine_id")
    if machine_id is not None and not re.fullmatch(r"[0-9a-f]{32}", machine_id):
        raise ConfigError("must be 32 lower-case hex digits (as in /etc/machine-id)",
                          key="network.machine_id", path=source)
    suffix = table.get("alias_suffix", "-standby")
    if not re.fullmatch(r"[A-Za-z0-9-]{1,30}", suffix):
        raise ConfigError("must be letters, digits or '-'", key="network.alias_suffix",
                          path=source)
    nics = {nic_id: _network_nic(nic_id, subtable(table["nics"], nic_id, source, "network.nics."),
                                 source)
            for nic_id in table.get("nics", {})}
    for attribute in ("ip", "hostname"):
        seen: dict[str, str] = {}
        for nic in nics.values():
            value = getattr(nic, attribute)
            if value in seen:
                raise ConfigError(f"{value} is also given to {seen[value]!r}",
                                  key=f"network.nics.{nic.nic_id}.{attribute}", path=source)
            seen[value] = nic.nic_id
    return NetworkConfig(nics, machine_id, suffix)


def _network_nic(nic_id: str, table: Mapping[str, Any], source: str | None) -> NetworkNic:
    where = f"network.nics.{nic_id}"
    check_keys(table, _NETWORK_NIC_KEYS, f"{where}.", source)
    for required in ("ip", "hostname"):
        if required not in table:
            raise ConfigError("missing required key", key=f"{where}.{required}", path=source)
    try:
        interface = ipaddress.IPv4Interface(table["ip"])
    except ValueError as exc:
        raise ConfigError(f"not an IPv4 address (a.b.c.d or a.b.c.d/n): {exc}",
                          key=f"{where}.ip", path=source) from exc
    unusable = _not_a_host(interface, "/" in table["ip"])
    if unusable:
        raise ConfigError(f"{table['ip']} is {unusable}, not an address a DHCP server can "
                          "give a NIC", key=f"{where}.ip", path=source)
    if not _HOSTNAME.match(table["hostname"]):
        raise ConfigError("not a valid host name", key=f"{where}.hostname", path=source)
    client_id = table.get("client_id")
    if client_id is not None:
        client_id = client_id.lower()
        if not _CLIENT_ID.match(client_id):
            raise ConfigError("must be colon-separated hex bytes (e.g. ff:00:...)",
                              key=f"{where}.client_id", path=source)
    prefix = interface.network.prefixlen if "/" in table["ip"] else None
    return NetworkNic(nic_id, str(interface.ip), prefix, table["hostname"], client_id,
                      table.get("ifname"))


def _not_a_host(interface: ipaddress.IPv4Interface, prefixed: bool) -> str | None:
    """What ``interface`` is when no host can have it (its subnet's network or broadcast
    address, given a prefix of /30 or wider; unspecified, loopback, multicast or reserved),
    else None."""
    address, network = interface.ip, interface.network
    if prefixed and network.prefixlen <= 30 and address in (network.network_address,
                                                             network.broadcast_address):
        which = "network" if address == network.network_address else "broadcast"
        return f"the {which} address of {network}"
    for attribute, what in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"),
                            ("is_multicast", "multicast"), ("is_reserved", "reserved")):
        if getattr(address, attribute):
            return f"a {what} address"
    return None
