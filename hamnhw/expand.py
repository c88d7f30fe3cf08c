"""Redfish ``$expand``: how deep a service says it expands, and the resources an expanded
answer carries.

DSP0266 (7.3.4): ``GET path?$expand=.($levels=n)`` answers with the resource whose
navigation references (not those under ``Links``) are replaced by the resources they
name, ``n`` levels deep; a service says what it supports in the ServiceRoot's
``ProtocolFeaturesSupported.ExpandQuery`` (``NoLinks`` for ``.``, ``Levels`` and
``MaxLevels`` for ``$levels``).

An expanded answer is taken apart (:func:`harvest`): every embedded resource is checked
(a JSON object naming its own ``@odata.id``, the one its reference named, and its
``@odata.type``) and stored as the document a plain GET of it would have given, its own
embedded resources turned back into references.  So the drivers read the same documents
with and without ``$expand``; only the number of requests changes.  A service that
advertises ``$expand`` but answers without expanding (some do) gives nothing to harvest:
the walk then reads each resource, as without ``$expand``.

How deep to ask is chosen per read (:func:`levels_for`): the levels the service advertises
(at most :data:`LEVELS_CAP`), or fewer for the kinds of resource whose deeper levels no walk
uses (:data:`NEEDS`).  What a walk reads below such a resource comes by one expanded read of
the list naming it (:func:`listed_members`), a request the deeper read would mostly have
needed too (docs/conformance.md, "Where a system's hardware is").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

LEVELS_CAP = 3
"""Never ask for more levels than this, whatever a service advertises: a chassis three
levels deep already carries every sensor; deeper expansions cost the BMC seconds."""


def supported_levels(root: Mapping[str, Any]) -> int:
    """The ``$levels`` to ask of this service (at most :data:`LEVELS_CAP`); 0 when it does
    not advertise ``$expand=.``.

    :param root: the ServiceRoot document.
    """
    features = root.get("ProtocolFeaturesSupported")
    query = features.get("ExpandQuery") if isinstance(features, Mapping) else None
    if not isinstance(query, Mapping) or query.get("NoLinks") is not True:
        return 0
    if query.get("Levels") is not True:
        return 1
    most = query.get("MaxLevels")
    if not isinstance(most, int) or isinstance(most, bool) or most < 1:
        return 1
    return min(most, LEVELS_CAP)


@dataclasses.dataclass(frozen=True)
class Need:
    """How much of one kind of resource the walks need when it is read expanded."""

    pattern: re.Pattern[str]
    """Its paths (DSP0266 >= 1.6 URI patterns, matched on the path without query)."""
    levels: int
    """At most this many ``$levels``."""
    carries: tuple[str, ...] = ()
    """Its references (collections) that a walk reads with what it lists: reading one of
    them reads the resource expanded instead (:func:`listed_members`), when that brings
    their members too (2 levels or more)."""


NEEDS = (
    Need(re.compile(r"^/redfish/v1/Chassis/[^/]+$"), 1),  # a chassis
    Need(re.compile(r"/Storage/[^/]+$"), 2, ("Volumes", "Controllers")),  # a Storage
)
"""The reads asking fewer levels than advertised.

