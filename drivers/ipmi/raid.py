"""RAID over IPMI: none.  IPMI has no standard storage commands; RAID and drive serials are
read and changed over Redfish."""

from __future__ import annotations

from hamnhw_drivers.ipmi.context import REDFISH_HINT

from hamnhw.interfaces import RaidInterface


class IpmiRaid(RaidInterface):
    """Every call (reads, writes, foreign configurations) raises
    :class:`~hamnhw.errors.UnsupportedOperation` naming the Redfish scheme to use instead
    (:attr:`unsupported_hint`)."""

    unsupported_hint = f"IPMI has no RAID or drive commands; {REDFISH_HINT}"
