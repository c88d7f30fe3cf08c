"""Building blocks of the simulator's Redfish documents: resources, links, collections."""

from __future__ import annotations

from typing import Any

ROOT = "/redfish/v1"
Json = dict[str, Any]


def resource(path: str, odata_type: str, **props: Any) -> Json:
    """A resource with ``@odata.id``, ``@odata.type`` and ``Id`` (the last path segment)."""
    return {"@odata.id": path, "@odata.type": odata_type, "Id": path.rsplit("/", 1)[-1], **props}


def link(path: str) -> Json:
    """``{"@odata.id": path}``."""
    return {"@odata.id": path}


def collection(path: str, odata_type: str, name: str, members: list[str]) -> Json:
    """A resource collection listing ``members`` paths."""
    return {
        "@odata.id": path,
        "@odata.type": odata_type,
        "Name": name,
        "Members": [link(member) for member in members],
        "Members@odata.count": len(members),
    }
