"""Kea DHCPv4: reservations for both MACs (and client ids) of one address, allowed by
``ip-reservations-unique: false``, and the ``lease_cmds`` hook for the failover command.

Kea keeps an address leased to the client that had it: after a disk move the standby's MAC
would get a pool address (or none) until the old MAC's lease expires.  The failover step is
therefore ``lease4-del`` of each address on Kea's control socket, printed with the render
(``commands``).  A client that sends the same client id from both nodes (systemd-networkd's
DUID, given ``machine_id`` and ``ifname``) is the same client to Kea and keeps its lease.
Check the file with ``kea-dhcp4 -t FILE``.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
from typing import Any

from hamnhw.dhcp.plan import Plan, Reservation
from hamnhw.dhcp.render import Rendered, RenderOptions, header

LEASE_CMDS = "libdhcp_lease_cmds.so"


def reservations(reservation: Reservation) -> list[dict[str, Any]]:
    """Kea host reservations of one address."""
    found: list[dict[str, Any]] = [{"hw-address": mac, "ip-address": reservation.ip,
                                    "hostname": reservation.hostname}
                                   for mac in reservation.macs]
    found += [{"client-id": c.value, "ip-address": reservation.ip,
               "hostname": reservation.hostname} for c in reservation.client_ids]
    return found


def lease_delete(ip: str) -> dict[str, Any]:
    """The ``lease4-del`` command freeing ``ip`` from whichever client holds it."""
    return {"command": "lease4-del", "arguments": {"ip-address": ip}}


def failover_commands(plan: Plan, options: RenderOptions) -> tuple[str, ...]:
    """Shell lines that send ``lease4-del`` for every reserved address to Kea."""
    return tuple(f"echo {shlex.quote(json.dumps(lease_delete(r.ip)))} | "
                 f"socat UNIX:{shlex.quote(options.kea_socket)} -"
                 for r in plan.reservations)


def config(plan: Plan, options: RenderOptions) -> dict[str, Any]:
    """The Dhcp4 configuration as a dict."""
    subnets: dict[str, list[dict[str, Any]]] = {}
    global_reservations: list[dict[str, Any]] = []
    for reservation in plan.reservations:
        target = (subnets.setdefault(reservation.subnet, []) if reservation.subnet
                  else global_reservations)
        target += reservations(reservation)
    lease_db: dict[str, Any] = {"type": "memfile", "persist": True, "lfc-interval": 3600}
    if options.kea_lease_file:
        lease_db["name"] = options.kea_lease_file
    dhcp4: dict[str, Any] = {
        "interfaces-config": {"interfaces": list(options.interfaces)},
        "control-socket": {"socket-type": "unix", "socket-name": options.kea_socket},
        "lease-database": lease_db,
        "hooks-libraries": [{"library": f"{options.kea_hooks_dir.rstrip('/')}/{LEASE_CMDS}"}],
        "ip-reservations-unique": False,
        "host-reservation-identifiers": ["hw-address", "client-id"],
        "subnet4": [{"id": index, "subnet": subnet, "reservations": found}
                    for index, (subnet, found) in enumerate(subnets.items(), 1)],
    }
    if global_reservations:
        dhcp4["reservations"] = global_reservations
    return {"Dhcp4": dhcp4}


def render(plan: Plan, options: RenderOptions) -> Rendered:
    """The kea-dhcp4 configuration (Kea accepts ``#`` comments)."""
    commands = failover_commands(plan, options)
    notes = list(plan.notes)
    notes.append("At failover, after the old node is off and before the standby boots, run "
                 "the commands above: Kea otherwise keeps each address leased to the old "
                 "MAC and gives the standby a pool address.  List them in the config's "
                 "[failover] disk_move_steps and the failover's WORK ORDER prints them.")
    if any(r.subnet is None for r in plan.reservations):
        notes.append("Addresses given without a prefix are global reservations: the subnet "
                     "they belong to must be defined (with reservations-global: true).")
    lines = header("kea", dataclasses.replace(plan, notes=tuple(notes)), commands,
                   commands_title="At failover (old node off, before the standby boots), free "
                                  "the addresses from the old MACs:")
    text = "\n".join(lines) + "\n" + json.dumps(config(plan, options), indent=2) + "\n"
    return Rendered("kea", text, commands, tuple(notes))
