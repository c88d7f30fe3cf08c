"""A Redfish collection's ``Members`` as core code reads them, by the rule the drivers' typed
reader applies (``hamnhw_drivers.generic.resource.Resource.members``, which core does not
import): ``null`` or absent means the BMC did not tell what the collection holds (None),
``[]`` (or ``Members@odata.count`` ``0`` without the array) that it holds nothing.  Code
that would act on "none" (create what seems missing) must require the list
(:func:`require_member_uris`): an unknown list is not an empty one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hamnhw.errors import MalformedResponse
from hamnhw.log import get_logger

LOG = get_logger("hamnhw.members")


def member_uris(doc: Mapping[str, Any], *, uri: str | None = None,
                host: str | None = None) -> list[str] | None:
    """The ``@odata.id`` of each member of the collection ``doc`` (read from ``uri``), in
    order; members without one are skipped with a warning.

    :returns: None when ``Members`` is absent or null, unless ``Members@odata.count`` is
        ``0`` (then ``[]``: the BMC said it holds nothing).
    :raises MalformedResponse: ``Members`` is not an array.
    """
    members = doc.get("Members")
    if members is None:
        count = doc.get("Members@odata.count")
        said_none = isinstance(count, int | float) and not isinstance(count, bool) and count == 0
        return [] if said_none else None
    if not isinstance(members, list):
        raise MalformedResponse(f"expected an array, got {type(members).__name__}", host=host,
                                uri=uri, json_path="$.Members")
    found = []
    for index, item in enumerate(members):
        target = item.get("@odata.id") if isinstance(item, Mapping) else None
        if isinstance(target, str) and target:
            found.append(target)
        else:
            LOG.warning("%s: %s $.Members[%d] has no @odata.id; skipped", host or "BMC",
                        uri or "collection", index)
    return found


def require_member_uris(doc: Mapping[str, Any], *, uri: str | None = None,
                        host: str | None = None) -> list[str]:
    """:func:`member_uris`, raising where it gives None.

    :raises MalformedResponse: the collection lists no ``Members`` (its members are
        unknown), or not as an array.
    """
    found = member_uris(doc, uri=uri, host=host)
    if found is None:
        raise MalformedResponse("collection has no Members array: its members are unknown",
                                host=host, uri=uri, json_path="$.Members")
    return found
