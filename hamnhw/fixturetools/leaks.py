"""Find anything in fixtures that looks like a real secret or identifier.

Independent of the scrubber's bookkeeping: it looks at the finished files
only.  A finding names the file, the JSON path and the category, and shows at
most the first four characters of the value.

Flagged: a value other than ``***`` (or empty) under a secret key
(:func:`~hamnhw.fixturetools.scrubkeys.is_secret_key`: passwords and passphrases, tokens,
SNMP communities and keys, IPMI Kg, ``*Secret``, ``Authorization``) or anywhere under
``HttpHeaders``, as ``password``, ``token`` or ``secret``, and a URL's user information
(``user:pw@``) other than ``***``, as ``secret``; a session id that is not
``FAKE-SESSION-nnnn``; a token-like string (long hex/base64) inside a Session resource; a serial
(``SKU`` or a key ending in ``SerialNumber``/``ServiceTag``/``AssetTag``, such as
Dell's ``ChassisServiceTag``) not ``FAKE-SN-nnnn``; a UUID not
``00000000-0000-4000-8000-xxxxxxxxxxxx``; a host or domain name
(:func:`~hamnhw.fixturetools.scrubkeys.is_host_key`: ``HostName``, Dell's
``NIC.1.DNSRacName``, NTP servers, SNMP trap destinations...) not ``host-nnnn``, and the host
of any URL (Redfish ``EventDestination.Destination``) that is neither ``host-nnnn`` nor an
address nor a public site (:data:`~hamnhw.fixturetools.scrubkeys.PUBLIC_URL_DOMAINS`), as
``host``; a location (:func:`~hamnhw.fixturetools.scrubkeys.is_location_key`) not
``FAKE-LOC-nnnn``; a contact (:func:`~hamnhw.fixturetools.scrubkeys.is_contact_key`:
``ContactName``, ``PhoneNumber``, Dell's ``OwnerInfo.1.OwnerName``...) not
``FAKE-CONTACT-nnnn``; an e-mail address anywhere not ``@example.test`` (nor an SSH algorithm
name such as ``aes128-gcm@openssh.com``); a MAC that is not locally
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
    FAKE_CONTACT,
    FAKE_HOST,
    FAKE_LOCATION,
    FAKE_SERIAL,
    FAKE_SESSION,
    FAKE_UUID,
    IPV4_RE,
    IPV6_CANDIDATE_RE,
    MAC_RE,
    NIL_UUID,
    REDACTED,
    SESSION_PATH_RE,
    SHORTEST_LITERAL,
    UUID_RE,
    is_kept_ip,
    is_placeholder,
)
from hamnhw.fixturetools.scrubkeys import (
    EMAIL_RE,
    HEADERS_KEY,
    NOT_ADDRESS_KEY,
    URL_RE,
    is_address,
    is_public_email,
    is_public_host,
    is_secret_key,
    key_category,
    secret_category,
    without_url_authorities,
)

TOKEN_LIKE = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9+/=_.-]{16,}$")
TEXT_PAIR = re.compile(r"\"(?P<k>[^\"]+)\"\s*:\s*\"(?P<v>[^\"]*)\"")
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
    """password, token, secret, session, serial, host, location, contact, email, uuid, mac,
    ip; original (a value the scrubber replaced, still present)."""
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
    for where, key, value, context in _strings(document, "$", None, _Context()):
        if context.in_headers and not is_secret_key(key) and value not in (REDACTED, ""):
            yield Leak(name, where, "secret", _hint(value))
        for category, hint in _check_value(key, value, context.in_session):
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


@dataclasses.dataclass(frozen=True)
class _Context:
    in_session: bool = False
    """Inside a Session resource."""
    in_headers: bool = False
    """Inside ``HttpHeaders``: every value is a secret."""


_KEY = _Context()
"""The context of a key itself (a header name is no secret)."""


def _strings(value: Any, where: str, key: str | None,
             context: _Context) -> Iterator[tuple[str, str | None, str, _Context]]:
    if isinstance(value, dict):
        if not context.in_session and _is_session_resource(value):
            context = dataclasses.replace(context, in_session=True)
        for k, v in value.items():
            yield f"{where}.{k}", None, str(k), _KEY
            inner = (dataclasses.replace(context, in_headers=True)
                     if str(k).lower() == HEADERS_KEY else context)
            yield from _strings(v, f"{where}.{k}", str(k), inner)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]", key, context)
    elif isinstance(value, str):
        yield where, key, value, context


def _is_session_resource(document: Mapping[str, Any]) -> bool:
    kind = str(document.get("@odata.type", ""))
    return "#Session." in kind or bool(SESSION_PATH_RE.search(str(document.get("@odata.id", ""))))


def _check_value(key: str | None, value: str, in_session: bool) -> Iterator[tuple[str, str]]:
    lowered = (key or "").lower()
    category = key_category(lowered, value)
    if is_secret_key(lowered) and value not in (REDACTED, ""):
        yield secret_category(lowered), _hint(value)
    elif category is not None and not (_FAKES[category].match(value) or is_placeholder(value)):
        yield category, _hint(value)
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
    for match in URL_RE.finditer(text):
        if match.group(2) not in (None, REDACTED):
            yield "secret", _hint(match.group(2))
        host = match.group(3)
        if not (FAKE_HOST.match(host) or is_address(host) or is_public_host(host)
                or is_placeholder(host)):
            yield "host", _hint(host)
    for match in EMAIL_RE.finditer(without_url_authorities(text)):
        if not is_public_email(match.group(0)):
            yield "email", _hint(match.group(0))
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
        for match in TEXT_PAIR.finditer(line):
            if is_secret_key(match.group("k")) and match.group("v") not in (REDACTED, ""):
                yield Leak(name, where, secret_category(match.group("k")),
                           _hint(match.group("v")))
        for match in TEXT_TOKEN.finditer(line):
            yield Leak(name, where, "token", _hint(match.group("v")))


_FAKES = {"serial": FAKE_SERIAL, "host": FAKE_HOST, "location": FAKE_LOCATION,
          "contact": FAKE_CONTACT}
"""The fake form of each key-found category."""


def _locally_administered(mac: str) -> bool:
    digits = re.sub(r"[^0-9A-Fa-f]", "", mac)
    if int(digits, 16) == 0:
        return True  # the unset MAC carries no identity
    return bool(int(digits[:2], 16) & 0x02)


def _hint(value: str) -> str:
    return value[:4] + "..." if len(value) > 4 else "..."
