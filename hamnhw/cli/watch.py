"""Which state-changing requests a command sent: a client decorator.

An interrupted command reports ``"request_sent": true`` when a POST, PATCH or DELETE
(other than the login and the logout, which the transport makes itself) was sent, or
may have been: the request is counted when the call starts, before the answer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from hamnhw.deadline import Deadline
from hamnhw.transport.base import RedfishClient, RedfishResponse


class SentRequests(RedfishClient):
    """Delegates everything to ``inner`` and lists the unsafe requests it was asked for.

    Pass :meth:`wrap` as ``client_wrapper`` to :func:`hamnhw.connect`.
    """

    def __init__(self) -> None:
        self.inner: Any = None
        self.sent: list[str] = []
        """``"POST /redfish/v1/..."`` for each unsafe request started, in order."""

    def wrap(self, inner: Any) -> SentRequests:
        """Decorate the opened transport ``inner`` (the ``client_wrapper`` hook)."""
        self.inner = inner
        self.host = inner.host
        return self

    @property
    def root(self) -> Mapping[str, Any]:
        """The inner client's ServiceRoot."""
        return self.inner.root

    def get(self, path: str) -> dict[str, Any]:
        """GET through the inner client."""
        return self.inner.get(path)

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> RedfishResponse:
        """POST, counted before it is sent."""
        self.sent.append(f"POST {path}")
        return self.inner.post(path, body)

    def patch(self, path: str, body: Mapping[str, Any],
              etag: str | None = None) -> RedfishResponse:
        """PATCH, counted before it is sent."""
        self.sent.append(f"PATCH {path}")
        return self.inner.patch(path, body, etag)

    def delete(self, path: str) -> RedfishResponse:
        """DELETE, counted before it is sent."""
        self.sent.append(f"DELETE {path}")
        return self.inner.delete(path)

    @contextlib.contextmanager
    def operation(self, seconds: float | None = None) -> Iterator[None]:
        """The inner client's deadline."""
        with self.inner.operation(seconds):
            yield

    @contextlib.contextmanager
    def within(self, deadline: Deadline) -> Iterator[None]:
        """The inner client's way of adopting ``deadline``."""
        within = getattr(self.inner, "within", None)
        with (within(deadline) if within else RedfishClient.within(self, deadline)):
            yield

    def close(self) -> None:
        """Close the inner client (log out)."""
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
