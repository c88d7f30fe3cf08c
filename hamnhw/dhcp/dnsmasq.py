"""dnsmasq: one ``dhcp-host`` line per address listing both MACs (and the client id).

dnsmasq hands an address listed with several MACs to whichever asks, abandoning the other's
lease, so the standby gets the primary's address at once.  Put the file in
``/etc/dnsmasq.d/``; check it with ``dnsmasq --test -C FILE``.

A ``dhcp-host`` line holds ONE client id (a second ``id:`` replaces the first) and two lines
may not share an address.  Where an address has several client ids (InfiniBand ports of
both nodes), the line carries the first (the primary's) and the others are written as
commented alternative lines, to swap in at failover (noted in the output).
"""

from __future__ import annotations

import dataclasses

from hamnhw.dhcp.plan import Plan, Reservation
from hamnhw.dhcp.render import Rendered, RenderOptions, header


def dhcp_host(reservation: Reservation, client_id: str | None = None) -> str | None:
    """The ``dhcp-host=`` line with both MACs and one client id (by default the first), or
    None when nothing identifies a client."""
    chosen = client_id or next((c.value for c in reservation.client_ids), None)
    parts = [*reservation.macs, *([f"id:{chosen}"] if chosen else [])]
    if not parts:
        return None
    return "dhcp-host=" + ",".join([*parts, reservation.ip, reservation.hostname.split(".")[0]])


def render(plan: Plan, options: RenderOptions) -> Rendered:
    """The dnsmasq configuration snippet."""
    body: list[str] = []
    notes = list(plan.notes)
    for reservation in plan.reservations:
        line = dhcp_host(reservation)
        body += ["", f"# {reservation.hostname} ({reservation.nic_id} -> "
                     f"{reservation.standby_nic_id or 'no standby NIC'})",
                 line or f"# nothing identifies {reservation.nic_id}: no line"]
        for other in reservation.client_ids[1:]:
            body.append(f"# alternative ({other.origin}): {dhcp_host(reservation, other.value)}")
            notes.append(f"{reservation.nic_id} ({reservation.ip}): dnsmasq holds one client "
                         f"id per address; the line serves {reservation.client_ids[0].origin}; "
                         f"for {other.origin} replace it with the commented alternative and "
                         "restart dnsmasq")
    lines = header("dnsmasq", dataclasses.replace(plan, notes=tuple(notes)), ()) + body
    return Rendered("dnsmasq", "\n".join(lines) + "\n", (), tuple(notes))
