"""Reading Redfish resources: typed field extraction and link following.

Parsers in this package never index raw JSON themselves.  They describe the
fields they want with :class:`Field` (a JSON path, the expected type and a
docstring) and read them through :class:`Resource`, which

* treats an absent property and a JSON ``null`` alike: the value is ``None``
  (the BMC did not tell);
* raises :class:`~hamnhw.errors.MalformedResponse` naming the resource URI and
  the JSON path when a property has the wrong type;
* skips, with a warning, every collection member or link without ``@odata.id``.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Mapping
from typing import Any

from hamnhw.errors import MalformedResponse
from hamnhw.log import get_logger
from hamnhw.members import MemberList, Scope, parse_members, read_members

LOG = get_logger("hamnhw.drivers.generic")

_TYPE_NAMES: dict[type, str] = {
    str: "a string", int: "a number", float: "a number", bool: "a boolean",
    dict: "an object", list: "an array",
}


JsonPath = str | tuple[str, ...]
"""A dotted JSON path, or a tuple of keys."""


_STEPS: dict[JsonPath, tuple[str, ...]] = {}
"""Paths already split: dotted ones, and tuples (a :class:`Field`'s ``steps``) as they are
(they are the drivers' constants: a few hundred at most)."""
_STEPS_KEPT = 4096


def _steps(path: JsonPath) -> tuple[str, ...]:
    steps = _STEPS.get(path)
    if steps is None:
        steps = tuple(path.split(".")) if isinstance(path, str) else path
        if len(_STEPS) < _STEPS_KEPT:  # a path built from data never grows it without end
            _STEPS[path] = steps
    return steps


def _is_object(node: Any) -> bool:
    """A JSON object: parsed JSON gives a ``dict`` (checked first, without the ABC's
    ``isinstance``), any other :class:`~collections.abc.Mapping` is taken too."""
    return type(node) is dict or isinstance(node, Mapping)


@dataclasses.dataclass(frozen=True)
class Field:
    """One property to extract from a Redfish document."""

    path: JsonPath
    """JSON path from the document root, e.g. ``Status.Health`` (a tuple where a key has a dot)."""
    kind: type
    """Expected JSON type: ``str``, ``int`` (any JSON number), ``bool``, ``dict`` or ``list``."""
    doc: str = ""
    """What the field means (kept next to the path, Ironic/sushy style)."""
    steps: tuple[str, ...] = dataclasses.field(init=False, repr=False, compare=False)
    """``path`` as a tuple of keys (split once, here)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", _steps(self.path))


def _type_ok(value: Any, kind: type) -> bool:
    if kind is int or kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind)


def last_segment(uri: str) -> str:
    """The member id at the end of a resource URI (``.../Drives/Disk.0`` -> ``Disk.0``)."""
    path = uri.split("#", 1)[0].rstrip("/")
    return urllib.parse.unquote(path.rsplit("/", 1)[-1])


class Resource:
    """A Redfish document with the URI it was read from.

    :param uri: resource path on the BMC (used in every error).
    :param doc: the parsed JSON object.
    :param host: the BMC, ``host[:port]``, for error messages.
    """

    def __init__(self, uri: str, doc: Mapping[str, Any], host: str | None = None) -> None:
        if type(doc) is not dict and not isinstance(doc, Mapping):  # _is_object, inline
            raise MalformedResponse("resource is not a JSON object", host=host, uri=uri)
        self.uri = uri
        self.doc = doc
        self.host = host

    def __repr__(self) -> str:
        return f"Resource({self.uri!r})"

    def malformed(self, message: str, json_path: str | None = None) -> MalformedResponse:
        """Build the error for a problem in this document."""
        return MalformedResponse(message, host=self.host, uri=self.uri,
                                 json_path=f"$.{json_path}" if json_path else None)

    def get(self, path: JsonPath, kind: type, default: Any = None) -> Any:
        """Value at ``path``, checked to be of ``kind``.

        :param path: dotted path, or a tuple of keys where a key holds a dot
            (``("Actions", "#ComputerSystem.Reset", "target")``).
        :returns: the value, or ``default`` when a step of the path is absent or null.
        :raises MalformedResponse: the value (or an intermediate step) has the wrong type.
        """
        steps = _STEPS.get(path) or _steps(path)  # the walk, inline: the hottest read
        node: Any = self.doc
        for depth, step in enumerate(steps):
            if node is None:
                return default
            if type(node) is not dict and not isinstance(node, Mapping):  # _is_object, inline
                raise self.malformed("expected an object", ".".join(steps[:depth]))
            node = node.get(step)
        if node is None:
            return default
        if type(node) is not kind and not _type_ok(node, kind):
            raise self.malformed(f"expected {_TYPE_NAMES.get(kind, kind.__name__)}, "
                                 f"got {type(node).__name__}", ".".join(steps))
        return node

    def field(self, spec: Field) -> Any:
        """Read a declared :class:`Field` (None when absent)."""
        value = self.get(spec.steps, spec.kind)
        return int(value) if spec.kind is int and isinstance(value, float) else value

    def extract(self, fields: Mapping[str, Field]) -> dict[str, Any]:
        """Read several declared fields at once, keyed like ``fields`` (each as
        :meth:`field` reads it, written out: a dozen per document)."""
        get = self.get
        found: dict[str, Any] = {}
        for name, spec in fields.items():
            value = get(spec.steps, spec.kind)
            found[name] = int(value) if spec.kind is int and isinstance(value, float) else value
        return found

    def has(self, path: JsonPath) -> bool:
        """True when the property at ``path`` is present (even if null)."""
        node: Any = self.doc
        for step in _steps(path):
            if not _is_object(node) or step not in node:
                return False
            node = node[step]
        return True

    @property
    def id(self) -> str:
        """The ``Id`` property, else the last segment of the URI."""
        value = self.get("Id", str)
        return value if value else last_segment(self.uri)

    def link(self, path: str) -> str | None:
        """``@odata.id`` of the single link at ``path``, or None when absent."""
        node = self.get(path, dict)
        if node is None:
            return None
        target = node.get("@odata.id")
        if target is None:
            return None
        if not isinstance(target, str):
            raise self.malformed("expected a string", f"{path}.@odata.id")
        return target

    def links(self, path: str) -> list[str] | None:
        """``@odata.id`` of every link in the array at ``path``.

        Members without ``@odata.id`` are skipped with a warning.

        :returns: the URIs in order, or None when the array is absent.
        """
        items = self.get(path, list)
        if items is None:
            return None
        found = []
        for index, item in enumerate(items):
            target = (item.get("@odata.id") if type(item) is dict or isinstance(item, Mapping)
                      else None)  # _is_object, inline: every member of every collection
            if isinstance(target, str) and target:
                found.append(target)
            else:
                LOG.warning("%s: %s%s[%d] has no @odata.id; skipped", self.host or "BMC",
                            self.uri, f" $.{path}", index)
        return found

    def member_list(self) -> MemberList:
        """What this collection document says it holds (:func:`hamnhw.members.parse_members`:
        the rules of ``Members``, ``Members@odata.count`` and ``Members@odata.nextLink``
        are there; a next page is not read here, :meth:`Reader.members` reads it).

        :raises MalformedResponse: one of those properties is not of its type.
        """
        return parse_members(self.doc, uri=self.uri, host=self.host)

    def members(self) -> list[str] | None:
        """URIs of every member of this collection document, in order; None when it does not
        list them all (no ``Members`` array, fewer than ``Members@odata.count``, or a
        ``nextLink`` to more), ``[]`` only when the BMC said it holds nothing.

        :raises MalformedResponse: ``Members`` (or the count, or the next link) is not of
            its type.
        """
        return self.member_list().every

    def require_members(self) -> list[str]:
        """:meth:`members`, raising where it gives None.

        :raises MalformedResponse: the collection does not list every member (or a property
            of a wrong type).
        """
        return self.member_list().require()


class Reader:
    """Reads resources through a :class:`~hamnhw.transport.base.RedfishClient`.

    :param client: the connected client.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self._host: tuple[Any, str | None] = (None, None)
        """The client whose ``host`` was looked up, and its ``host``."""

    @property
    def host(self) -> str | None:
        """The BMC's ``host[:port]``."""
        client, host = self._host
        if client is not self.client:  # a lookup through the client's wrappers, once
            host = getattr(self.client, "host", None)
            self._host = (self.client, host)
        return host

    def read(self, uri: str, fresh: bool = False) -> Resource:
        """GET one resource (the document read a moment ago in this command, when the
        client remembers it: :mod:`hamnhw.readmemo`).

        :param fresh: from the BMC in any case.
        """
        get = getattr(self.client, "get_fresh", self.client.get) if fresh else self.client.get
        return Resource(uri, get(uri), self.host)

    def members(self, uri: str) -> MemberList:
        """What the collection at ``uri`` holds, every page of it read
        (:func:`hamnhw.members.read_members`), each page through :meth:`read`, all of them
        under one deadline (the client's :meth:`~hamnhw.transport.client.BmcClient.
        deadline_scope`).  A later page that fails leaves the list incomplete
        (:attr:`MemberList.failure <hamnhw.members.MemberList.failure>`).

        :raises MalformedResponse: the first page is not a usable collection document.
        """
        return read_members(lambda page: self.read(page).doc, uri, host=self.host,
                            scope=self.deadline_scope)

    @property
    def deadline_scope(self) -> Scope | None:
        """The client's :meth:`~hamnhw.transport.client.BmcClient.deadline_scope` (None for a
        client without one)."""
        return getattr(self.client, "deadline_scope", None)

    def require_members(self, uri: str) -> list[str]:
        """Every member of the collection at ``uri`` (:meth:`members`), in order.

        :raises MalformedResponse: the collection does not list them all.
        """
        return self.members(uri).require()

    def collection(self, uri: str) -> list[Resource]:
        """GET a collection (every page) and each of its members, in order (the members side
        by side, :meth:`prefetch`)."""
        members = self.require_members(uri)
        self.prefetch(members)
        return [self.read(member) for member in members]

    def prefetch(self, uris: list[str]) -> None:
        """Read ``uris`` side by side when the client remembers what it read
        (:meth:`hamnhw.readmemo.MemoClient.prefetch`), so that reading them one after the
        other next costs no waiting; errors are met by those reads, in their order."""
        prefetch = getattr(self.client, "prefetch", None)
        if callable(prefetch):
            prefetch(uris)
