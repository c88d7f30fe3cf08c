"""Deterministic scrubbing of recorded BMC exchanges.

One :class:`Scrubber` is used for one recording.  Within it, the same
original value always maps to the same fake, so links between resources
(``@odata.id`` paths containing a serial or UUID, a MAC shown in two places)
stay consistent after scrubbing.

========== =========================================== ==============================
category   found by                                    fake form
========== =========================================== ==============================
password   ``*Password``/``*Passphrase`` keys          ``***``
token      ``*Token`` keys (``X-Auth-Token``)          ``***``
secret     other secret keys (:func:`.is_secret_key`:  ``***``
           SNMP communities and keys, IPMI Kg,
           ``*Secret``, ``Authorization``), every
           value under ``HttpHeaders``, the user
           information of a URL (``user:pw@``)
session    ``/SessionService/Sessions/<id>`` paths     ``FAKE-SESSION-0001``
serial     ``SKU`` and keys ending in ``SerialNumber``, ``FAKE-SN-0001``
           ``ServiceTag`` or ``AssetTag`` (Dell's
           ``ChassisServiceTag``, ``BoardSerialNumber``)
uuid       any RFC 4122 shaped string                  ``00000000-0000-4000-8000-000000000001``
mac        ``aa:bb:..``/``aa-bb-..`` anywhere          ``02:00:00:00:00:01`` (locally administered)
host       host and domain names (:func:`.is_host_key` ``host-0001`` / ``host-0001.example.test``
           ``HostName``, ``NIC.1.DNSRacName``, NTP,
           SNMP trap and event ``Destination``...)
           and the host of any URL (not the DMTF's or
           a vendor's), scheme, port and path kept
location   ``PostalAddress``/``Placement`` fields,     ``FAKE-LOC-0001``
           Dell ``ServerTopology`` (``Street``,
           ``City``, ``Rack``, ``RackName``...)
contact    people, phones, owners                      ``FAKE-CONTACT-0001``
           (:func:`.is_contact_key`: ``ContactName``,
           ``PhoneNumber``, ``OwnerInfo.1.OwnerName``)
email      any ``name@domain.tld`` (not an OData       ``user-0001@example.test``
           annotation, not an SSH algorithm name)
ipv4       dotted quads (not in version keys)          ``192.0.2.1`` (RFC 5737)
ipv6       colon-hex addresses                         ``2001:db8::1`` (RFC 3849)
========== =========================================== ==============================

The key and shape rules are in :mod:`hamnhw.fixturetools.scrubkeys`.
MAC fakes are handed out in the sorted order of the originals (see
:meth:`Scrubber.prepare`), so sorting NICs by MAC gives the same order before
and after scrubbing.  Every found value is also replaced wherever else it
occurs: keys, other values, paths and non-JSON response text.
"""

from __future__ import annotations

import collections
import ipaddress
import re
from collections.abc import Callable, Iterable
from typing import Any

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

REDACTED = "***"
FAKE_SERIAL = re.compile(r"^FAKE-SN-\d{4,}$")
FAKE_SESSION = re.compile(r"^FAKE-SESSION-\d{4,}$")
FAKE_HOST = re.compile(r"^host-\d{4,}(?:\.example\.test)?$")
FAKE_CONTACT = re.compile(r"^FAKE-CONTACT-\d{4,}$")
FAKE_LOCATION = re.compile(r"^FAKE-LOC-\d{4,}$")
FAKE_UUID = re.compile(r"^00000000-0000-4000-8000-[0-9a-f]{12}$", re.IGNORECASE)
NIL_UUID = "00000000-0000-0000-0000-000000000000"
FAKE_MAC_PREFIX = "02:00:00"
UNSET_MACS = frozenset({"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"})

UUID_RE = re.compile(
    r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
    r"[0-9A-Fa-f]{12}(?![0-9A-Fa-f-])")
