"""What to do after a TLS verification failure, with the fingerprint the BMC presented.

A BMC's factory certificate is self-signed, so the first connection of a new operator
usually fails verification.  The error then says, in order of preference: give the CA
(``--ca-file``), or compare the fingerprint printed with the one in the BMC's web UI and
pin it (``--pin-fingerprint``), and only last ``--insecure``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hamnhw.address import parse_bmc_url
from hamnhw.deadline import Deadline
from hamnhw.errors import ConfigError, TlsError
from hamnhw.transport.adapter import presented_fingerprint

HANDSHAKE_S = 5.0
"""At most this long for the handshake that reads the certificate (within the command's
deadline)."""


def colon_hex(fingerprint: str) -> str:
    """``AB:CD:...``, as ``openssl x509 -fingerprint -sha256`` and BMC web UIs show it
    (``--pin-fingerprint`` accepts it as it is)."""
    upper = fingerprint.upper()
    return ":".join(upper[i:i + 2] for i in range(0, len(upper), 2))


def with_hint(exc: TlsError, connect_kwargs: Mapping[str, Any], deadline: Deadline) -> TlsError:
    """``exc`` with what to do appended and the presented fingerprint set; ``exc`` itself
    when no certificate could be read (not an HTTPS port, no time left)."""
    try:
        address = parse_bmc_url(str(connect_kwargs["url"]))
    except (ConfigError, KeyError):
        return exc
    seconds = min(HANDSHAKE_S, deadline.left())
    fingerprint = exc.fingerprint
    if fingerprint is None and seconds > 0.1:
        fingerprint = presented_fingerprint(address.host, address.port or 443, seconds)
    if fingerprint is None:
        return exc
    shown = colon_hex(fingerprint)
    if connect_kwargs.get("pin_fingerprint"):
        hint = (f"the BMC presented SHA-256 {shown}, not the pinned one: if its certificate "
                "was replaced on purpose (compare with its web UI), pin the new one")
    else:
        hint = ("to trust this BMC: --ca-file PEM (the CA that signed its certificate), or "
                f"--pin-fingerprint {shown} once the BMC's web UI shows that same SHA-256 "
                "fingerprint; last resort: --insecure")
    return TlsError(f"{exc.message}; {hint}", host=exc.host, fingerprint=fingerprint)
