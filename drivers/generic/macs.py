"""MAC address normalisation."""

from __future__ import annotations

import re

from hamnhw.placeholders import placeholder_mac

_SEPARATED = re.compile(r"^[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}$")
_DOTTED = re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$")
_BARE = re.compile(r"^[0-9a-f]{12}$")


def normalize_mac(value: object) -> str | None:
    """Return a MAC in lower-case colon form, or None when it is not a usable MAC.

    Accepted: ``AA:BB:CC:DD:EE:FF``, ``aa-bb-cc-dd-ee-ff``, ``AABB.CCDD.EEFF``
    and ``aabbccddeeff``.  Null, empty and malformed values give None, and so do the
    placeholders ``00:00:00:00:00:00`` and ``ff:ff:ff:ff:ff:ff``.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if _SEPARATED.match(text) or _DOTTED.match(text) or _BARE.match(text):
        digits = re.sub(r"[^0-9a-f]", "", text)
    else:
        return None
    if placeholder_mac(digits):
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))