MAC_RE = re.compile(
    r"(?<![0-9A-Fa-f])(?<![0-9A-Fa-f][:-])"
    r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}"
    r"(?![0-9A-Fa-f])(?![:-][0-9A-Fa-f])")
BARE_MAC_RE = re.compile(r"^[0-9A-Fa-f]{12}$")
IPV4_RE = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6_CANDIDATE_RE = re.compile(r"(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
                               r"(?![0-9A-Fa-f:])")
SESSION_PATH_RE = re.compile(r"(/SessionService/Sessions/)([A-Za-z0-9._~%+=:-]+)")

PLACEHOLDERS = frozenset({"", "n/a", "na", "none", "null", "unknown", "not specified",
                          "not available", "to be filled by o.e.m.", "0", "localhost"})
KEPT_IPS = frozenset({"127.0.0.1", "0.0.0.0", "::", "::1"})  # noqa: S104 - not a bind
DOC_NETS = tuple(ipaddress.ip_network(n) for n in (
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"))
SHORTEST_LITERAL = 4
"""Originals at least this long are also replaced inside other text."""


def is_placeholder(value: str) -> bool:
    """True for values that identify nothing (``N/A``, empty, ``localhost``)."""
    return value.strip().lower() in PLACEHOLDERS


def is_fake_mac(mac: str) -> bool:
    """True for MACs the scrubber produces or that carry no identity."""
    norm = mac.lower().replace("-", ":")
    return norm.startswith(FAKE_MAC_PREFIX) or norm in UNSET_MACS


def is_kept_ip(text: str) -> bool:
    """True for loopback/unspecified and documentation-range addresses."""
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return True
    if text in KEPT_IPS or addr.is_loopback or addr.is_unspecified:
        return True
    return any(addr.version == net.version and addr in net for net in DOC_NETS)


class Scrubber:
    """Replace identifying values by deterministic fakes; counts what it did."""

    def __init__(self) -> None:
        self._maps: dict[str, dict[str, str]] = collections.defaultdict(dict)
        self._literals: dict[str, str] = {}
        self._literal_re: re.Pattern[str] | None = None
        self.counts: collections.Counter[str] = collections.Counter()
        """Distinct originals replaced, by category (never the originals themselves)."""

    # -- pass 1 ---------------------------------------------------------------
    def prepare(self, documents: Iterable[Any]) -> None:
        """Learn every sensitive value of a recording before scrubbing any of it.

        Key-based finds (serials, host names, contacts, passwords), URL hosts and e-mail
        addresses are then replaced everywhere, and MAC fakes follow the sorted order of the
        originals.
        """
        macs: set[str] = set()
        for doc in documents:
            self._learn(doc, None, macs)
        for mac in sorted(m for m in macs if not is_fake_mac(m)):
            self._fake("mac", mac)

    def _learn(self, value: Any, key: str | None, macs: set[str]) -> None:
        if (key or "").lower() == HEADERS_KEY:
            for header in _strings_in(value):
                self._add_literal(header, REDACTED, "secret")
        elif isinstance(value, dict):
            for k, v in value.items():
                self._learn(k, None, macs)
                self._learn(v, str(k), macs)
        elif isinstance(value, list):
            for item in value:
                self._learn(item, key, macs)
        elif isinstance(value, str):
            self._learn_string(value, key, macs)

    def _learn_string(self, value: str, key: str | None, macs: set[str]) -> None:
        lowered = (key or "").lower()
        category = key_category(lowered, value)
        if is_secret_key(lowered):
            self._add_literal(value, REDACTED, secret_category(lowered))
        elif category is not None:
            self._add_literal(value, None, category)
        elif "mac" in lowered and BARE_MAC_RE.match(value):
            macs.add(_mac_key(value))
        for match in URL_RE.finditer(value):
            if match.group(2) is not None:
                self._add_literal(match.group(2), REDACTED, "secret")
            self._url_host(match.group(3))
        for match in EMAIL_RE.finditer(without_url_authorities(value)):
            self._email(match.group(0))
        for match in SESSION_PATH_RE.finditer(value):
            self._add_literal(match.group(2), None, "session")
        for match in MAC_RE.finditer(value):
            macs.add(_mac_key(match.group(0)))

    def _add_literal(self, value: str, fake: str | None, category: str) -> None:
        if is_placeholder(value) or value == REDACTED or _already_fake(value):
            return
        if fake is None:
            fake = self._fake(category, value)
        elif value not in self._maps[category]:
            self._maps[category][value] = fake
            self.counts[category] += 1
        if len(value) >= SHORTEST_LITERAL:
            self._literals[value] = fake
            self._literal_re = None

    def originals(self) -> frozenset[str]:
        """Every original value replaced so far, for a leak check of the output.

        Keep it in memory only: these are the real values.
        """
        return frozenset(original for table in self._maps.values() for original in table)

    # -- pass 2 ---------------------------------------------------------------
    def scrub(self, value: Any, key: str | None = None) -> Any:
        """Return a scrubbed deep copy of a JSON value (dicts, lists, strings)."""
        if (key or "").lower() == HEADERS_KEY:
            return _redact_strings(value)
        if isinstance(value, dict):
            return {self.scrub_text(str(k)): self.scrub(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(item, key) for item in value]
        if not isinstance(value, str):
            return value
        lowered = (key or "").lower()
        if is_secret_key(lowered):
            return REDACTED
        category = key_category(lowered, value)
        if category is not None and not (is_placeholder(value) or _already_fake(value)):
            return self._fake(category, value)
        if "mac" in lowered and BARE_MAC_RE.match(value):
            return self._mac(value).replace(":", "")
        return self.scrub_text(value, addresses=not NOT_ADDRESS_KEY.search(lowered))

    def scrub_text(self, text: str, *, addresses: bool = True) -> str:
        """Scrub free text: a path, a header value, an HTML error page."""
        text = self._replace_literals(text)
        text = SESSION_PATH_RE.sub(lambda m: m.group(1) + self._session(m.group(2)), text)
        text = URL_RE.sub(self._url, text)
        text = EMAIL_RE.sub(lambda m: self._email(m.group(0)), text)
        text = UUID_RE.sub(lambda m: self._uuid(m.group(0)), text)
        text = MAC_RE.sub(lambda m: self._mac(m.group(0)), text)
        if addresses:
            text = IPV4_RE.sub(lambda m: self._ip(m.group(0)), text)
            text = IPV6_CANDIDATE_RE.sub(lambda m: self._ip(m.group(0)), text)
        return text

    def _replace_literals(self, text: str) -> str:
        if not self._literals:
            return text
        if self._literal_re is None:
            alternatives = sorted(self._literals, key=len, reverse=True)
            either = "|".join(map(re.escape, alternatives))
            self._literal_re = re.compile(rf"(?<![A-Za-z0-9])(?:{either})(?![A-Za-z0-9])")
        literals = self._literals
        return self._literal_re.sub(lambda m: literals[m.group(0)], text)

    # -- fakes ----------------------------------------------------------------
    def _fake(self, category: str, original: str) -> str:
        table = self._maps[category]
        if original not in table:
            table[original] = _FAKERS[category](len(table) + 1, original)
            self.counts[category] += 1
            if category in _LITERAL_CATEGORIES and len(original) >= SHORTEST_LITERAL:
                self._literals[original] = table[original]
                self._literal_re = None
        return table[original]

    def _session(self, session_id: str) -> str:
        return session_id if FAKE_SESSION.match(session_id) else self._fake("session", session_id)

    def _url(self, match: re.Match[str]) -> str:
        """A URL with its user information redacted and its host (a name) faked."""
        userinfo = "" if match.group(2) is None else REDACTED + "@"
        if userinfo and match.group(2) != REDACTED:
            self._add_literal(match.group(2), REDACTED, "secret")
        return match.group(1) + userinfo + self._url_host(match.group(3))

    def _url_host(self, host: str) -> str:
        if is_address(host) or is_public_host(host) or is_placeholder(host):
            return host  # an address is scrubbed as one, where it stands
        return host if _already_fake(host) else self._fake("host", host)

    def _email(self, address: str) -> str:
        return address if is_public_email(address) else self._fake("email", address)

    def _uuid(self, text: str) -> str:
        if text.lower() == NIL_UUID or FAKE_UUID.match(text):
            return text
        fake = self._fake("uuid", text.lower())
        return fake.upper() if text.isupper() else fake

    def _mac(self, text: str) -> str:
        if is_fake_mac(text) or (BARE_MAC_RE.match(text) and is_fake_mac(_mac_key(text))):
            return text
        fake = self._fake("mac", _mac_key(text))
        sep = "-" if "-" in text else ":"
        fake = fake.replace(":", sep)
        return fake.upper() if text.upper() == text else fake

    def _ip(self, text: str) -> str:
        if is_kept_ip(text):
            return text
        version = ipaddress.ip_address(text).version
        return self._fake(f"ipv{version}", str(ipaddress.ip_address(text)))


def _strings_in(value: Any) -> Iterable[str]:
    """Every string value inside a JSON value (not the keys)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _strings_in(item)
    elif isinstance(value, str):
        yield value


def _redact_strings(value: Any) -> Any:
    """A copy of a JSON value with every string value ``***`` (keys kept)."""
    if isinstance(value, dict):
        return {k: _redact_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_strings(item) for item in value]
    return REDACTED if isinstance(value, str) else value


def _mac_key(text: str) -> str:
    digits = re.sub(r"[^0-9a-f]", "", text.lower())
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def _already_fake(value: str) -> bool:
    return bool(FAKE_SERIAL.match(value) or FAKE_SESSION.match(value) or FAKE_CONTACT.match(value)
                or value.startswith(("host-0", "FAKE-LOC-")) or value == REDACTED
                or (EMAIL_RE.fullmatch(value) is not None and is_public_email(value)))


def _fake_ipv4(n: int, _original: str) -> str:
    nets = ("192.0.2.", "198.51.100.", "203.0.113.")
    block, offset = divmod(n - 1, 254)
    if block >= len(nets):
        raise ValueError("more than 762 distinct IPv4 addresses in one recording")
    return f"{nets[block]}{offset + 1}"


def _fake_host(n: int, original: str) -> str:
    return f"host-{n:04d}.example.test" if "." in original else f"host-{n:04d}"


def _fake_mac(n: int, _original: str) -> str:
    if n >= 1 << 24:
        raise ValueError("too many distinct MACs in one recording")
    return FAKE_MAC_PREFIX + "".join(f":{(n >> s) & 0xFF:02x}" for s in (16, 8, 0))


_FAKERS: dict[str, Callable[[int, str], str]] = {
    "serial": lambda n, _o: f"FAKE-SN-{n:04d}",
    "location": lambda n, _o: f"FAKE-LOC-{n:04d}",
    "contact": lambda n, _o: f"FAKE-CONTACT-{n:04d}",
    "email": lambda n, _o: f"user-{n:04d}@example.test",
    "session": lambda n, _o: f"FAKE-SESSION-{n:04d}",
    "uuid": lambda n, _o: f"00000000-0000-4000-8000-{n:012x}",
    "mac": _fake_mac,
    "host": _fake_host,
    "ipv4": _fake_ipv4,
    "ipv6": lambda n, _o: f"2001:db8::{n:x}",
    "password": lambda _n, _o: REDACTED,
    "token": lambda _n, _o: REDACTED,
    "secret": lambda _n, _o: REDACTED,
}
_LITERAL_CATEGORIES = frozenset({"serial", "host", "session", "location", "contact", "email"})
"""Originals of these categories are replaced inside other text too (as are secrets)."""
