"""A BMC's Redfish EventService: what it offers, and hamnhw's push subscription on it.

hamnhw's subscription is recognised by its ``Context`` (:func:`context_for`), so a listener
that crashed finds its old subscription instead of adding another (BMCs have few slots).
Its ``Destination`` ends in a random token drawn per run and node (:func:`new_token`): the
listener accepts events only on that path, so whoever cannot read the BMC's subscriptions
cannot guess where to post.

A BMC may hand a subscription id out again after a reset, to another client: a subscription
is hamnhw's only while the BMC shows it with hamnhw's ``Context`` and ``Destination``
(:func:`still_ours`), and only such a one is ever deleted (:func:`delete_if_ours`).
POST and DELETE are sent once, never re-sent (the transport's rule).
"""

from __future__ import annotations

import dataclasses
import secrets
import socket
from collections.abc import Mapping
from typing import Any

from hamnhw.errors import NotFoundError, UnsupportedOperation
from hamnhw.members import read_members
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


def destination_for(base: str, token: str) -> str:
    """The push URL of one node's subscription: ``base`` plus the node's token (events are
    routed by the URL they arrive on, even from BMCs that do not echo ``Context``)."""
    return f"{base.rstrip('/')}/{token}"


def new_token() -> str:
    """A random path segment for :func:`destination_for` (192 bits, URL-safe), drawn per
    run and node."""
    return secrets.token_urlsafe(24)


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
    """Every subscription in ``collection`` whose ``Context`` is ``context``.

    :raises MalformedResponse: the collection does not list all its ``Members`` (null or
        absent, fewer than it counts, pages not all read, or not an array): which
        subscriptions exist is unknown, and "none found" would lead to a second subscription
        of hamnhw's (:func:`hamnhw.members.read_members`, which reads every page).
    """
    found = []
    listed = read_members(client.get, collection, host=client.host,
                          scope=client.deadline_scope).require()
    for member in listed:
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


def still_ours(client: RedfishClient, subscription: Subscription) -> bool:
    """True while the BMC shows ``subscription`` at its URI with hamnhw's ``Context`` and
    ``Destination``: a 404 says it was lost, another Context or Destination that the id went
    to someone else (a BMC reset that reuses ids).  A property the BMC does not show is no
    evidence either way."""
    try:
        doc = client.get(subscription.uri)
    except NotFoundError:
        return False
    context, destination = doc.get("Context"), doc.get("Destination")
    if isinstance(context, str) and subscription.context and context != subscription.context:
        return False
    # a BMC may rewrite the URL (case, default port): the token path segment must be there
    return not (isinstance(destination, str) and subscription.destination
                and _last_segment(destination) != _last_segment(subscription.destination))


def delete_if_ours(client: RedfishClient, subscription: Subscription) -> bool:
    """DELETE ``subscription`` if it is still hamnhw's (:func:`still_ours`); never another
    client's that took over its id.

    :returns: True when it was deleted.
    """
    if not still_ours(client, subscription):
        return False
    client.delete(subscription.uri)
    return True


def _last_segment(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _link(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("@odata.id")
    return value if isinstance(value, str) and value.startswith("/") else None


def _path(uri: str) -> str:
    """The path of a Location that may be absolute (``https://bmc/redfish/...``)."""
    if "://" in uri:
        uri = "/" + uri.split("://", 1)[1].split("/", 1)[-1]
    return uri
