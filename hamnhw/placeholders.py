"""Placeholder values that firmware writes where it knows nothing: they mean unknown.

Board vendors ship SMBIOS/FRU fields such as the serial number filled with
``To Be Filled By O.E.M.``, ``Default string`` or blanks, UUIDs of all zeroes or all
``F``, and MACs of all zeroes or all ones.  Taken as values they would make two
servers look identical (the failover compares serials; DHCP keys on MACs), so every
driver reads them through these functions and reports None instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER_TEXTS = frozenset({
    "to be filled by o.e.m.", "to be filled by oem", "not specified", "not available",
    "n/a", "na", "default string", "none", "null", "unknown", "system serial number",
    "0123456789",
})
"""Lower-cased texts that mean "not set" (SMBIOS and FRU defaults seen in the field)."""

_SAME_HEX = re.compile(r"^(?:0+|f+)$")


def known_text(value: object) -> str | None:
    """``value`` stripped, or None when it is not a string, blank or a placeholder."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or text.lower() in PLACEHOLDER_TEXTS:
        return None
    return text


def known_uuid(value: object) -> str | None:
    """A UUID, or None when blank, a placeholder text, or all zeroes / all ``F``."""
    text = known_text(value)
    if text is None:
        return None
    digits = re.sub(r"[^0-9a-fA-F]", "", text).lower()
    return None if _SAME_HEX.match(digits) else text


def placeholder_mac(digits: str) -> bool:
    """True for the 12 hex digits of ``00:00:00:00:00:00`` or ``ff:ff:ff:ff:ff:ff``."""
    return _SAME_HEX.match(digits.lower()) is not None


def placeholders_of(raw: Mapping[str, object], known: Mapping[str, object]) -> dict[str, str]:
    """The fields of ``raw`` that held text read as unknown (``known[name]`` None): a
    placeholder or a blank, with the raw text, for :attr:`hamnhw.models.System.placeholders`."""
    return {name: value for name, value in raw.items()
            if isinstance(value, str) and known.get(name) is None}
