"""URIs coming from a BMC (``@odata.id``, ``Location``, task monitors) become paths on the
BMC the user named, and nothing else.

The library joins a path to the base URL as text: ``"@evil.example/x"`` would make the host
``evil.example`` and carry the session token there.  So every request path is checked here
before anything is sent:

* an absolute path (``/...``, not ``//...``, without ``@``, ``\\``, spaces or control
  characters) is used as it is;
* a full ``http(s)://`` URL without ``@`` (BMCs behind NAT put their own address in
  ``Location``) gives only its ``/redfish/...`` path, with a warning (once per host
  it named) when that host is not the one the user named;
* anything else is :class:`~hamnhw.errors.MalformedResponse`.
"""

from __future__ import annotations

import urllib.parse

from hamnhw.errors import MalformedResponse
from hamnhw.log import get_logger, warn_once

LOG = get_logger(__name__)

_FORBIDDEN = frozenset("@\\") | frozenset(chr(c) for c in range(33)) | {"\x7f"}


def bmc_path(uri: object, *, host: str) -> str:
    """The path to request on ``host`` for a URI the BMC gave (or a caller passed).

    :param host: the BMC the user named (``host[:port]``), for messages.
    :raises MalformedResponse: anything but an absolute path or a full URL with a
        ``/redfish/`` path.
    """
    if isinstance(uri, str) and _plain_path(uri):
        return uri
    if isinstance(uri, str):
        path = _path_of_url(uri)
        if path is not None:
            _warn_once(host, uri)
            return path
    raise MalformedResponse(
        f"refusing to follow this URI: requests go only to {host} (an absolute path "
        "/..., or a full URL of which only the /redfish/... path is used)",
        host=host, uri=repr(uri))


def _plain_path(uri: str) -> bool:
    return (uri.startswith("/") and not uri.startswith("//")
            and not _FORBIDDEN.intersection(uri))


def _path_of_url(uri: str) -> str | None:
    """The ``/redfish/...`` path (and query) of an ``http(s)://`` URL, else None."""
    if _FORBIDDEN.intersection(uri):
        return None
    try:
        parts = urllib.parse.urlsplit(uri)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/redfish/") or not _plain_path(path):
        return None
    return path


def _warn_once(host: str, uri: str) -> None:
    netloc = urllib.parse.urlsplit(uri).netloc
    if netloc.lower() == host.lower():
        return
    warn_once(LOG, ("full URL", host, netloc),
              "%s: the BMC gave a full URL pointing at %s; using only its path, on %s "
              "(a BMC behind NAT names its own address)", host, netloc, host)
