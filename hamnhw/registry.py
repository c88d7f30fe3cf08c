"""Driver registry (entry-point group ``hamnhw.drivers``) and vendor detection.

Only the drivers of the address's protocol take part (``Driver.protocol``: ``redfish`` or
``ipmi``).  For Redfish, detection order, first match wins:

1. the URL forces a vendor scheme (``idrac-redfish://``);
2. ServiceRoot ``Vendor``, normalised;
3. ServiceRoot ``Oem`` keys;
4. the System's ``Manufacturer``, normalised, then its ``Oem`` keys (the System the driver
   reads next anyway: no request of its own);
5. only when the System names no manufacturer: the managing Manager's ``Model``, matched
   against each driver's hints at word boundaries (see :func:`model_matches`);
6. the fallback (generic DMTF Redfish) driver.

A System naming a manufacturer no driver claims, with no driver's ``Oem`` key, settles on
the fallback without reading the Manager: the BMCs the hints name (iDRAC, iLO, XCC) ship in
their maker's servers, and a rebranded one keeps its maker's ``Oem`` section.

For IPMI: a driver claiming the vendor Get Device ID names (IANA manufacturer id, see
:mod:`hamnhw.transport.ipmi_device`) in its ``vendor_names``, else the protocol's fallback
driver (the built-in ``ipmi``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from hamnhw import entrypoints
from hamnhw.address import BmcAddress
from hamnhw.driver import Driver
from hamnhw.errors import DriverNotFound, HttpError, MalformedResponse
from hamnhw.log import get_logger
from hamnhw.models import Detection
from hamnhw.placeholders import known_text

ENTRY_POINT_GROUP = "hamnhw.drivers"
LOG = get_logger("hamnhw.registry")
_CORPORATE = re.compile(r"\b(inc|corp|corporation|co|ltd|llc|computer|company)\b")


def normalize_vendor(value: str) -> str:
    """Normalise a vendor string: lower case, punctuation and corporate suffixes gone.

    ``"Dell Inc."`` gives ``"dell"``, ``"HPE"`` gives ``"hpe"``; aliases such as
    ``hp`` are listed by the driver itself in ``vendor_names``.
    """
    text = re.sub(r"[^a-z0-9 ]+", " ", value.lower())
    text = _CORPORATE.sub(" ", text)
    return " ".join(text.split())


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
           drivers: Mapping[str, type[Driver]] | None = None) -> tuple[type[Driver], Detection]:
    """Choose the driver for a connected Redfish client.

    :param client: a :class:`~hamnhw.transport.base.RedfishClient`, or for an ``ipmi://``
        address an :class:`~hamnhw.transport.ipmi.IpmiTransport`.
    :param address: the parsed BMC URL.
    :param drivers: override the registry (tests).
    :raises DriverNotFound: no driver claims a forced scheme, or no fallback exists.
    """
    candidates = [d for d in (drivers or load_drivers()).values()
                  if d.protocol == address.protocol]
    if address.protocol != "redfish":
        return _detect_by_device(client, address, candidates)
    if address.forced_scheme:
        for cls in candidates:
            if address.forced_scheme in cls.url_schemes:
                return cls, Detection(cls.name, f"URL scheme {address.scheme}://")
        raise DriverNotFound(f"no installed driver handles {address.forced_scheme}://",
                             host=address.netloc, usage=True)
    root = client.root
    for step in (_by_vendor, _by_oem):
        found = step(client, root, candidates)
        if found:
            return found
    system = _the_system(client, root, address.system_id)
    found = _by_system(system, candidates)
    if found:
        return found
    maker = _manufacturer(system)
    if maker is None:
        found = _by_manager_model(client, root, candidates, system)
        if found:
            return found
    why = ("no vendor hint matched" if maker is None else
           f"System Manufacturer {maker!r} names no installed driver's vendor")
    for cls in candidates:
        if cls.fallback:
            return cls, Detection(cls.name, f"{why}; generic DMTF Redfish")
    raise DriverNotFound("no driver matches and no fallback driver is installed",
                         host=address.netloc)


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


def _by_vendor(client: Any, root: Mapping[str, Any],
               candidates: list[type[Driver]]) -> tuple[type[Driver], Detection] | None:
    vendor = root.get("Vendor")
    if not isinstance(vendor, str) or not vendor.strip():
        return None
    norm = normalize_vendor(vendor)
    for cls in candidates:
        if norm in cls.vendor_names:
            return cls, Detection(cls.name, f"ServiceRoot Vendor {vendor!r}")
    return None


def _by_oem(client: Any, root: Mapping[str, Any],
            candidates: list[type[Driver]]) -> tuple[type[Driver], Detection] | None:
    oem = root.get("Oem")
    if not isinstance(oem, Mapping):
        return None
    for cls in candidates:
        for key in cls.oem_keys:
            if key in oem:
                return cls, Detection(cls.name, f"ServiceRoot Oem key {key!r}")
    return None


def _by_system(system: Mapping[str, Any] | None, candidates: list[type[Driver]]
               ) -> tuple[type[Driver], Detection] | None:
    """The driver the System's ``Manufacturer`` or, failing that, its ``Oem`` keys name."""
    if system is None:
        return None
    maker = _manufacturer(system)
    if maker is not None:
        norm = normalize_vendor(maker)
        for cls in candidates:
            if norm in cls.vendor_names:
                return cls, Detection(cls.name, f"System Manufacturer {maker!r}")
    oem = system.get("Oem")
    if isinstance(oem, Mapping):
        for cls in candidates:
            for key in cls.oem_keys:
                if key in oem:
                    return cls, Detection(cls.name, f"System Oem key {key!r}")
    return None


