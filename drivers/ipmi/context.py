"""What every IPMI interface of one driver instance shares: the transport, the poll policy,
names for messages, and the reads several interfaces need."""

from __future__ import annotations

import dataclasses
from typing import Any

from hamnhw_drivers.ipmi import codec
from hamnhw_drivers.ipmi.fru import FruRecords, read_fru

from hamnhw.interfaces import PollPolicy

REDFISH_HINT = ("use the node's Redfish URL (redfish://HOST, or a vendor scheme such as "
                "idrac-redfish://HOST)")
"""What to use instead where IPMI cannot tell."""


@dataclasses.dataclass
class IpmiContext:
    """Shared by the interfaces of one :class:`~hamnhw_drivers.ipmi.IpmiDriver`."""

    driver_name: str
    """Entry-point name, for messages."""
    client: Any
    """The :class:`~hamnhw.transport.ipmi.IpmiTransport`."""
    poll: PollPolicy
    """How power changes are waited for."""
    _fru: FruRecords | None = dataclasses.field(default=None, repr=False)

    @property
    def host(self) -> str:
        """``host:port`` of the BMC."""
        return str(self.client.host)

    @property
    def boot_mode(self) -> str | None:
        """The node's boot mode as configured (``UEFI``, ``Legacy``), or None."""
        mode = getattr(self.client, "boot_mode", None)
        return mode if isinstance(mode, str) else None

    def chassis_status(self) -> codec.ChassisStatus:
        """One Get Chassis Status."""
        data = self.client.raw("chassis status", codec.NETFN_CHASSIS, codec.GET_CHASSIS_STATUS)
        return codec.parse_chassis_status(data, self.host)

    def fru(self) -> FruRecords:
        """The FRU inventory, read once per driver instance (it describes hardware)."""
        if self._fru is None:
            self._fru = read_fru(self.client)
        return self._fru
