"""Which vendor driver a Redfish BMC needs, from what it says of itself.

First match wins (a match: a driver's ``vendor_names``, ``oem_keys`` or
``manager_models`` hint):

1. the ServiceRoot's ``Vendor``, normalised (:func:`normalize_vendor`);
2. the ServiceRoot's ``Oem`` keys;
3. the System's ``Oem`` keys (a rebranded server keeps its maker's ``Oem`` section; the
   BMC's firmware writes them, so they outrank a ServiceRoot ``Vendor`` no driver claims);
4. the System's ``Manufacturer``, normalised, unless the BMC names another maker (a
   ServiceRoot ``Vendor``, or ``Oem`` keys in the ServiceRoot or the System, none a
   driver's: an AMI BMC in a Lenovo server says ``Vendor: AMI``) or leaves its ``Vendor``
   at a firmware default (:data:`NO_MAKER`), in which case the Manager's ``Model``
   decides between them;
5. the managing Manager's ``Model``, matched at word boundaries (:func:`model_matches`):
   read only where nothing above settled it, i.e. where the BMC names no maker at all (no
   ServiceRoot ``Vendor``, no ``Oem`` key, a System ``Manufacturer`` absent, a
   placeholder or default such as ``OEM`` (:func:`maker_text`), a spelling no driver
   claims, or unreadable), or where the System's maker and the BMC's disagree (step 4).

Where the BMC names a maker no driver claims (a ServiceRoot ``Vendor`` or ``Oem`` keys),
and the System's ``Manufacturer`` names no driver's either, the fallback (generic) driver
is chosen without reading the Manager: the BMCs the Manager hints name (iDRAC, iLO, XCC)
name their maker.  The System is the one the driver reads next (choosing the system, then
its power state; :mod:`hamnhw.readmemo` answers the repeat), so detection costs no request
of its own on most BMCs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from hamnhw.driver import Driver
from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.log import get_logger
from hamnhw.members import parse_members, read_members
from hamnhw.models import Detection
from hamnhw.placeholders import known_text

LOG = get_logger("hamnhw.registry")
NO_MAKER = frozenset({"oem", "o e m", "default", "vendor", "manufacturer", "generic", "bmc"})
"""Normalised ServiceRoot ``Vendor`` / System ``Manufacturer`` texts that name no maker
(besides :data:`hamnhw.placeholders.PLACEHOLDER_TEXTS`): board firmware's defaults.  A
ServiceRoot ``Vendor`` left at one is no maker's, but it says the BMC's firmware is not one
that names its maker (iDRAC, iLO and XCC do): the Manager is read whatever the System says."""
_CORPORATE = re.compile(r"\b(inc|corp|corporation|co|ltd|llc|computer|company)\b")
Found = tuple[type[Driver], Detection]


def normalize_vendor(value: str) -> str:
    """Normalise a vendor string: lower case, punctuation and corporate suffixes gone.

    ``"Dell Inc."`` gives ``"dell"``, ``"HPE"`` gives ``"hpe"``; aliases such as
    ``hp`` are listed by the driver itself in ``vendor_names``.
    """
    text = re.sub(r"[^a-z0-9 ]+", " ", value.lower())
    text = _CORPORATE.sub(" ", text)
    return " ".join(text.split())


def detect_redfish(client: Any, system_id: str | None, candidates: list[type[Driver]],
                   problems: list[str]) -> Found | str:
    """The driver the BMC's own documents name (see the module docstring), else why none
    does (the fallback's reason).

    :param system_id: the URL's system, if it names one.
    :param problems: reads that failed are appended (``"System: ..."``): a detection made
        without them is not to be remembered.
    """
    root = client.root
    found = root_names(root, candidates)
    if found:
        return found
    system = _the_system(client, root, system_id, problems)
    found = _by_oem(system, "System", candidates)
    if found:
        return found
    named = _named_maker(root, system)
    default = _default_vendor(root)
    maker, by_maker = _by_manufacturer(system, candidates)
    if by_maker and named is None and default is None:
        return by_maker
    if named is not None and by_maker is None:
        return f"{named[0]} {'name' if named[1] else 'names'} no installed driver's vendor"
    model, found = _by_manager_model(client, root, candidates, system, problems)
    if found:
        return found
    return _fallback_reason(maker, by_maker is not None, named[0] if named else default,
                            _manager_said(model, problems))


def root_names(root: Mapping[str, Any], candidates: list[type[Driver]]) -> Found | None:
    """The driver whose maker the ServiceRoot names (its ``Vendor``, else its ``Oem``
    keys, matched against the drivers' ``vendor_names`` and ``oem_keys``); None when it
    names none of theirs.  No request: the ServiceRoot is read at login."""
    return _by_vendor(root, candidates) or _by_oem(root, "ServiceRoot", candidates)


def _manager_said(model: str | None, problems: list[str]) -> str:
    """What the Manager told detection, for the fallback's reason."""
    if model:
        return f"Manager Model {model!r} matches no driver's hint"
    if any(p.startswith("Manager:") for p in problems):
        return "the Manager could not be read"
    return "the Manager names no Model"


def _fallback_reason(maker: str | None, claimed: bool, other: str | None,
                     manager: str) -> str:
    """Why the fallback driver was chosen after the Manager was read: the System's maker
    (``claimed``: a driver's) against ``other``, the maker the BMC names or its default
    Vendor (unclaimed, only a default Vendor reaches here: a named maker settled before)."""
    if claimed and other is not None:
        return f"System Manufacturer {maker!r} but {other}; {manager}"
    if maker is not None:
        return f"System Manufacturer {maker!r} names no installed driver's vendor; {manager}"
    if other is not None:
        return f"{other}; {manager}"
    return f"no vendor named; {manager}"


def maker_text(value: object) -> str | None:
    """``value`` as a maker's name, stripped; None when absent, blank, a placeholder
    (:func:`~hamnhw.placeholders.known_text`) or a default naming no maker
    (:data:`NO_MAKER`: ``"OEM"``, ``"Default"``)."""
    text = known_text(value)
    return None if text is None or normalize_vendor(text) in NO_MAKER else text


def _by_vendor(root: Mapping[str, Any], candidates: list[type[Driver]]) -> Found | None:
    vendor = maker_text(root.get("Vendor"))
    if vendor is None:
        return None
    norm = normalize_vendor(vendor)
    for cls in candidates:
        if norm in cls.vendor_names:
            return cls, Detection(cls.name, f"ServiceRoot Vendor {vendor!r}")
    return None


def _by_oem(doc: Mapping[str, Any] | None, where: str,
            candidates: list[type[Driver]]) -> Found | None:
    oem = doc.get("Oem") if doc is not None else None
    if not isinstance(oem, Mapping):
        return None
    for cls in candidates:
        for key in cls.oem_keys:
            if key in oem:
                return cls, Detection(cls.name, f"{where} Oem key {key!r}")
    return None


def _by_manufacturer(system: Mapping[str, Any] | None, candidates: list[type[Driver]]
                     ) -> tuple[str | None, Found | None]:
    """The System's ``Manufacturer`` (None: not read, absent, blank or a placeholder such
    as ``To Be Filled By O.E.M.``) and the driver it names, if any."""
    maker = maker_text(system.get("Manufacturer")) if system is not None else None
    if maker is None:
        return None, None
    norm = normalize_vendor(maker)
    for cls in candidates:
        if norm in cls.vendor_names:
            return maker, (cls, Detection(cls.name, f"System Manufacturer {maker!r}"))
    return maker, None


def _named_maker(root: Mapping[str, Any], system: Mapping[str, Any] | None
                 ) -> tuple[str, bool] | None:
    """How the BMC names a maker (no driver's: those matched before), and whether that
    text is plural; None when it names none."""
    vendor = maker_text(root.get("Vendor"))
    if vendor is not None:
        return f"ServiceRoot Vendor {vendor!r}", False
    for doc, where in ((root, "ServiceRoot"), (system, "System")):
        oem = doc.get("Oem") if doc is not None else None
        if isinstance(oem, Mapping) and oem:
            plural = len(oem) > 1
            return f"{where} Oem key{'s' if plural else ''} {', '.join(map(repr, oem))}", plural
    return None


def _default_vendor(root: Mapping[str, Any]) -> str | None:
    """How a ServiceRoot ``Vendor`` left at a firmware default (:data:`NO_MAKER`) reads in a
    reason; None when it is a maker's name, a placeholder or absent."""
    text = known_text(root.get("Vendor"))
    if text is None or normalize_vendor(text) not in NO_MAKER:
        return None
    return f"ServiceRoot Vendor {text!r} (a default, no maker)"


def _by_manager_model(client: Any, root: Mapping[str, Any], candidates: list[type[Driver]],
                      system: Mapping[str, Any] | None, problems: list[str]
                      ) -> tuple[str | None, Found | None]:
    """The managing Manager's ``Model`` (None: unreadable or absent) and the driver whose
    hint it matches, if any."""
    model = _manager_model(client, root, system, problems)
    if not model:
        return None, None
    for cls in candidates:
        for hint in cls.manager_models:
            if model_matches(hint, model):
                return model, (cls, Detection(cls.name, f"Manager Model {model!r}"))
    return model, None


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


def _manager_model(client: Any, root: Mapping[str, Any], system: Mapping[str, Any] | None,
                   problems: list[str]) -> str | None:
    """The Model of the BMC managing ``system`` (its ``Links.ManagedBy``), else of the
    first Manager listed: one request on a single-system BMC (the Manager)."""
    try:
        manager = _managed_by(system) or _first_member(client, root, "Managers")
        model = client.get(manager).get("Model") if manager else None
    except (HttpError, MalformedResponse) as exc:
        LOG.debug("manager model not readable for detection: %s", exc)
        problems.append(f"Manager: {exc}")
        return None
    return model if isinstance(model, str) else None


def _the_system(client: Any, root: Mapping[str, Any], system_id: str | None,
                problems: list[str]) -> Mapping[str, Any] | None:
    """The one System (or the URL's), read as the driver reads it next; None when the BMC
    lists several and the URL names none, or they cannot be read (in ``problems``)."""
    systems = _link(root, "Systems")
    if systems is None:
        return None
    try:
        chosen = [m for m in _member_uris(client, systems) if isinstance(m, str)
                  and (system_id is None or m.rstrip("/").rsplit("/", 1)[-1] == system_id)]
        system = client.get(chosen[0]) if len(chosen) == 1 else None
    except (HttpError, MalformedResponse) as exc:
        LOG.debug("system not readable for detection: %s", exc)
        problems.append(f"System: {exc}")
        return None
    if system is None and system_id is not None:
        problems.append(f"System: {system_id!r} not listed in {systems}")
    return system if isinstance(system, Mapping) else None


def _member_uris(client: Any, path: str) -> list[str]:
    """The ``@odata.id`` of every member of the collection at ``path``, its next pages read
    too, under one deadline (:func:`hamnhw.members.read_members`).

    :raises MalformedResponse: the collection does not list every member (unknown, not
        none; a part is not all), or is not a usable collection document.
    """
    return read_members(client.get, path, host=getattr(client, "host", None),
                        scope=getattr(client, "deadline_scope", None)).require()


def _managed_by(system: Mapping[str, Any] | None) -> str | None:
    """``Links.ManagedBy[0]`` of ``system``, else None."""
    links = system.get("Links") if system is not None else None
    managed_by = links.get("ManagedBy") if isinstance(links, Mapping) else None
    first = managed_by[0] if isinstance(managed_by, list) and managed_by else None
    return _link(first, "@odata.id") if isinstance(first, Mapping) else None


def _first_member(client: Any, root: Mapping[str, Any], name: str) -> str | None:
    path = _link(root, name)
    if path is None:
        return None
    listed = parse_members(client.get(path), uri=path, host=getattr(client, "host", None))
    return next(iter(listed.part()), None)  # the first: a part of the list will do


def _link(doc: Mapping[str, Any], name: str) -> str | None:
    """``doc[name]["@odata.id"]`` (or ``doc["@odata.id"]`` itself), when a string."""
    value = doc.get(name)
    if name != "@odata.id":
        value = value.get("@odata.id") if isinstance(value, Mapping) else None
    return value if isinstance(value, str) else None