def _manufacturer(system: Mapping[str, Any] | None) -> str | None:
    """The System's ``Manufacturer`` when it names one (None: not read, absent, blank or
    a placeholder such as ``To Be Filled By O.E.M.``: a white-box board says nothing)."""
    return known_text(system.get("Manufacturer")) if system is not None else None


def _by_manager_model(client: Any, root: Mapping[str, Any], candidates: list[type[Driver]],
                      system: Mapping[str, Any] | None = None
                      ) -> tuple[type[Driver], Detection] | None:
    model = _manager_model(client, root, system)
    if not model:
        return None
    for cls in candidates:
        for hint in cls.manager_models:
            if model_matches(hint, model):
                return cls, Detection(cls.name, f"Manager Model {model!r}")
    return None


def model_matches(hint: str, model: str) -> bool:
    """True when a driver's Manager-model ``hint`` occurs in ``model`` as whole words.

    Case-insensitive.  A change between letters and digits also separates
    words, so ``iDRAC`` matches ``iDRAC9`` and ``G Monolithic`` matches
    ``14G Monolithic``, while ``iLO`` does not match ``AST2500 Pilot4``.
    """
    return _hint_pattern(hint).search(model) is not None


@functools.lru_cache(maxsize=256)
def _hint_pattern(hint: str) -> re.Pattern[str]:
    return re.compile(_edge(hint[:1], "(?<!{})") + re.escape(hint) + _edge(hint[-1:], "(?!{})"),
                      re.IGNORECASE)


def _edge(char: str, template: str) -> str:
    """Lookaround refusing a neighbour that would continue the hint's letter or digit run."""
    if char.isalpha():
        return template.format(r"[^\W\d_]")  # a letter
    if char.isdigit():
        return template.format(r"\d")
    return ""


def _manager_model(client: Any, root: Mapping[str, Any],
                   system: Mapping[str, Any] | None) -> str | None:
    """The Model of the BMC managing ``system`` (its ``Links.ManagedBy``), else of the
    first Manager listed: one request on a single-system BMC (the Manager)."""
    try:
        manager = _managed_by(system) or _first_member(client, root, "Managers")
        model = client.get(manager).get("Model") if manager else None
    except (HttpError, MalformedResponse) as exc:
        LOG.debug("manager model not readable for detection: %s", exc)
        return None
    return model if isinstance(model, str) else None


def _the_system(client: Any, root: Mapping[str, Any],
                system_id: str | None) -> Mapping[str, Any] | None:
    """The one System (or the URL's), read as the driver reads it next (choosing the
    system, then its power state: :mod:`hamnhw.readmemo` answers the repeats); None when
    the BMC lists several and the URL names none, or they cannot be read."""
    systems = _link(root, "Systems")
    if systems is None:
        return None
    try:
        members = [_link(m, "@odata.id") if isinstance(m, Mapping) else None
                   for m in client.get(systems).get("Members") or []]
        chosen = [m for m in members if isinstance(m, str)
                  and (system_id is None or m.rstrip("/").rsplit("/", 1)[-1] == system_id)]
        system = client.get(chosen[0]) if len(chosen) == 1 else None
    except (HttpError, MalformedResponse) as exc:
        LOG.debug("system not readable for detection: %s", exc)
        return None
    return system if isinstance(system, Mapping) else None


def _managed_by(system: Mapping[str, Any] | None) -> str | None:
    """``Links.ManagedBy[0]`` of ``system``, else None."""
    links = system.get("Links") if system is not None else None
    managed_by = links.get("ManagedBy") if isinstance(links, Mapping) else None
    first = managed_by[0] if isinstance(managed_by, list) and managed_by else None
    return _link(first, "@odata.id") if isinstance(first, Mapping) else None


def _first_member(client: Any, root: Mapping[str, Any], name: str) -> str | None:
    path = _link(root, name)
    members = client.get(path).get("Members") or [] if path else []
    first = members[0] if members else None
    return _link(first, "@odata.id") if isinstance(first, Mapping) else None


def _link(doc: Mapping[str, Any], name: str) -> str | None:
    """``doc[name]["@odata.id"]`` (or ``doc["@odata.id"]`` itself), when a string."""
    value = doc.get(name)
    if name != "@odata.id":
        value = value.get("@odata.id") if isinstance(value, Mapping) else None
    return value if isinstance(value, str) else None


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
