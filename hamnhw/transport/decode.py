"""Content decoding of BMC answers: gzip and deflate, streamed and size-capped.

hamnhw asks for exactly :data:`ACCEPT_ENCODING` (requests would add ``br`` and ``zstd``
whenever those packages happen to be installed) and decodes by ``Content-Encoding``.
A body without the header that starts with the gzip magic is decoded as gzip: iLO 5
firmware gzips parts of its tree even unasked, not always saying so.  Any other coding
is refused, naming it; a gzip body of several members is decoded whole, and bytes after
the end of the stream are refused rather than dropped.  The size cap applies to the
decoded body, so a gzip bomb is bad input like any other oversized answer.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping

ACCEPT_ENCODING = "gzip, deflate"
"""The ``Accept-Encoding`` header of every request."""

GZIP_MAGIC = b"\x1f\x8b"
"""First two bytes of a gzip stream (RFC 1952)."""

_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS
_NAMES = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate", "identity": "identity"}


class BodyTooLarge(Exception):
    """The response body exceeded the size cap (before or after decoding)."""


class UnsupportedEncoding(Exception):
    """The answer used a content coding hamnhw did not ask for, or a broken stream."""


def codings(headers: Mapping[str, str], first_bytes: bytes) -> list[str]:
    """The content codings to undo, outermost first (``gzip, deflate`` -> deflate, gzip).

    :raises UnsupportedEncoding: a coding other than gzip, x-gzip, deflate or identity.
    """
    header = headers.get("Content-Encoding", "")
    found = [c.strip().lower() for c in header.split(",") if c.strip()]
    unknown = [c for c in found if c not in _NAMES]
    if unknown:
        raise UnsupportedEncoding(
            f"the BMC answered with Content-Encoding {header!r}: hamnhw asks for "
            f"{ACCEPT_ENCODING!r} and cannot decode {', '.join(unknown)}")
    wanted = [_NAMES[c] for c in reversed(found) if _NAMES[c] != "identity"]
    if not found and first_bytes.startswith(GZIP_MAGIC):
        wanted = ["gzip"]
    return wanted


def decode(chunks: Iterable[bytes], coding: str, max_bytes: int) -> Iterable[bytes]:
    """Undo one content coding over a stream of chunks, never producing more than
    ``max_bytes`` in all.  A gzip body may hold several members (RFC 1952), decoded one
    after the other, as urllib3 and gzip(1) do; bytes after the end of the stream that
    are no gzip member are refused, not dropped.

    :raises BodyTooLarge: the decoded stream would exceed ``max_bytes``.
    :raises UnsupportedEncoding: the stream is not valid for its coding.
    """
    decoder: zlib._Decompress | None = None
    size = 0
    for chunk in chunks:
        data = chunk
        while data:
            if decoder is None or decoder.eof:
                decoder = _next_decoder(coding, data, decoder is not None)
            try:
                out = decoder.decompress(data, max_bytes - size + 1)
            except zlib.error as exc:
                raise UnsupportedEncoding(f"the {coding} body cannot be decoded: {exc}") from None
            size += len(out)
            if size > max_bytes:
                raise BodyTooLarge(f"decoded ({coding}) response body larger than "
                                   f"{max_bytes} bytes")
            if out:
                yield out
            data = decoder.unused_data if decoder.eof else decoder.unconsumed_tail
    if decoder is not None and not decoder.eof:
        raise UnsupportedEncoding(f"the {coding} body ends before its stream does")


def _next_decoder(coding: str, data: bytes, after_end: bool) -> zlib._Decompress:
    """The decoder of the stream starting with ``data``: the first one, or, after the end
    of one, the next gzip member (any other coding has one stream only)."""
    if after_end and coding != "gzip":
        raise UnsupportedEncoding(f"the {coding} body has {len(data)} bytes or more after the "
                                  "end of its stream")
    return zlib.decompressobj(_wbits(coding, data))


def _wbits(coding: str, first: bytes) -> int:
    """zlib window bits for ``coding``; ``deflate`` is meant to be zlib-wrapped (RFC 9110),
    but some servers send raw deflate: told apart by the zlib header check."""
    if coding == "gzip":
        return _GZIP_WBITS
    if len(first) >= 2 and (first[0] & 0x0F) == 8 and ((first[0] << 8) | first[1]) % 31 == 0:
        return _ZLIB_WBITS
    return _RAW_DEFLATE_WBITS


def decoded(body: bytes, headers: Mapping[str, str], max_bytes: int) -> bytes:
    """``body`` with every content coding undone, the result at most ``max_bytes``.

    :raises BodyTooLarge: the decoded body would exceed ``max_bytes``.
    :raises UnsupportedEncoding: an unknown coding or a broken stream.
    """
    if not body or ("Content-Encoding" not in headers and not body.startswith(GZIP_MAGIC)):
        return body  # nothing to undo (most answers)
    stream: Iterable[bytes] = [body]
    for coding in codings(headers, body[:2]):
        stream = decode(stream, coding, max_bytes)
    return body if stream == [body] else b"".join(stream)
