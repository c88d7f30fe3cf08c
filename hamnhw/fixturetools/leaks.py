"""Find anything in fixtures that looks like a real secret or identifier.

Independent of the scrubber's bookkeeping: it looks at the finished files
only.  A finding names the file, the JSON path and the category, and shows at
most the first four characters of the value.

Flagged: a password other than ``***``; an ``X-Auth-Token``/``Token`` value
other than ``***``; a session id that is not ``FAKE-SESSION-nnnn``; a
token-like string (long hex/base64) inside a Session resource; a serial
(``SKU`` or a key ending in ``SerialNumber``/``ServiceTag``/``AssetTag``, such as
Dell's ``ChassisServiceTag``) not ``FAKE-SN-nnnn``; a UUID not
``00000000-0000-4000-8000-xxxxxxxxxxxx``; a MAC that is not locally
administered (a vendor OUI); an IP address outside loopback and the
documentation ranges.  When the scrubber's originals are at hand (right after
scrubbing, see :func:`find_leaks_in_documents`), any key or value equal to one
of them, or containing one as a whole token, is flagged as well (originals of
four characters or more, the ones the scrubber also replaces inside text).
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from hamnhw.fixturetools.scrub import (
    BARE_MAC_RE,
    FAKE_SERIAL,
    FAKE_SESSION,
    FAKE_UUID,
    IPV4_RE,
    IPV6_CANDIDATE_RE,
    MAC_RE,
    NIL_UUID,
    NOT_ADDRESS_KEY,
    PASSWORD_KEY,
    REDACTED,
    SESSION_PATH_RE,
    SHORTEST_LITERAL,
    TOKEN_KEYS,
    UUID_RE,
    is_kept_ip,
    is_placeholder,
    is_serial_key,
)

TOKEN_LIKE = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9+/=_.-]{16,}$")
TEXT_PASSWORD = re.compile(r"\"[A-Za-z]*Password\"\s*:\s*\"(?P<v>[^\"]*)\"", re.IGNORECASE)
TEXT_TOKEN = re.compile(r"X-Auth-Token\"?\s*[:=]\s*\"?(?P<v>[A-Za-z0-9+/=_-]{8,})",
                        re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Leak:
    """One suspicious value."""

    file: str
    """File (relative to the scanned root)."""
    where: str
    """JSON path (``$.0.response_json.SerialNumber``) or ``line N``."""
    category: str
    """password, token, session, serial, uuid, mac, ip; original (a value the scrubber
    replaced, still present)."""
    hint: str
    """The first characters of the value, never all of it."""

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.category} ({self.hint})"


def find_leaks(root: str | pathlib.Path) -> list[Leak]:
    """Scan every file under ``root`` (JSON structurally, the rest as text)."""
    root = pathlib.Path(root)
    leaks: list[Leak] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = str(path.relative_to(root))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix == ".json":
            try:
                leaks.extend(_scan_json(name, json.loads(text)))
                continue
            except json.JSONDecodeError:
                pass
        leaks.extend(_scan_text_file(name, text))
    return leaks


def find_leaks_in_documents(documents: Mapping[str, Any],
                            originals: Collection[str] = ()) -> list[Leak]:
    """Scan parsed JSON documents keyed by a name (used before writing).

    :param originals: the values the scrubber replaced
        (:meth:`~hamnhw.fixturetools.scrub.Scrubber.originals`); any of them
        still present is a leak of category ``original``.
    """
    known = _OriginalsMatcher(originals)
    leaks: list[Leak] = []
    for name, document in documents.items():
        leaks.extend(_scan_json(name, document, known))
    return leaks


def _scan_json(name: str, document: Any,
               known: _OriginalsMatcher | None = None) -> Iterator[Leak]:
    for where, key, value, in_session in _strings(document, "$", None, False):
        for category, hint in _check_value(key, value, in_session):
            yield Leak(name, where, category, hint)
        if known is not None and known.found_in(value):
            yield Leak(name, where, "original", "...")


class _OriginalsMatcher:
    """Finds originals a scrubber replaced, as whole tokens (case-sensitive, like the scrubber).

    Originals shorter than the scrubber's own shortest literal are skipped: the
    scrubber leaves such values (a session id ``1``) alone elsewhere, so they
    would only give false alarms.
    """

    def __init__(self, originals: Collection[str]) -> None:
        longest_first = sorted((o for o in originals if len(o) >= SHORTEST_LITERAL),
                               key=len, reverse=True)
        either = "|".join(map(re.escape, longest_first))
        self._token = (re.compile(rf"(?<![A-Za-z0-9])(?:{either})(?![A-Za-z0-9])")
                       if longest_first else None)

    def found_in(self, value: str) -> bool:
        """True when ``value`` is, or contains as a whole token, one of the originals."""
        return self._token is not None and self._token.search(value) is not None


def _strings(value: Any, where: str, key: str | None,
             in_session: bool) -> Iterator[tuple[str, str | None, str, bool]]:
    if isinstance(value, dict):
        in_session = in_session or _is_session_resource(value)
        for k, v in value.items():
            yield f"{where}.{k}", None, str(k), False
            yield from _strings(v, f"{where}.{k}", str(k), in_session)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]", key, in_session)
    elif isinstance(value, str):
        yield where, key, value, in_session


def _is_session_resource(document: Mapping[str, Any]) -> bool:
    kind = str(document.get("@odata.type", ""))
    return "#Session." in kind or bool(SESSION_PATH_RE.search(str(document.get("@odata.id", ""))))


def _check_value(key: str | None, value: str, in_session: bool) -> Iterator[tuple[str, str]]:
    lowered = (key or "").lower()
    if PASSWORD_KEY.search(lowered) and value != REDACTED:
        yield "password", _hint(value)
    elif lowered in TOKEN_KEYS and value != REDACTED:
        yield "token", _hint(value)
    elif is_serial_key(lowered) and not (FAKE_SERIAL.match(value) or is_placeholder(value)):
        yield "serial", _hint(value)
    elif "mac" in lowered and BARE_MAC_RE.match(value) and not _locally_administered(value):
        yield "mac", _hint(value)
    elif in_session and lowered not in ("@odata.id", "@odata.type") and TOKEN_LIKE.match(value) \
            and not FAKE_SESSION.match(value):
        yield "token", _hint(value)
    yield from _check_text(value, addresses=not NOT_ADDRESS_KEY.search(lowered))


def _check_text(text: str, *, addresses: bool = True) -> Iterator[tuple[str, str]]:
    for match in SESSION_PATH_RE.finditer(text):
        if not FAKE_SESSION.match(match.group(2)):
            yield "session", _hint(match.group(2))
    for match in UUID_RE.finditer(text):
        if match.group(0).lower() != NIL_UUID and not FAKE_UUID.match(match.group(0)):
            yield "uuid", _hint(match.group(0))
    for match in MAC_RE.finditer(text):
        if not _locally_administered(match.group(0)):
            yield "mac", _hint(match.group(0))
    if addresses:
        for regex in (IPV4_RE, IPV6_CANDIDATE_RE):
            for match in regex.finditer(text):
                if not is_kept_ip(match.group(0)):
                    yield "ip", _hint(match.group(0))


def _scan_text_file(name: str, text: str) -> Iterator[Leak]:
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"line {number}"
        for category, hint in _check_text(line):
            yield Leak(name, where, category, hint)
        for match in TEXT_PASSWORD.finditer(line):
            if match.group("v") != REDACTED:
                yield Leak(name, where, "password", _hint(match.group("v")))
        for match in TEXT_TOKEN.finditer(line):
            yield Leak(name, where, "token", _hint(match.group("v")))


def _locally_administered(mac: str) -> bool:
    digits = re.sub(r"[^0-9A-Fa-f]", "", mac)
    if int(digits, 16) == 0:
        return True  # the unset MAC carries no identity
    return bool(int(digits[:2], 16) & 0x02)


def _hint(value: str) -> str:
    return value[:4] + "..." if len(value) > 4 else "..."
