"""BMC addresses as URLs, following the Metal3 (bare-metal-operator) conventions.

=============================  =========  ======  =========================
URL                            protocol   TLS     driver
=============================  =========  ======  =========================
``redfish://h[:p]``            redfish    yes     detected
``redfish+https://h[:p]``      redfish    yes     detected
``redfish+http://h[:p]``       redfish    no      detected (emulators)
``idrac-redfish://h``          redfish    yes     the driver registered for
``ilo5-redfish://h``                               that scheme
``xcc-redfish://h``
``supermicro-redfish://h``
``<vendor>-redfish+http://h``  redfish    no      forced, plain HTTP
``ipmi://h[:p]``               ipmi       n/a     IPMI driver
=============================  =========  ======  =========================

Bare ``http://`` and ``https://`` are refused: TLS must never be off by accident.
Plain HTTP is for emulators; it logs a warning once per host, because the
credentials cross the network in clear text.

An optional path ``/redfish/v1/Systems/<id>`` picks one system on a BMC that
manages several.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse

from hamnhw.errors import ConfigError

_SYSTEM_PATH = re.compile(r"^/redfish/v1/Systems/(?P<id>[^/]+)/?$")
_VENDOR_SCHEME = re.compile(r"^(?P<vendor>[a-z0-9]+)-redfish(?:\+(?P<tls>https?))?$")
_DEFAULT_IPMI_PORT = 623

CREDENTIALS_IN_URL = ("credentials do not go in a BMC URL: use --username (or the node's "
                      "username in the config) and a password file")
"""The refusal of a BMC URL with a ``user[:password]@`` part; it never repeats the URL."""

ACCEPTED_SCHEMES = (
    "accepted schemes: redfish:// or redfish+https:// (HTTPS), redfish+http:// (plain HTTP), "
    "<vendor>-redfish:// such as idrac-redfish://, ilo5-redfish://, xcc-redfish://, "
    "supermicro-redfish:// (or <vendor>-redfish+http://), and ipmi://")
"""The schemes :func:`parse_bmc_url` accepts, as its error messages list them."""


@dataclasses.dataclass(frozen=True)
class BmcAddress:
    """A parsed BMC URL."""

    url: str
    """The URL as given (no credentials allowed in it)."""
    protocol: str
    """``redfish`` or ``ipmi``."""
    host: str
    """Host name or IP literal (without brackets)."""
    port: int | None
    """Port, or None for the protocol default."""
    tls: bool
    """True for HTTPS."""
    scheme: str
    """The URL scheme as given, lower-case; drivers may claim vendor schemes."""
    forced_scheme: str | None = None
    """The vendor scheme (``idrac-redfish``) that forces a driver, else None."""
    system_id: str | None = None
    """System picked by the URL path, else None."""

    @property
    def netloc(self) -> str:
        """``host[:port]`` with IPv6 literals bracketed: the BMC's name in messages."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port else host

    @property
    def base_url(self) -> str:
        """``https://host[:port]`` (or ``http://``) for Redfish addresses."""
        return f"{'https' if self.tls else 'http'}://{self.netloc}"


_PORT_RANGE = "a port is a number from 1 to 65535 (or none, for the scheme's default)"


def parse_bmc_url(url: str) -> BmcAddress:
    """Parse and validate a BMC URL.

    :param url: e.g. ``redfish://10.0.0.5``, ``idrac-redfish://bmc1/redfish/v1/Systems/1``.
    :raises ConfigError: unknown scheme, missing host, credentials in the URL, a port
        outside 1-65535, or a path that is not ``/redfish/v1/Systems/<id>``.
    """
    if has_userinfo(url):
        raise ConfigError(CREDENTIALS_IN_URL)
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError as exc:
        raise ConfigError(f"not a BMC URL: {url!r} ({exc})") from exc
    scheme = parts.scheme.lower()
    if not scheme or not parts.netloc:
        raise ConfigError(f"not a BMC URL: {url!r} (expected e.g. redfish://host)")
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"bad port in BMC URL {url!r}: {_PORT_RANGE}") from exc
    if port == 0:
        raise ConfigError(f"bad port in BMC URL {url!r}: port 0 names no service; {_PORT_RANGE}")
    host = parts.hostname or ""
    if not host:
        raise ConfigError(f"no host in BMC URL {url!r}")
    system_id = _system_id(url, parts.path)
    if parts.query or parts.fragment:
        raise ConfigError(f"BMC URL {url!r} must not have a query or fragment")
    if scheme == "ipmi":
        if system_id:
            raise ConfigError(f"ipmi URL {url!r} takes no path")
        return BmcAddress(url, "ipmi", host, port or _DEFAULT_IPMI_PORT, False, scheme)
    tls, forced = _redfish_scheme(scheme, url)
    return BmcAddress(url, "redfish", host, port, tls, scheme, forced, system_id)


def has_userinfo(url: str) -> bool:
    """True when ``url`` may carry a ``user[:password]@`` part: any ``@`` counts (a password
    may hold ``/`` or ``#``, which would hide the userinfo from a URL parser, and no BMC URL
    needs an ``@``).  Such a URL is refused (:data:`CREDENTIALS_IN_URL`) and never echoed."""
    return "@" in url


def _system_id(url: str, path: str) -> str | None:
    if path in ("", "/"):
        return None
    match = _SYSTEM_PATH.match(path)
    if not match:
        raise ConfigError(f"BMC URL {url!r}: path must be /redfish/v1/Systems/<id>")
    return urllib.parse.unquote(match.group("id"))


def _redfish_scheme(scheme: str, url: str) -> tuple[bool, str | None]:
    if scheme in ("redfish", "redfish+https"):
        return True, None
    if scheme == "redfish+http":
        return False, None
    match = _VENDOR_SCHEME.match(scheme)
    if not match:
        raise ConfigError(f"unknown BMC URL scheme {scheme!r} in {url!r}; {ACCEPTED_SCHEMES}")
    return match.group("tls") != "http", f"{match.group('vendor')}-redfish"
