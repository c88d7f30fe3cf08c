"""What to do after a TLS verification failure, with the fingerprint the BMC presented.

A BMC's factory certificate is self-signed, so the first connection of a new operator
usually fails verification.  The error then says, in order of preference: give the CA
(``--ca-file``), or compare the fingerprint printed with the one in the BMC's web UI and
pin it (``--pin-fingerprint``), and only last ``--insecure``.

Where the certificate itself is the matter, the hint says so rather than asking for a CA:
one valid for other names than the one connected to (it lists the names it carries: connect
by one of them, or pin it), an expired one (its end date: renew it, or pin it: a pin trusts
that exact certificate whatever its dates or names).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from hamnhw.address import parse_bmc_url
from hamnhw.deadline import Deadline
from hamnhw.errors import ConfigError, TlsError
from hamnhw.transport.peercert import CertFacts, cert_facts, presented_certificate

HANDSHAKE_S = 5.0
"""At most this long for the handshake that reads the certificate (within the command's
deadline)."""
_LAST_RESORT = "last resort: --insecure"


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
    fingerprint, facts = exc.fingerprint, None
    if fingerprint is None and seconds > 0.1:
        der = presented_certificate(address.host, address.port or 443, seconds)
        if der is not None:
            fingerprint, facts = hashlib.sha256(der).hexdigest(), cert_facts(der)
    if fingerprint is None:
        return exc
    hint = tls_hint(exc.message, colon_hex(fingerprint), host=address.host, facts=facts,
                    pinned=bool(connect_kwargs.get("pin_fingerprint")),
                    ca_given=bool(connect_kwargs.get("ca_file")))
    return TlsError(f"{exc.message}; {hint}", host=exc.host, fingerprint=fingerprint)


def tls_hint(message: str, shown: str, *, host: str, facts: CertFacts | None,
             pinned: bool = False, ca_given: bool = False) -> str:
    """What to do about the verification failure ``message`` (OpenSSL's reason in it).

    :param shown: the presented certificate's SHA-256 fingerprint (:func:`colon_hex`).
    :param host: the host name or address connected to.
    :param facts: the presented certificate's names and dates, when read.
    :param pinned: a fingerprint was pinned (and the certificate presented is another).
    :param ca_given: ``--ca-file`` (or the node's ``ca_file``) was given."""
    if pinned:
        return (f"the BMC presented SHA-256 {shown}, not the pinned one: if its certificate "
                "was replaced on purpose (compare with its web UI), pin the new one")
    pin = (f"--pin-fingerprint {shown} once the BMC's web UI shows that same SHA-256 "
           "fingerprint")
    reason = message.lower()
    if "mismatch" in reason:  # "Hostname mismatch", "IP address mismatch"
        names = ", ".join(facts.names) if facts and facts.names else ""
        which = f"is for {names}, not {host}" if names else f"names other hosts than {host}"
        return (f"the certificate {which}: connect by a name it carries (one that reaches "
                f"this BMC), or {pin} (a pin trusts that exact certificate whatever names "
                f"it carries); {_LAST_RESORT}")
    if "expired" in reason or "not yet valid" in reason:
        return (f"{_dates(reason, facts)}: renew it on the BMC, or {pin} (a pin trusts that "
                f"exact certificate whatever its dates, expired included); {_LAST_RESORT}")
    ca = ("--ca-file PEM with the CA that signed its certificate (the one given did not)"
          if ca_given else "--ca-file PEM (the CA that signed its certificate)")
    return f"to trust this BMC: {ca}, or {pin}; {_LAST_RESORT}"


def _dates(reason: str, facts: CertFacts | None) -> str:
    """The certificate's dates that failed, as a clause."""
    if "expired" in reason:
        when = f" on {_utc(facts.not_after)}" if facts else ""
        return f"the certificate expired{when}"
    when = f" before {_utc(facts.not_before)}" if facts else " yet"
    return f"the certificate is not valid{when} (check this host's clock too)"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
