"""The transport contract drivers program against.

A driver receives a :class:`RedfishClient` already connected and
authenticated.  Every method raises only :mod:`hamnhw.errors` types.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping
from typing import Any

from hamnhw.errors import UnsupportedOperation
from hamnhw.transport.client import BmcClient


@dataclasses.dataclass(frozen=True)
class RedfishResponse:
    """An HTTP answer from a Redfish service (2xx only: errors are raised)."""

    status: int
    """HTTP status code."""
    headers: Mapping[str, str]
    """Response headers (case-insensitive mapping)."""
    body: Any
    """Parsed JSON body, or None when there was none."""
    path: str
    """The path that was requested."""

    @property
    def location(self) -> str | None:
        """``Location`` header (task monitor or created resource), path only."""
        return self.headers.get("Location")


class RedfishClient(BmcClient):
    """A connected, authenticated Redfish service.

    ``host``, :meth:`operation`, :meth:`within` and :meth:`close` come from
    :class:`~hamnhw.transport.client.BmcClient`.  GETs may be retried by the transport
    (bounded, with backoff).  POST, PATCH and DELETE are sent exactly once: on an
    ambiguous failure the caller must read state before deciding anything.
    """

    protocol = "redfish"

    @property
    @abc.abstractmethod
    def root(self) -> Mapping[str, Any]:
        """The ServiceRoot document (``/redfish/v1/``)."""

    @abc.abstractmethod
    def get(self, path: str) -> dict[str, Any]:
        """GET a resource and return its JSON object.

        :raises MalformedResponse: body is not a JSON object (HTML page, garbage).
        :raises HttpError: non-2xx answer.
        """

    def get_response(self, path: str) -> RedfishResponse:
        """GET keeping the status and headers: a task monitor answers 202 with
        ``Retry-After`` while its operation runs, then the operation's own answer
        (200 with a body, 201 with ``Location``, or 204 with none).

        The default wraps :meth:`get` (status 200, no headers); transports override it, and
        so must a decorator of another client (delegate to the inner one).

        :raises HttpError: non-2xx answer.
        """
        return RedfishResponse(200, {}, self.get(path), path)

    @abc.abstractmethod
    def post(self, path: str, body: Mapping[str, Any] | None = None) -> RedfishResponse:
        """POST once (never re-sent automatically)."""

    @abc.abstractmethod
    def patch(self, path: str, body: Mapping[str, Any],
              etag: str | None = None) -> RedfishResponse:
        """PATCH once, with ``If-Match`` when an ETag is given."""

    @abc.abstractmethod
    def delete(self, path: str) -> RedfishResponse:
        """DELETE once."""

    def put(self, path: str, body: Mapping[str, Any],
            etag: str | None = None) -> RedfishResponse:
        """PUT once, with ``If-Match`` when an ETag is given (HPE iLO's settings objects
        are replaced by PUT).  The default refuses: a client that cannot PUT says so.

        :raises UnsupportedOperation: this client does not send PUT.
        """
        raise UnsupportedOperation(type(self).__name__, "PUT", host=self.host,
                                   detail=f"PUT {path} is not implemented by this client")

    @abc.abstractmethod
    def close(self) -> None:
        """Log out (DELETE the session) and release connections."""
