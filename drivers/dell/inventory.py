"""Dell iDRAC inventory: the generic one, the service tag counted among the host's serials.

iDRAC's ComputerSystem ``SerialNumber`` is not the service tag printed on the server and
used by Dell and the OS (``dmidecode -s system-serial-number``); the service tag is in
``SKU`` (ansible/ansible#53461, jenningsloy318/redfish_exporter#54; docs/quirks.md).  Both
are kept in :attr:`~hamnhw.models.System.serials`, so that the old-node guard
(:mod:`hamnhw.pair.oldnode`) recognises a Dell however its serial was read.  Only Dell's
``SKU`` is a serial: other vendors put a model number there, shared by identical servers.
"""

from __future__ import annotations

from typing import ClassVar

from hamnhw_drivers.generic.inventory import RedfishInventory


class DellInventory(RedfishInventory):
    """:class:`RedfishInventory` whose host serials include the service tag (``SKU``)."""

    serial_fields: ClassVar[tuple[str, ...]] = ("SerialNumber", "SKU")
