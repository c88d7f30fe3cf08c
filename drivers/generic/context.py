"""What every interface of the generic driver shares."""

from __future__ import annotations

import dataclasses
from typing import Any

from hamnhw_drivers.generic.resource import Reader
from hamnhw_drivers.generic.systems import SystemLocator

from hamnhw.interfaces import PollPolicy


@dataclasses.dataclass(frozen=True)
class DriverContext:
    """The client-side state one driver instance hands to its interfaces."""

    driver_name: str
    """Entry-point name of the driver, for messages."""
    reader: Reader
    """Resource reader over the connected client."""
    locator: SystemLocator
    """The chosen system and its manager."""
    poll: PollPolicy
    """How state changes are waited for."""

    @property
    def host(self) -> str:
        """The BMC's ``host[:port]``."""
        return self.reader.host or ""

    @property
    def client(self) -> Any:
        """The connected :class:`~hamnhw.transport.base.RedfishClient`."""
        return self.reader.client
