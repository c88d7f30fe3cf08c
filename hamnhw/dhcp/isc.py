"""ISC dhcpd: one ``host`` block per MAC and per client id, all with the same
``fixed-address``.  Include the file from ``dhcpd.conf``; check it with ``dhcpd -t -cf``.

Fixed addresses are not leases in dhcpd, so the standby's MAC gets the address even while the
primary's old lease is remembered: no command is needed at failover.
"""

from __future__ import annotations

from hamnhw.dhcp.plan import Plan, Reservation
from hamnhw.dhcp.render import Rendered, RenderOptions, header, safe_name


def _host(name: str, match: str, reservation: Reservation) -> str:
    return (f"host {safe_name(name)} {{\n"
            f"  {match};\n"
            f"  fixed-address {reservation.ip};\n"
            f"  option host-name \"{reservation.hostname}\";\n"
            "}")


def host_blocks(reservation: Reservation) -> list[str]:
    """The host declarations of one reservation."""
    blocks = []
    roles = (("primary", reservation.primary_mac),
             ("standby", None if reservation.shared_mac else reservation.standby_mac))
    for role, mac in roles:
        if mac and reservation.kind == "ethernet":
            blocks.append(_host(f"{reservation.hostname}-{reservation.nic_id}-{role}",
                                f"hardware ethernet {mac}", reservation))
    for index, client_id in enumerate(reservation.client_ids, 1):
        blocks.append(_host(f"{reservation.hostname}-{reservation.nic_id}-cid{index}",
                            f"option dhcp-client-identifier {client_id.value}", reservation))
    return blocks


def render(plan: Plan, options: RenderOptions) -> Rendered:
    """The dhcpd include file."""
    lines = header("isc", plan, ())
    for reservation in plan.reservations:
        lines += ["", f"# {reservation.hostname} ({reservation.nic_id} -> "
                      f"{reservation.standby_nic_id or 'no standby NIC'})"]
        lines += host_blocks(reservation)
    return Rendered("isc", "\n".join(lines) + "\n", (), plan.notes)
