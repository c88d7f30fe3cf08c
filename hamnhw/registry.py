"""Driver registry (entry-point group ``hamnhw.drivers``) and vendor detection.

Only the drivers of the address's protocol take part (``Driver.protocol``: ``redfish`` or
``ipmi``).  For Redfish: the URL's vendor scheme (``idrac-redfish://``), else what the
BMC says of itself (:mod:`hamnhw.vendorhints`: ServiceRoot ``Vendor`` and ``Oem`` keys, the
System's ``Oem`` keys and ``Manufacturer``, the Manager's ``Model`` where those do not
settle it), else the fallback (generic DMTF Redfish) driver.

For IPMI: a driver claiming the vendor Get Device ID names (IANA manufacturer id, see
:mod:`hamnhw.transport.ipmi_device`) in its ``vendor_names``, else the protocol's fallback
driver (the built-in ``ipmi``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from hamnhw import entrypoints
from hamnhw.address import BmcAddress
from hamnhw.driver import Driver
from hamnhw.errors import DriverNotFound
from hamnhw.log import get_logger
from hamnhw.models import Detection
from hamnhw.vendorhints import detect_redfish, model_matches, normalize_vendor, root_names

ENTRY_POINT_GROUP = "hamnhw.drivers"
LOG = get_logger("hamnhw.registry")
__all__ = ["ENTRY_POINT_GROUP", "check_registered", "detect", "driver_by_name",
           "load_drivers", "model_matches", "normalize_vendor"]


@functools.cache
def load_drivers() -> Mapping[str, type[Driver]]:
    """Load every driver registered under ``hamnhw.drivers``, keyed by name.

    A driver that fails to import is logged and skipped, so that one broken
    third-party package cannot take the others down.
    """
    drivers: dict[str, type[Driver]] = {}
    for ep in entrypoints.entry_points(ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
        except Exception as exc:
            LOG.warning("driver %s could not be loaded: %s", ep.name, exc)
            continue
        if not (isinstance(cls, type) and issubclass(cls, Driver)):
            LOG.warning("entry point %s is not a hamnhw Driver subclass; skipped", ep.name)
            continue
        cls.name = ep.name
        drivers[ep.name] = cls
    return drivers


def driver_by_name(name: str) -> type[Driver]:
    """Return the driver registered as ``name``."""
    drivers = load_drivers()
    if name not in drivers:
        raise DriverNotFound(f"no driver named {name!r}; installed: {', '.join(sorted(drivers))}",
                             usage=True)
    return drivers[name]


def detect(client: Any, address: BmcAddress,
           drivers: Mapping[str, type[Driver]] | None = None,
           problems: list[str] | None = None) -> tuple[type[Driver], Detection]:
    """Choose the driver for a connected Redfish client.

    :param client: a :class:`~hamnhw.transport.base.RedfishClient`, or for an ``ipmi://``
        address an :class:`~hamnhw.transport.ipmi.IpmiTransport`.
    :param address: the parsed BMC URL.
    :param drivers: override the registry (tests).
    :param problems: reads that failed during detection are appended here (and named in
        a fallback's reason): a detection made without them is not to be remembered.
    :raises DriverNotFound: no driver claims a forced scheme, or no fallback exists.
    """
    candidates = [d for d in (drivers or load_drivers()).values()
                  if d.protocol == address.protocol]
    if address.protocol != "redfish":
        return _detect_by_device(client, address, candidates)
    if address.forced_scheme:
        for cls in candidates:
            if address.forced_scheme in cls.url_schemes:
                return cls, Detection(cls.name, f"URL scheme {address.scheme}://",
                                      _scheme_disputed(client, address, cls, candidates))
        raise DriverNotFound(f"no installed driver handles {address.forced_scheme}://",
                             host=address.netloc, usage=True)
    failed: list[str] = [] if problems is None else problems
    found = detect_redfish(client, address.system_id, candidates, failed)
    if not isinstance(found, str):
        return found
    why = f"{found} ({'; '.join(failed)})" if failed else found
    for cls in candidates:
        if cls.fallback:
            return cls, Detection(cls.name, f"{why}; generic DMTF Redfish")
    raise DriverNotFound("no driver matches and no fallback driver is installed",
                         host=address.netloc)


def _scheme_disputed(client: Any, address: BmcAddress, chosen: type[Driver],
                     candidates: list[type[Driver]]) -> str | None:
    """A warning (logged, and returned for the detection) when the ServiceRoot names
    another driver's maker than the one the URL scheme chose; None when it names the
    chosen driver's, or no driver's.  The scheme still wins: it is the user's choice."""
    root = getattr(client, "root", None)
    if not isinstance(root, Mapping) or root_names(root, [chosen]) is not None:
        return None
    said = root_names(root, candidates)
    if said is None:
        return None
    warning = (f"the URL scheme {address.scheme}:// chose driver {chosen.name}, but the BMC "
               f"names another maker ({said[1].reason}: driver {said[0].name}); using "
               f"{chosen.name} as the URL asks (a plain redfish:// lets the BMC decide)")
    LOG.warning("%s: %s", address.netloc, warning)
    return warning


def _detect_by_device(client: Any, address: BmcAddress,
                      candidates: list[type[Driver]]) -> tuple[type[Driver], Detection]:
    """A driver for a non-Redfish protocol: by the vendor the BMC's device identity names
    (``client.device_id``), else the protocol's fallback."""
    device = getattr(client, "device_id", None)
    vendor = getattr(device, "vendor", None)
    described = device.describe() if device is not None else "no device identity"
    if isinstance(vendor, str):
        for cls in candidates:
            if normalize_vendor(vendor) in cls.vendor_names:
                return cls, Detection(cls.name, f"{address.scheme}:// BMC made by {described}")
    for cls in candidates:
        if cls.fallback:
            return cls, Detection(cls.name, f"{address.scheme}:// address; BMC: {described}")
    raise DriverNotFound(f"no driver registered for {address.scheme}:// addresses",
                         host=address.netloc, usage=True)


def check_registered(address: BmcAddress,
                     drivers: Mapping[str, type[Driver]] | None = None) -> None:
    """Refuse, before anything is sent, an address no installed driver can handle: a
    protocol no driver speaks (``ipmi://`` without an IPMI driver) or a vendor scheme no
    driver claims (``acme-redfish://``).

    :raises DriverNotFound: ``usage=True`` (exit 2), naming the scheme.
    """
    installed = (drivers or load_drivers()).values()
    speaking = [cls for cls in installed if cls.protocol == address.protocol]
    if address.forced_scheme:
        speaking = [cls for cls in speaking if address.forced_scheme in cls.url_schemes]
    if not speaking:
        raise DriverNotFound(f"no driver registered for {address.scheme}://",
                             host=address.netloc, usage=True)
