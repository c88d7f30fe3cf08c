"""The driver base class: a composition of small interfaces.

A driver package (built in under ``drivers/`` or third party) subclasses
:class:`Driver`, fills in the detection hints and builds its interfaces in
``__init__``, then registers the class under the entry-point group
``hamnhw.drivers``.  Core finds it only through that entry point.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hamnhw.address import BmcAddress
from hamnhw.interfaces import (
    InventoryInterface,
    ManagementInterface,
    NicInterface,
    PollPolicy,
    PowerInterface,
    RaidInterface,
)


class Driver:
    """Base of every driver.

    Detection hints are matched by :mod:`hamnhw.registry` in the pyghmi order:
    a forced URL scheme, then ServiceRoot ``Vendor``, then ServiceRoot ``Oem``
    keys, then Manager ``Model``; the driver marked ``fallback`` catches the rest.
    """

    name: ClassVar[str] = ""
    """Entry-point name; filled in by the registry when loaded."""
    protocol: ClassVar[str] = "redfish"
    """Transport protocol the driver speaks: ``redfish`` or ``ipmi``."""
    url_schemes: ClassVar[tuple[str, ...]] = ()
    """Vendor URL schemes that force this driver, e.g. ``("idrac-redfish",)``."""
    vendor_names: ClassVar[tuple[str, ...]] = ()
    """Normalised ServiceRoot ``Vendor`` values (see :func:`hamnhw.registry.normalize_vendor`)."""
    oem_keys: ClassVar[tuple[str, ...]] = ()
    """ServiceRoot ``Oem`` keys that identify the vendor, e.g. ``("Dell",)``."""
    manager_models: ClassVar[tuple[str, ...]] = ()
    """Case-insensitive substrings of Manager ``Model``, e.g. ``("iDRAC",)``."""
    fallback: ClassVar[bool] = False
    """True for the generic driver chosen when nothing else matches."""
    storage_event_messages: ClassVar[tuple[str, ...]] = ()
    """MessageId prefixes of the vendor's own registry that are about drives or volumes
    (e.g. a vendor's drive-failure messages); the event listener re-reads the RAID state on
    them.  DMTF ``StorageDevice`` messages and events whose ``OriginOfCondition`` is under
    storage need no entry (:func:`hamnhw.monitor.eventrecords.is_storage_event`)."""

    power: PowerInterface
    """Power state and actions."""
    management: ManagementInterface
    """Boot override and identify LED."""
    nics: NicInterface
    """Host and BMC NICs."""
    inventory: InventoryInterface
    """System, manager, storage inventory."""
    raid: RaidInterface
    """Hardware RAID."""

    def __init__(self, client: Any, address: BmcAddress, poll: PollPolicy) -> None:
        self.client = client
        self.address = address
        self.poll = poll

    def open(self) -> None:
        """Check, right after connecting, that the node is usable (called by
        :func:`hamnhw.connect`); the default does nothing.

        A driver raises here what the user must fix before anything else works: no
        system or an ambiguous one, credentials that the BMC refuses.
        """

    def probe(self) -> None:
        """Like :meth:`open`, for a caller that needs no system (``hamnhw detect``): check
        what can be checked without choosing one; the default does nothing."""

    def close(self) -> None:
        """Release the transport (log the session out)."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()
