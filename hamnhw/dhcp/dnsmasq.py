"""dnsmasq: one ``dhcp-host`` line per address listing both MACs (and the client id).

dnsmasq hands an address listed with several MACs to whichever asks, abandoning the other's
lease, so the standby gets the primary's address at once.  Put the file in
``/etc/dnsmasq.d/``; check it with ``dnsmasq --test -C FILE``.
"""

from __future__ import annotations

from hamnhw.dhcp.plan import Plan, Reservation
from hamnhw.dhcp.render import Rendered, RenderOptions, header


def dhcp_host(reservation: Reservation) -> str | None:
    """The ``dhcp-host=`` line, or None when nothing identifies a client."""
    parts = list(reservation.macs)
    parts += [f"id:{c.value}" for c in reservation.client_ids]
    if not parts:
        return None
    return "dhcp-host=" + ",".join([*parts, reservation.ip, reservation.hostname.split(".")[0]])


def render(plan: Plan, options: RenderOptions) -> Rendered:
    """The dnsmasq configuration snippet."""
    lines = header("dnsmasq", plan, ())
    for reservation in plan.reservations:
        line = dhcp_host(reservation)
        lines += ["", f"# {reservation.hostname} ({reservation.nic_id} -> "
                      f"{reservation.standby_nic_id or 'no standby NIC'})",
                  line or f"# nothing identifies {reservation.nic_id}: no line"]
    return Rendered("dnsmasq", "\n".join(lines) + "\n", (), plan.notes)
