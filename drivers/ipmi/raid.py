"""RAID over IPMI: none.  IPMI has no standard storage commands; RAID and drive serials are
read and changed over Redfish."""

from __future__ import annotations

from typing import NoReturn

from hamnhw_drivers.ipmi.context import REDFISH_HINT

from hamnhw.interfaces import RaidInterface, RaidView
from hamnhw.models import Drive, Volume


class IpmiRaid(RaidInterface):
    """Every call raises :class:`~hamnhw.errors.UnsupportedOperation` naming the Redfish
    scheme to use instead."""

    def _refuse(self, operation: str) -> NoReturn:
        self._unsupported(operation, f"IPMI has no RAID or drive commands; {REDFISH_HINT}")

    def volumes(self) -> tuple[Volume, ...] | None:
        """Refused: use Redfish."""
        self._refuse("raid.volumes")

    def drives(self) -> tuple[Drive, ...] | None:
        """Refused: use Redfish (drive serials included)."""
        self._refuse("raid.drives")

    def storage(self) -> RaidView:
        """Refused: use Redfish."""
        self._refuse("raid.storage")