* A chassis: the walks read its own document and, when it links them, its ``Drives`` and
  ``NetworkAdapters`` collections' members.  At 1 level its answer carries those
  collections with their member lists; each list's members then come in one expanded read
  of the list, at the advertised levels (an adapter's functions and ports with it), which
  reading the chassis deeper would not spare: at 2 levels and more the answer carries
  every sensor, ``Power`` and ``Thermal`` with what their ``RelatedItem`` name (DMTF
  public-localstorage: 6.7 KB at 1 level, 32 KB at 2, 92 KB at 3).
  A drive only the chassis lists (behind no controller) costs one request more than at 3
  levels: the chassis' ``Drives`` list read expanded.
* A Storage, read expanded for the drives it lists: 2 levels bring them, and the
  ``Volumes`` and ``Controllers`` collections with their members, in one answer."""


_CARRIED = frozenset(name for need in NEEDS for name in need.carries)


def levels_for(path: str, advertised: int) -> int:
    """The ``$levels`` to ask when reading ``path`` expanded: ``advertised`` (what
    :func:`supported_levels` gave), or fewer where :data:`NEEDS` says so."""
    need = _need(key(path))
    return advertised if need is None else min(advertised, need.levels)


def _need(path: str) -> Need | None:
    for need in NEEDS:
        if need.pattern.search(path):
            return need
    return None


def query(levels: int) -> str:
    """The query string asking for ``levels`` levels of ``$expand=.``."""
    return f"$expand=.($levels={levels})"


def query_for(path: str, advertised: int) -> str:
    """The query string reading ``path`` expanded (:func:`levels_for` levels)."""
    return query(levels_for(path, advertised))


def key(path: str) -> str:
    """A resource path as a memo key (no query, no trailing slash)."""
    if "?" in path:
        path = path.split("?", 1)[0]
    if path[-1:] == "/":  # most paths end otherwise: no copy made
        path = path.rstrip("/")
    return path or "/"


def harvest(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Take an expanded answer apart, in place (``doc`` is the caller's freshly parsed
    JSON: nothing is copied).

    :returns: ``doc`` as a plain GET would give it, and every embedded resource that
        passed the checks, by path, each as a plain GET would give it.
    """
    found: dict[str, dict[str, Any]] = {}
    _strip(doc, found)
    return doc, found


def _strip(value: Any, found: dict[str, dict[str, Any]]) -> None:
    """Replace, inside ``value`` (a dict or a list), every embedded resource by a reference
    to it (its own embedded resources first) and collect it in ``found``.  Parsed JSON only
    holds dicts, lists and scalars: exact type checks, no ABCs, values replaced in place
    while iterating (no key is added or removed), and a bare reference (a one-key dict)
    not descended into: this runs on every container of every expanded answer.  An
    embedded resource names its own ``@odata.id`` (an absolute path, no fragment) and
    ``@odata.type``, and holds more than these two."""
    items: Any = value.items() if type(value) is dict else enumerate(value)
    for name, item in items:
        kind = type(item)
        if kind is dict:
            if len(item) < 2:
                if item and type(next(iter(item.values()))) in _CONTAINERS:
                    _strip(item, found)
                continue
            _strip(item, found)
            uri = item.get("@odata.id")
            if (type(uri) is str and len(item) > 2 and "#" not in uri and uri[:1] == "/"
                    and type(item.get("@odata.type")) is str):
                found.setdefault(key(uri), item)
                value[name] = {"@odata.id": uri}
        elif kind is list:
            _strip(item, found)


_CONTAINERS = (dict, list)


def listed_members(doc: Any, advertised: int = 1) -> list[str]:
    """Paths of the resources a walk reads through an expanded read of ``doc``
    (:class:`hamnhw.readmemo.MemoClient`): those it lists among siblings (the references of
    every array of two or more references outside ``Links``: a collection's ``Members``, a
    controller's ``Drives``), one request for all; and the collections its :class:`Need`
    ``carries``, when its expanded read brings their members too.

    :param advertised: the levels the service's expanded reads ask for (0: none).
    """
    found: list[str] = []
    if type(doc) is not dict and not isinstance(doc, Mapping):  # parsed JSON: a dict
        return found
    for name, value in doc.items():
        if type(value) is not list or len(value) < 2 or name == "Links":
            continue
        for item in value:
            ref = item.get("@odata.id") if type(item) is dict else None
            if type(ref) is str and "#" not in ref:
                found.append(key(ref))
    if advertised < 2 or _CARRIED.isdisjoint(doc.keys()):
        return found
    return found + _carried(doc, advertised)


def _carried(doc: Mapping[str, Any], advertised: int) -> list[str]:
    """The collections ``doc``'s expanded read brings with their members (see
    :attr:`Need.carries`)."""
    found: list[str] = []
    for need in NEEDS:
        refs = [value.get("@odata.id") for name in need.carries
                if type(value := doc.get(name)) is dict]
        uri = doc.get("@odata.id") if refs else None
        if (type(uri) is not str or min(advertised, need.levels) < 2
                or not need.pattern.search(key(uri))):
            continue
        found += [key(ref) for ref in refs if type(ref) is str and "#" not in ref]
    return found

