"""xCAT: the MN as ONE xCAT node whose ``mac`` attribute lists every NIC's MACs, primary
and standby, as ``mac!hostname`` (xCAT's ``mac`` table), and the commands that apply it.

* The node is named after the first ``[network.nics]`` entry's host name (its short name);
  its ``ip`` is that NIC's address.  Each further NIC is a NIC of the same node in xCAT's
  ``nics`` table (``nicips.<if>``, a host name suffix or prefix, ``nicaliases.<if>``), not a
  node of its own.  ``<if>`` is the entry's ``ifname``, else a name made from its NIC id.
* xCAT keeps only the last MAC of entries with the same name, so each standby MAC is bound to
  an alias (``<host><alias_suffix>``) that resolves to the same address: the node's
  ``hostnames`` for the first NIC, ``nicaliases.<if>`` for the others.  The node's alias
  is added with ``chdef -p`` after ``chdef -m`` (xCAT's list add/remove), so its other
  host names are kept and a re-run does not list it twice; ``makehosts`` writes them all
  to /etc/hosts and ``makedhcp`` both MACs of every NIC into the DHCP server xCAT drives.
* Two NICs whose host names share a short name (``mn.a``, ``mn.b``) stay apart: the second
  gets ``-<if>`` as its xCAT name, its own host name as an alias.
* xCAT's ``mac`` table has no client-id form: client-id (and InfiniBand) reservations are
  noted, not rendered.
"""

from __future__ import annotations

import dataclasses
import shlex

from hamnhw.dhcp.plan import Plan, Reservation
from hamnhw.dhcp.render import Rendered, RenderOptions, header, safe_name


@dataclasses.dataclass(frozen=True)
class XcatNic:
    """How one reservation appears in the xCAT node."""

    reservation: Reservation
    name: str
    """The host name its primary MAC is bound to (the node name for the first NIC)."""
    alias: str
    """The host name its standby MAC is bound to."""
    interface: str | None = None
    """Its key in the ``nics`` table (None for the node's first NIC)."""
    attributes: tuple[str, ...] = ()
    """``nics`` table attributes (``nicips.<if>=...``) for a further NIC."""
    aliases: tuple[str, ...] = ()
    """Host names the NIC's address also answers to (``nicaliases``)."""

    def mac_entries(self) -> list[str]:
        """``mac!name`` for its primary and standby MAC (none for InfiniBand)."""
        r = self.reservation
        if r.kind != "ethernet":
            return []
        standby = None if r.shared_mac else r.standby_mac
        return [f"{mac}!{name}" for mac, name in ((r.primary_mac, self.name),
                                                   (standby, self.alias)) if mac]


def short(hostname: str) -> str:
    """The host name's first label."""
    return hostname.split(".")[0]


def xcat_nics(plan: Plan) -> list[XcatNic]:
    """The reservations as NICs of one xCAT node (see the module docstring)."""
    if not plan.reservations:
        return []
    first = plan.reservations[0]
    node = short(first.hostname)
    taken = {node}
    found = [XcatNic(first, node, _unique(first.alias, first.hostname, taken))]
    for reservation in plan.reservations[1:]:
        interface = reservation.ifname or safe_name(reservation.nic_id)
        host = short(reservation.hostname)
        if host.startswith(node) and host != node and host not in taken:
            name, naming = host, f"nichostnamesuffixes.{interface}={host[len(node):]}"
        elif host.endswith(node) and host != node and host not in taken:
            name, naming = host, f"nichostnameprefixes.{interface}={host[:-len(node)]}"
        else:
            name, naming = f"{node}-{interface}", f"nichostnamesuffixes.{interface}=-{interface}"
        taken.add(name)
        alias = _unique(reservation.alias, reservation.hostname, taken)
        extra = tuple(a for a in (reservation.hostname,) if a != name)
        found.append(XcatNic(reservation, name, alias, interface,
                             (f"nicips.{interface}={reservation.ip}", naming), extra))
    return found


def _unique(alias: str, hostname: str, taken: set[str]) -> str:
    """``alias``, or one made from the whole host name when another NIC took it."""
    if alias in taken:
        alias = f"{hostname.replace('.', '-')}{alias[len(short(hostname)):]}"
    taken.add(alias)
    return alias


def mac_attribute(nics: list[XcatNic]) -> str | None:
    """``mac1!node|mac2!node-alias|...`` over every NIC, or None without a MAC."""
    entries = [entry for nic in nics for entry in nic.mac_entries()]
    return "|".join(entries) if entries else None


def _chdef(node: str, *arguments: str) -> str:
    return shlex.join(["chdef", "-t", "node", "-o", node, *arguments])


def commands_for(nics: list[XcatNic]) -> list[str]:
    """chdef (node, NICs, aliases added to the lists), makehosts, makedhcp."""
    mac = mac_attribute(nics)
    if mac is None:
        return []
    node = nics[0].name
    first = nics[0]
    commands = [_chdef(node, f"ip={first.reservation.ip}", f"mac={mac}")]
    if first.reservation.standby_mac and first.reservation.kind == "ethernet":
        commands += [_chdef(node, flag, f"hostnames={first.alias}") for flag in ("-m", "-p")]
    for nic in nics[1:]:
        names = [*nic.aliases, *([nic.alias] if nic.reservation.standby_mac else [])]
        aliases = [f"nicaliases.{nic.interface}={' '.join(names)}"] if names else []
        commands.append(_chdef(node, *nic.attributes, *aliases))
    return [*commands, shlex.join(["makehosts", node]), shlex.join(["makedhcp", node])]


def render(plan: Plan, options: RenderOptions) -> Rendered:
    """A shell script of xCAT commands."""
    nics = xcat_nics(plan)
    commands = commands_for(nics)
    notes = list(plan.notes)
    for reservation in plan.reservations:
        if reservation.client_ids:
            notes.append(f"{reservation.nic_id}: client-id reservations ("
                         + ", ".join(c.value for c in reservation.client_ids)
                         + ") cannot be expressed in xCAT's mac table; add them to the DHCP "
                           "server's own configuration (--format isc|kea|dnsmasq)")
    notes += [f"{nic.reservation.nic_id}: xCAT nics entry '{nic.interface}' named after the "
              "NIC id; set ifname in its [network.nics] table to use the OS interface name"
              for nic in nics[1:] if not nic.reservation.ifname]
    shown = dataclasses.replace(plan, notes=tuple(notes))
    lines = ["#!/bin/sh", "set -e", *header("xcat", shown, ()), "", *commands]
    return Rendered("xcat", "\n".join(lines) + "\n", tuple(commands), tuple(notes))
