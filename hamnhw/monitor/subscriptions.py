"""A BMC's Redfish EventService: what it offers, and hamnhw's push subscription on it.

hamnhw's subscription is recognised by its ``Context`` (:func:`context_for`), so a listener
that crashed finds its old subscription instead of adding another (BMCs have few slots).
POST and DELETE are sent once, never re-sent (the transport's rule).
"""

from __future__ import annotations

import dataclasses
import hashlib
import socket
from collections.abc import Mapping
from typing import Any

from hamnhw.errors import NotFoundError, UnsupportedOperation
from hamnhw.transport.base import RedfishClient

CONTEXT_PREFIX = "hamnhw-events"


@dataclasses.dataclass(frozen=True)
class EventServiceInfo:
    """What the BMC's EventService offers."""

    sse_uri: str | None
    """``ServerSentEventUri``; None when SSE is not offered."""
    subscriptions_uri: str | None
    """The EventDestination collection; None when push is not offered."""


@dataclasses.dataclass(frozen=True)
class Subscription:
    """One EventDestination on the BMC."""

    uri: str
    destination: str | None
    context: str | None


def context_for(node: str, host: str | None = None) -> str:
    """The ``Context`` hamnhw gives a node's subscription: the node and this host."""
    return f"{CONTEXT_PREFIX} {node}@{host or socket.gethostname()}"[:256]


def destination_for(base: str, node: str) -> str:
    """The push URL for ``node``: ``base`` plus a stable per-node path, so that events are
    routed by the URL they arrive on even from BMCs that do not echo ``Context``."""
    return f"{base.rstrip('/')}/{node_token(node)}"


def node_token(node: str) -> str:
    """The per-node path segment of :func:`destination_for`."""
    return hashlib.sha256(node.encode()).hexdigest()[:16]


def read_service(client: Any) -> EventServiceInfo:
    """Read the EventService link of the ServiceRoot, then the service.

    :raises UnsupportedOperation: the BMC has no EventService (or does not speak Redfish).
    """
    root = getattr(client, "root", None)
    link = _link(root.get("EventService")) if isinstance(root, Mapping) else None
    if link is None:
        raise UnsupportedOperation("redfish", "events (the BMC has no EventService)",
                                   host=client.host)
    service = client.get(link)
    sse = service.get("ServerSentEventUri")
    return EventServiceInfo(sse if isinstance(sse, str) and sse.startswith("/") else None,
                            _link(service.get("Subscriptions")))


def find_by_context(client: RedfishClient, collection: str, context: str) -> list[Subscription]:
    """Every subscription in ``collection`` whose ``Context`` is ``context``."""
    found = []
    for member in client.get(collection).get("Members") or []:
        uri = _link(member)
        if uri is None:
            continue
        try:
            doc = client.get(uri)
        except NotFoundError:
            continue
        if doc.get("Context") == context:
            destination = doc.get("Destination")
            found.append(Subscription(uri, destination if isinstance(destination, str) else None,
                                      context))
    return found


def subscribe(client: RedfishClient, collection: str, destination: str,
              context: str) -> Subscription:
    """POST a push subscription (once) and return where it lives."""
    body = {"Destination": destination, "Context": context, "Protocol": "Redfish",
            "EventFormatType": "Event"}
    answer = client.post(collection, body)
    uri = answer.location or _link(answer.body)
    if uri is None:
        raise UnsupportedOperation("redfish", "events (subscription created without a "
                                   "Location)", host=client.host)
    return Subscription(_path(uri), destination, context)


def exists(client: RedfishClient, uri: str) -> bool:
    """True while the subscription is still on the BMC (a 404 says it was lost)."""
    try:
        client.get(uri)
    except NotFoundError:
        return False
    return True


def _link(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("@odata.id")
    return value if isinstance(value, str) and value.startswith("/") else None


def _path(uri: str) -> str:
    """The path of a Location that may be absolute (``https://bmc/redfish/...``)."""
    if "://" in uri:
        uri = "/" + uri.split("://", 1)[1].split("/", 1)[-1]
    return uri
