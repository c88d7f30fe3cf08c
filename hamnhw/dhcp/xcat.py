"""xCAT: the node's ``mac`` attribute as ``mac1!node|mac2!node-alias`` and the commands that
apply it.

xCAT keeps only the last MAC of entries with the same name, so the standby's MAC is bound to
an alias (``<host><alias_suffix>``) that resolves to the same address through the hosts
table (``hostnames``, written to /etc/hosts by ``makehosts``); ``makedhcp`` then writes both
MACs into the DHCP server xCAT drives.  xCAT's ``mac`` table has no client-id form: client-id
reservations are noted, not rendered.
"""

from __future__ import annotations

import shlex

from hamnhw.dhcp.plan import Plan, Reservation
from hamnhw.dhcp.render import Rendered, RenderOptions, header


def mac_attribute(reservation: Reservation) -> str | None:
    """``mac1!node|mac2!node-alias``, or None without a MAC."""
    node = reservation.hostname.split(".")[0]
    entries = []
    if reservation.primary_mac:
        entries.append(f"{reservation.primary_mac}!{node}")
    if reservation.standby_mac:
        entries.append(f"{reservation.standby_mac}!{reservation.alias}")
    return "|".join(entries) if entries and reservation.kind == "ethernet" else None


def commands_for(reservation: Reservation) -> list[str]:
    """chdef, makehosts, makedhcp for one address."""
    node = reservation.hostname.split(".")[0]
    mac = mac_attribute(reservation)
    if mac is None:
        return []
    attributes = [f"ip={reservation.ip}", f"mac={mac}"]
    if reservation.standby_mac:
        attributes.append(f"hostnames={reservation.alias}")
    return [shlex.join(["chdef", "-t", "node", "-o", node, *attributes]),
            shlex.join(["makehosts", node]), shlex.join(["makedhcp", node])]


def render(plan: Plan, options: RenderOptions) -> Rendered:
    """A shell script of xCAT commands."""
    commands: list[str] = []
    notes = list(plan.notes)
    for reservation in plan.reservations:
        commands += commands_for(reservation)
        if reservation.client_ids:
            notes.append(f"{reservation.nic_id}: client-id reservations ("
                         + ", ".join(c.value for c in reservation.client_ids)
                         + ") cannot be expressed in xCAT's mac table; add them to the DHCP "
                           "server's own configuration (--format isc|kea|dnsmasq)")
    shown = Plan(plan.reservations, tuple(notes))
    lines = ["#!/bin/sh", "set -e", *header("xcat", shown, ()), "", *commands]
    return Rendered("xcat", "\n".join(lines) + "\n", tuple(commands), tuple(notes))
