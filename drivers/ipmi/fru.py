"""FRU inventory (pyghmi ``Command.get_inventory``): identity of the host and whatever host
NIC MACs its records carry.

Records are what pyghmi decodes: the ``System`` record (FRU 0 plus Get Device ID and the
system GUID), then one per FRU device of the SDR repository.  Some BMCs put host MACs in
them (pyghmi's Lenovo handler adds ``MAC Address N`` fields; other vendors write
``MAC: ...`` into the board or product "extra" fields); many carry none.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

from hamnhw_drivers.generic.macs import normalize_mac

from hamnhw.errors import AuthenticationError, BmcUnreachable
from hamnhw.models import LinkStatus, Nic
from hamnhw.placeholders import known_text
from hamnhw.transport.ipmi_errors import command_error

SYSTEM_RECORD = "System"
"""pyghmi's name of the FRU 0 record."""
_MAC_IN_TEXT = re.compile(r"(?i)\bmac\w*\s*[:=#]?\s*([0-9a-f]{2}(?:[:-]?[0-9a-f]{2}){5})\b")
_MAC_ALONE = re.compile(r"(?i)^[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}$")
_EXTRA_FIELDS = ("chassis_extra", "board_extra", "product_extra")


@dataclasses.dataclass(frozen=True)
class FruRecords:
    """What the FRU inventory read gave."""

    records: tuple[tuple[str, Mapping[str, Any]], ...]
    """``(record name, fields)`` in pyghmi's order; may be partial when ``error`` is set."""
    error: str | None = None
    """Why the read stopped early, None when it completed."""

    def record(self, name: str) -> Mapping[str, Any] | None:
        """The fields of the record called ``name``, or None."""
        return next((fields for n, fields in self.records if n == name), None)


def read_fru(client: Any) -> FruRecords:
    """Read the FRU inventory as one paced command.  A BMC that refuses FRU commands (or
    answers garbage) gives the records read so far and the reason; losing the BMC or the
    account's rights raises.

    :raises BmcUnreachable, AuthenticationError: as typed by the transport.
    """
    host = client.host

    def collect(requests: Any) -> FruRecords:
        found: list[tuple[str, Mapping[str, Any]]] = []
        try:
            for name, fields in requests.command.get_inventory():
                if isinstance(fields, Mapping):
                    found.append((str(name), dict(fields)))
        except Exception as exc:
            error = command_error(exc, "FRU inventory", host)
            if isinstance(error, (BmcUnreachable, AuthenticationError)):
                raise error from None
            return FruRecords(tuple(found), error.message)
        return FruRecords(tuple(found))

    result: FruRecords = client.batch("FRU inventory", collect)
    return result


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return value if isinstance(value, str) else None


def _macs_in(fields: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """``(label, mac)`` for every MAC a record carries."""
    for key, value in fields.items():
        if key in _EXTRA_FIELDS and isinstance(value, list):
            for index, item in enumerate(value, 1):
                text = (_text(item) or "").strip()
                match = _MAC_IN_TEXT.search(text)
                alone = text if _MAC_ALONE.match(text) else None
                mac = normalize_mac(match.group(1) if match else alone)
                if mac:
                    yield f"{key} {index}", mac
        elif "mac" in key.lower():
            mac = normalize_mac(_text(value))
            if mac:
                yield key, mac


def host_macs(fru: FruRecords) -> tuple[Nic, ...]:
    """Host NICs from every MAC the FRU records carry (burned-in MACs: ``mac`` and
    ``permanent_mac`` alike), each MAC once."""
    nics: dict[str, Nic] = {}
    for record, fields in fru.records:
        for label, mac in _macs_in(fields):
            nics.setdefault(mac, Nic(id=f"{record}: {label}", name=label, mac=mac,
                                     permanent_mac=mac, link=LinkStatus.UNKNOWN))
    return tuple(nics.values())


def first_field(fields: Mapping[str, Any] | None, *names: str) -> str | None:
    """The first of ``names`` with a known text value: blanks and placeholders
    (``To Be Filled By O.E.M.``..., :func:`hamnhw.placeholders.known_text`) are skipped, so
    a placeholder product serial gives way to a real board serial."""
    for name in names:
        text = known_text(_text((fields or {}).get(name)))
        if text:
            return text
    return None


def first_placeholder(fields: Mapping[str, Any] | None, *names: str) -> str | None:
    """The raw text of the first of ``names`` holding a placeholder (for
    :attr:`hamnhw.models.System.placeholders`), or None."""
    for name in names:
        text = _text((fields or {}).get(name))
        if text is not None and text.strip() and known_text(text) is None:
            return text
    return None
