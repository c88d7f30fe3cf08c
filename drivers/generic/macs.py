"""MAC address and InfiniBand GUID normalisation."""

from __future__ import annotations

import re

from hamnhw.placeholders import placeholder_mac

_SEPARATED = re.compile(r"^[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}$")
_DOTTED = re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$")
_BARE = re.compile(r"^[0-9a-f]{12}$")
_NOT_HEX = re.compile(r"[^0-9a-f]")


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
        digits = _NOT_HEX.sub("", text)
    else:
        return None
    if placeholder_mac(digits):
        return None
    return ":".join([digits[i:i + 2] for i in range(0, 12, 2)])


_GUID_TEXT = re.compile(r"^(?:0x)?[0-9a-f]{4}([:-]?)(?:[0-9a-f]{4}\1){2}[0-9a-f]{4}$"
                        r"|^[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\2){6}[0-9a-f]{2}$")


def normalize_guid(value: object) -> str | None:
    """An InfiniBand port GUID (EUI-64) in lower-case colon form (``00:02:c9:03:00:aa:bb:01``),
    or None when it is not a usable GUID.

    Accepted: Redfish's ``0002:C903:00AA:BB01`` (the ``PortGUID`` pattern), 16 bare hex
    digits (``0x`` prefix allowed) and byte-wise colon or dash form.  All zeroes and all
    ``F`` are placeholders: None.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if not _GUID_TEXT.match(text):
        return None
    digits = re.sub(r"[^0-9a-f]", "", text.removeprefix("0x"))
    if len(digits) != 16 or placeholder_mac(digits):
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 16, 2))
