"""Record a BMC's exchanges: a breadth-first resource walk or one operation.

:class:`RecordingClient` wraps any :class:`~hamnhw.transport.base.RedfishClient`
and logs every call with its answer; nothing in ``requests`` is patched.
The log is scrubbed (:mod:`hamnhw.fixturetools.scrub`) before it is written.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import pathlib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from hamnhw.deadline import Deadline
from hamnhw.errors import ConfigError, HttpError, MalformedResponse
from hamnhw.fixturetools.fixture import (
    Exchange,
    build_meta,
    keep_headers,
    scrub_exchanges,
    write_recording,
)
from hamnhw.fixturetools.scrub import Scrubber
from hamnhw.log import get_logger
from hamnhw.members import parse_members
from hamnhw.transport.base import RedfishClient, RedfishResponse

LOG = get_logger("hamnhw.fixturetools.record")
ROOT_PATH = "/redfish/v1/"
DEFAULT_SKIP = (
    re.compile(r"/JsonSchemas(/|$)"),
    re.compile(r"/Registries(/|$)"),
    re.compile(r"/LogServices/[^/]+/Entries(/|$)"),
    re.compile(r"/SessionService/Sessions/[^/]+$"),
)
_SAFE_SEGMENT = re.compile(r"[^A-Za-z0-9._+-]+")


class RecordingClient(RedfishClient):
    """A :class:`RedfishClient` decorator that logs every call and its answer.

    :param inner: the client doing the real work.
    :param record_root: log the ServiceRoot as the first exchange.
    """

    def __init__(self, inner: RedfishClient, *, record_root: bool = True) -> None:
        self.inner = inner
        self.host = inner.host
        self.exchanges: list[Exchange] = []
        """Every call so far, in order, unscrubbed: keep it in memory only."""
        self._paused = False
        if record_root:
            self.exchanges.append(Exchange("GET", ROOT_PATH, 200,
                                           {"Content-Type": "application/json"},
                                           response_json=dict(inner.root)))

    @property
    def root(self) -> Mapping[str, Any]:
        """The inner client's ServiceRoot."""
        return self.inner.root

    def get(self, path: str) -> dict[str, Any]:
        """GET through the inner client; the answer or the HTTP error is logged."""
        with self._logging("GET", path, None):
            body = self.inner.get(path)
            self._log(Exchange("GET", path, 200, {"Content-Type": "application/json"},
                               response_json=body))
            return body

    def get_response(self, path: str) -> RedfishResponse:
        """GET keeping status and headers (a task monitor) through the inner client, logged."""
        return self._send("GET", path, None, lambda: self.inner.get_response(path))

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> RedfishResponse:
        """POST once through the inner client and log it."""
        return self._send("POST", path, body, lambda: self.inner.post(path, body))

    def patch(self, path: str, body: Mapping[str, Any],
              etag: str | None = None) -> RedfishResponse:
        """PATCH once through the inner client and log it."""
        return self._send("PATCH", path, body, lambda: self.inner.patch(path, body, etag))

    def delete(self, path: str) -> RedfishResponse:
        """DELETE once through the inner client and log it."""
        return self._send("DELETE", path, None, lambda: self.inner.delete(path))

    def put(self, path: str, body: Mapping[str, Any],
            etag: str | None = None) -> RedfishResponse:
        """PUT once through the inner client and log it."""
        return self._send("PUT", path, body, lambda: self.inner.put(path, body, etag))

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Calls inside the block go to the BMC but are not logged (a check before a
        session, which its replay does not repeat)."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def _log(self, exchange: Exchange) -> None:
        if not self._paused:
            self.exchanges.append(exchange)

    @contextlib.contextmanager
    def operation(self, seconds: float | None = None) -> Iterator[None]:
        """The inner client's deadline."""
        with self.inner.operation(seconds):
            yield

    def deadline_scope(self) -> contextlib.AbstractContextManager[Deadline | None]:
        """The inner client's deadline."""
        return self.inner.deadline_scope()

    def close(self) -> None:
        """Close the inner client (its logout is not part of the recording)."""
        self.inner.close()

    def _send(self, method: str, path: str, body: Mapping[str, Any] | None,
              call: Callable[[], RedfishResponse]) -> RedfishResponse:
        request = dict(body) if body is not None else None
        with self._logging(method, path, request):
            answer = call()
            self._log(Exchange(method, path, answer.status, keep_headers(answer.headers),
                               request_json=request, response_json=answer.body))
            return answer

    @contextlib.contextmanager
    def _logging(self, method: str, path: str, request: Any) -> Iterator[None]:
        try:
            yield
        except HttpError as exc:
            self._log(Exchange(method, path, exc.status, {"Content-Type": "application/json"},
                               request_json=request, response_json=_error_body(exc)))
            raise


def _error_body(exc: HttpError) -> dict[str, Any]:
    error: dict[str, Any] = {"code": "Base.1.0.GeneralError",
                             "message": exc.redfish_message or f"HTTP {exc.status}"}
    if exc.extended_info:
        error["@Message.ExtendedInfo"] = exc.extended_info
    return {"error": error}


@dataclasses.dataclass
class WalkLimits:
    """Bounds of a resource walk."""

    max_resources: int = 500
    """Stop after this many GETs."""
    skip: tuple[re.Pattern[str], ...] = DEFAULT_SKIP
    """Paths matching any of these are not read."""


