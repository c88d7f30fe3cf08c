"""Supermicro RAID (X11/X12/X13 with Broadcom controllers): DMTF Storage, so the generic
hooks hold; what differs is said here.

Supermicro, BMC firmware of X11/X12/X13, public source: Supermicro's Redfish Reference Guide
(storage of Broadcom controllers under ``Storage/HA-RAID``; creates answered with a task,
which the generic driver follows; sessions expire after ``SessionTimeout`` of idleness, which
the transport answers with one re-login for a read and never a re-sent write; no
``LastResetTime``, handled by the power interface).  No Redfish action imports a foreign
configuration: it is done from the controller's setup or storcli.
"""

from __future__ import annotations

from hamnhw_drivers.generic.raid import RedfishRaid

from hamnhw.errors import UnsupportedOperation
from hamnhw.raid import RaidPlan

MANUAL_IMPORT = ("import it from the controller's setup: BIOS Setup > Advanced > the "
                 "Broadcom MegaRAID configuration utility > Configuration Management > Manage "
                 "Foreign Configuration > Import (or `storcli /c0/fall import` from the OS)")


class SupermicroRaid(RedfishRaid):
    """RAID through a Supermicro BMC."""

    def notes(self) -> list[str]:
        """Why ``foreign`` is null."""
        return ["the Supermicro BMC does not report foreign RAID configurations; " +
                MANUAL_IMPORT]

    def plan_import_foreign(self) -> RaidPlan:
        """No Redfish action: :class:`~hamnhw.errors.UnsupportedOperation` naming the
        manual step (the import, planned or not, raises it)."""
        raise UnsupportedOperation(self.driver_name, "raid.import_foreign", host=self.host,
                                   detail=f"the BMC has no Redfish action for it; "
                                          f"{MANUAL_IMPORT}")
