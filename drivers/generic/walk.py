"""One walk of part of a BMC's resource tree: each resource read once, and what could not
be read kept as warnings instead of failing the whole command.

A service links many optional branches (chassis, adapters, storage collections); one of them
answering 404 or 5xx, or an unusable document, must not lose everything else.  Such a branch
is skipped with a warning naming it, and the result says it is incomplete.  Errors that mean
the BMC itself is gone (timeouts, unreachable, refused credentials) still end the command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hamnhw_drivers.generic.resource import Reader, Resource

from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.log import get_logger
from hamnhw.members import read_members

LOG = get_logger("hamnhw.drivers.generic.walk")
T = TypeVar("T")


def same_uri(left: str, right: str) -> bool:
    """Two ``@odata.id`` values naming the same resource (a trailing slash aside)."""
    return left.rstrip("/") == right.rstrip("/")


def unique(uris: list[str]) -> list[str]:
    """``uris`` in order without repeats (services do link one resource twice)."""
    seen: set[str] = set()
    found = []
    for uri in uris:
        key = uri.rstrip("/")
        if key not in seen:
            seen.add(key)
            found.append(uri)
    return found


class Walk:
    """Reads resources for one operation: each URI is fetched at most once.

    :param reader: the driver's reader over the connected client.
    """

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.warnings: list[str] = []
        """What could not be read, in the order met."""
        self._cache: dict[str, Resource] = {}

    @property
    def host(self) -> str:
        """The BMC's ``host[:port]``."""
        return self.reader.host or "BMC"

    @property
    def incomplete(self) -> bool:
        """True once something linked could not be read."""
        return bool(self.warnings)

    def read(self, uri: str) -> Resource:
        """GET ``uri`` (once per walk); every error propagates."""
        key = uri.rstrip("/")
        if key not in self._cache:
            self._cache[key] = self.reader.read(uri)
        return self._cache[key]

    def remember(self, resource: Resource) -> None:
        """Record a resource read elsewhere (e.g. the system) so it is not read again."""
        self._cache.setdefault(resource.uri.rstrip("/"), resource)

    def prefetch(self, uris: list[str]) -> None:
        """Read side by side those of ``uris`` this walk has not read
        (:meth:`Reader.prefetch <hamnhw_drivers.generic.resource.Reader.prefetch>`)."""
        self.reader.prefetch([uri for uri in uris if uri.rstrip("/") not in self._cache])

    def try_read(self, uri: str, what: str) -> Resource | None:
        """GET ``uri``; an HTTP error or unusable answer is a warning and None."""
        try:
            return self.read(uri)
        except (HttpError, MalformedResponse) as exc:
            self.warn(f"{what} {uri} not readable, skipped: {exc.message}")
            return None

    def collection(self, uri: str, what: str) -> list[Resource] | None:
        """A collection's members (each read once, repeats dropped); None, with a warning,
        when the collection itself cannot be read or does not list its members
        (:meth:`members`).  A member that cannot be read is skipped with a warning."""
        collection = self.try_read(uri, f"{what} collection")
        if collection is None:
            return None
        listed = self.members(collection, what)
        if listed is None:
            return None
        members = unique(listed)
        self.prefetch(members)
        found = (self.try_read(member, what) for member in members)
        return [resource for resource in found if resource is not None]

    def members(self, collection: Resource, what: str) -> list[str] | None:
        """The member URIs ``collection`` lists, its next pages read too
        (:func:`hamnhw.members.read_members`, under one deadline); a list that is not every
        member is a warning saying why: the part read is kept (None when nothing is: no
        ``Members`` array is unknown, not empty), a later page that cannot be read or is
        unusable included.  A first page that is wrongly typed is a warning and None."""
        try:
            listed = read_members(lambda page: self.read(page).doc, collection.uri,
                                  host=self.reader.host, doc=collection.doc,
                                  scope=self.reader.deadline_scope)
        except MalformedResponse as exc:  # the first page (a later one: incomplete)
            self.warn(f"{what} collection {collection.uri} not usable, skipped: {exc.message}")
            return None
        if listed.incomplete is not None:
            self.warn(f"{what} collection {collection.uri} {listed.incomplete}")
        return listed.listed

    def parse(self, resource: Resource, what: str, read: Callable[[Resource], T]) -> T | None:
        """``read(resource)``; a document it finds unusable (a wrongly typed property:
        :class:`~hamnhw.errors.MalformedResponse`) is skipped with a warning and None."""
        try:
            return read(resource)
        except MalformedResponse as exc:
            self.warn(f"{what} {resource.uri} not usable, skipped: {exc.message}")
            return None

    def warn(self, message: str) -> None:
        """Record (and log) that something could not be read."""
        LOG.warning("%s: %s", self.host, message)
        self.warnings.append(message)