def walk(client: RedfishClient, limits: WalkLimits | None = None) -> list[str]:
    """Read every resource reachable from the ServiceRoot, breadth first.

    Links are ``@odata.id`` values anywhere in a document; fragments
    (``#/Members/0``) point inside a document and are not followed.  Errors
    are logged by a :class:`RecordingClient` and the walk carries on.

    :returns: the paths read, in order.
    """
    limits = limits or WalkLimits()
    seen = {_canonical(ROOT_PATH)}
    queue = collections.deque(_links(client.root))
    visited: list[str] = []
    while queue and len(visited) < limits.max_resources:
        path = queue.popleft()
        key = _canonical(path)
        if key in seen or any(p.search(key) for p in limits.skip):
            continue
        seen.add(key)
        visited.append(path)
        try:
            document = client.get(path)
        except (HttpError, MalformedResponse) as exc:
            LOG.info("walk: %s not readable: %s", path, exc)
            continue
        queue.extend(_links(document))
    if queue:
        LOG.warning("walk stopped at %d resources; %d links left", limits.max_resources,
                    len(queue))
    return visited


def _links(document: Any) -> Iterator[str]:
    if isinstance(document, Mapping):
        for key, value in document.items():
            if key == "@odata.id" and isinstance(value, str) and value.startswith("/redfish/"):
                if "#" not in value:
                    yield value
            else:
                yield from _links(value)
    elif isinstance(document, list):
        for item in document:
            yield from _links(item)


def _canonical(path: str) -> str:
    return path.rstrip("/") or "/"


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who was recorded: names the output directory ``<vendor>/<model>_<fw>``."""

    vendor: str
    model: str
    firmware: str

    def directory(self, out_dir: pathlib.Path) -> pathlib.Path:
        """``out_dir/<vendor>/<model>_<firmware>`` with file-system-safe names."""
        return out_dir / _safe(self.vendor) / f"{_safe(self.model)}_{_safe(self.firmware)}"


def identify(client: RedfishClient, vendor: str | None = None, model: str | None = None,
             firmware: str | None = None) -> Identity:
    """Fill in what was not given from the ServiceRoot and the first Manager (``unknown``
    where they do not say, a BMC that says it has no Manager included).

    :raises ConfigError: the model or firmware was not given and the BMC's Managers
        collection does not list its ``Members`` (null: which Managers it has is unknown,
        not none): "unknown" would name a directory another BMC's recording may write
        over; nothing was recorded, give them.
    """
    manager = _first_manager(client) if not (model and firmware) else {}
    root = client.root
    return Identity(
        vendor=vendor or str(root.get("Vendor") or manager.get("Manufacturer") or "unknown"),
        model=model or str(manager.get("Model") or root.get("Product") or "unknown"),
        firmware=firmware or str(manager.get("FirmwareVersion") or "unknown"))


def _first_manager(client: RedfishClient) -> Mapping[str, Any]:
    """The first Manager's document; empty when there is none or it cannot be read.

    :raises ConfigError: the Managers collection does not list its members (see
        :func:`identify`)."""
    managers = client.root.get("Managers")
    path = managers.get("@odata.id") if isinstance(managers, Mapping) else None
    if not isinstance(path, str):
        return {}
    try:
        members = parse_members(client.get(path), uri=path, host=client.host)
        if members.listed is None:
            raise ConfigError(f"the Managers collection {path} lists no Members (it "
                              f"{members.incomplete}: the BMC did not say which Managers it "
                              "has), so the model and firmware cannot be read from one: give "
                              "them (--model, --firmware); nothing was recorded",
                              host=client.host)
        return client.get(members.listed[0]) if members.listed else {}
    except (HttpError, MalformedResponse):
        return {}


def _safe(name: str) -> str:
    """One file-system-safe path segment from a BMC-controlled name.

    Never empty, never ``.``/``..`` or anything else made only of dots (and
    separators): those would name the parent directory or none; never hidden
    (no leading dot).
    """
    segment = _SAFE_SEGMENT.sub("-", name.strip()).strip("-").lower().lstrip(".")
    return "unknown" if not segment.strip(".-") else segment


def save(recorder: RecordingClient, directory: pathlib.Path, *, source: str, kind: str,
         identity: Identity, session: str | None = None) -> pathlib.Path:
    """Scrub the recorder's log and write it as one fixture directory.

    :raises ValueError: the leak check still finds something after scrubbing
        (nothing is written then).
    """
    from hamnhw.fixturetools.leaks import find_leaks_in_documents

    scrubber = Scrubber()
    exchanges, counts = scrub_exchanges(recorder.exchanges, scrubber)
    leaks = find_leaks_in_documents({"exchanges.json": [e.to_json() for e in exchanges]},
                                    originals=scrubber.originals())
    if leaks:
        raise ValueError(f"scrubbing left {len(leaks)} suspicious value(s), e.g. "
                         f"{leaks[0].category} at {leaks[0].where}; nothing written")
    meta = build_meta(source=source, kind=kind, vendor=identity.vendor, model=identity.model,
                      firmware=identity.firmware, scrubbed=counts, session=session,
                      exchanges=len(exchanges))
    return write_recording(directory, exchanges, meta)
