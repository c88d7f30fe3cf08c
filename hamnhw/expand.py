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
"""

from __future__ import annotations

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


def query(levels: int) -> str:
    """The query string asking for ``levels`` levels of ``$expand=.``."""
    return f"$expand=.($levels={levels})"


def key(path: str) -> str:
    """A resource path as a memo key (no query, no trailing slash)."""
    return path.split("?", 1)[0].rstrip("/") or "/"


def harvest(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Take an expanded answer apart, in place (``doc`` is the caller's freshly parsed
    JSON: nothing is copied).

    :returns: ``doc`` as a plain GET would give it, and every embedded resource that
        passed the checks, by path, each as a plain GET would give it.
    """
    found: dict[str, dict[str, Any]] = {}
    _strip(doc, found)
    return doc, found


def _is_resource(value: dict[str, Any]) -> bool:
    """An embedded resource: its own ``@odata.id`` (no fragment) and ``@odata.type``."""
    uri = value.get("@odata.id")
    return (type(uri) is str and len(value) > 2 and "#" not in uri and uri.startswith("/")
            and type(value.get("@odata.type")) is str)


def _strip(value: Any, found: dict[str, dict[str, Any]]) -> None:
    """Replace, inside ``value`` (a dict or a list), every embedded resource by a reference
    to it (its own embedded resources first) and collect it in ``found``.  Parsed JSON only
    holds dicts, lists and scalars: exact type checks, no ABCs, values replaced in place
    while iterating (no key is added or removed), and a bare reference (a one-key dict)
    not descended into: this runs on every container of every expanded answer."""
    items: Any = value.items() if type(value) is dict else enumerate(value)
    for name, item in items:
        kind = type(item)
        if kind is dict:
            if len(item) < 2:
                if item and type(next(iter(item.values()))) in _CONTAINERS:
                    _strip(item, found)
                continue
            _strip(item, found)
            if _is_resource(item):
                uri = item["@odata.id"]
                found.setdefault(key(uri), item)
                value[name] = {"@odata.id": uri}
        elif kind is list:
            _strip(item, found)


_CONTAINERS = (dict, list)


def listed_members(doc: Any) -> list[str]:
    """Paths of the resources ``doc`` lists among siblings: the references of every array
    of two or more references (a collection's ``Members``, a controller's ``Drives``),
    outside ``Links``.  Reading one of them expanded-through-its-list costs one request
    for all (:class:`hamnhw.readmemo.MemoClient`)."""
    found: list[str] = []
    if not isinstance(doc, Mapping):
        return found
    for name, value in doc.items():
        if type(value) is not list or len(value) < 2 or name == "Links":
            continue
        for item in value:
            ref = item.get("@odata.id") if type(item) is dict else None
            if type(ref) is str and "#" not in ref:
                found.append(key(ref))
    return found
