"""An HTTP/1.1 answer's status line and headers, read without the email package.

``http.client`` parses an answer's headers with :mod:`email`, most of the CPU of a small
Redfish answer; :class:`Response` reads them with :func:`parse_header_lines` into
:class:`Headers` (looked up whatever the case).  Used by :mod:`hamnhw.transport.lean`.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

_UNKNOWN: Any = http.client._UNKNOWN  # type: ignore[attr-defined]
"""What ``http.client`` sets an answer's fields to before its status line is read."""


class Headers(Mapping[str, str]):
    """An answer's headers, looked up whatever the case (a repeated header's values are
    joined with ``, `` as urllib3 does)."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        found: dict[str, tuple[str, str]] = {}
        for name, value in items:
            _add(found, name, value)
        self._items = found

    @classmethod
    def _of(cls, found: dict[str, tuple[str, str]]) -> Headers:
        """Headers from their lookup table (lower-case name -> (name, value)) as
        :func:`parse_header_lines` builds it."""
        headers = cls.__new__(cls)
        headers._items = found
        return headers

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def get(self, name: str, default: Any = None) -> Any:  # one lookup, not two
        item = self._items.get(name.lower())
        return default if item is None else item[1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get_all(self, name: str, default: Any = None) -> Any:
        """The value as a one-item list (what ``http.client`` asks of its headers)."""
        item = self._items.get(name.lower())
        return default if item is None else [item[1]]

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


def parse_header_lines(lines: Iterable[bytes]) -> Headers:
    """The headers of an answer from its raw lines (``Name: value\\r\\n``; a line
    starting with a space or a tab continues the previous value; a line without a colon
    is ignored, as the standard library's email parser does)."""
    found: dict[str, tuple[str, str]] = {}
    last = None  # the lower-case name of the previous header
    # Each line keeps its CR: the name is before the colon, the value and a continuation
    # are stripped, and a line without a colon is ignored, with it or without it.
    for line in b"".join(lines).decode("iso-8859-1").split("\n"):
        if line[:1] in (" ", "\t"):
            if last is not None:
                name, value = found[last]
                found[last] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if colon and name:  # _add, inline: every header of every answer (measured)
            name = name.rstrip()
            value = value.strip()
            last = name.lower()
            seen = found.get(last)
            found[last] = (name, value) if seen is None else (seen[0], f"{seen[1]}, {value}")
    return Headers._of(found)


def _add(found: dict[str, tuple[str, str]], name: str, value: str) -> str:
    """Add a header to a lookup table (a repeated one's values joined); its key."""
    key = name.lower()
    seen = found.get(key)
    found[key] = (name, value) if seen is None else (seen[0], f"{seen[1]}, {value}")
    return key


class Response(http.client.HTTPResponse):
    """The standard library's answer with its headers read by :func:`parse_header_lines`:
    ``http.client`` parses them with the email package, most of the CPU of a small Redfish
    answer.  :meth:`begin` is ``HTTPResponse.begin`` of Python 3.11-3.13 but for that line
    (the same limits: ``_read_headers`` refuses over 100 headers or a line over 64 KiB)."""

    answered = False
    """True once a status line came (some of the answer arrived)."""

    def __init__(self, reader: BinaryIO, *, method: str) -> None:
        """``HTTPResponse.__init__`` of Python 3.11-3.13 with the reader given, not made.

        :param reader: the connection's buffered reader (``sock.makefile("rb")``),
            which outlives the answer: reading the answer to its end, or closing it, lets go
            of the reader without closing it (its owner closes it with the connection)."""
        self.fp = reader  # type: ignore[assignment]
        self.debuglevel = 0
        self._method = method
        self.headers = self.msg = None  # type: ignore[assignment]
        self.version = self.status = self.reason = _UNKNOWN
        self.chunked = self.chunk_left = self.length = self.will_close = _UNKNOWN

    def _close_conn(self) -> None:
        self.fp = None  # type: ignore[assignment]

    def begin(self) -> None:
        if self.headers is not None:
            return
        while True:
            version, status, reason = self._read_status()
            self.answered = True
            if status != http.client.CONTINUE:
                break
            http.client._read_headers(self.fp)
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = parse_header_lines(
            http.client._read_headers(self.fp))
        found = self.headers._items  # looked up here without a call each
        coding = found.get("transfer-encoding", ("", ""))[1]
        self.chunked = bool(coding) and coding.lower() == "chunked"
        self.chunk_left = None
        if self.version == 11:  # _check_close of HTTP/1.1, written out
            connection = found.get("connection", ("", ""))[1]
            self.will_close = bool(connection) and "close" in connection.lower()
        else:
            self.will_close = self._check_close()
        self.length = None
        length = found.get("content-length", ("", ""))[1]
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:
                    self.length = None
        if (status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED)
                or 100 <= status < 200 or self._method == "HEAD"):
            self.length = 0  # no body, even one announced as chunked (RFC 9112 6.3)
            self.chunked = False
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True
