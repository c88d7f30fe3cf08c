"""Whom hamnhw trusts over TLS, checked once before anything is sent: the CA bundle (the
system store or a ``ca_file``), TLS options refused on plain HTTP, the one-line warnings for
plain HTTP and for ``insecure``, and the fingerprint a BMC presents (told to an operator
after a verification failure).  :class:`~hamnhw.transport.adapter.BmcAdapter` applies them.
"""

from __future__ import annotations

import hashlib
import os
import ssl

from hamnhw.address import BmcAddress
from hamnhw.connection import TlsOptions
from hamnhw.errors import ConfigError
from hamnhw.log import get_logger, warn_once
from hamnhw.transport import tlscontext

LOG = get_logger("hamnhw.transport.adapter")
"""The adapter's logger, as before these checks had a module of their own (the warnings'
logger name is what a user filters on)."""



def system_ca_bundle() -> str:
    """Path of OpenSSL's default CA bundle when it exists, else certifi's.

    ``SSL_CERT_FILE`` is not consulted (``ssl.get_default_verify_paths().cafile``
    would honour it): an environment variable must not change whom hamnhw trusts.
    """
    cafile = ssl.get_default_verify_paths().openssl_cafile
    if cafile and os.path.isfile(cafile):
        return cafile
    import certifi  # requests' own fallback bundle (it depends on certifi)

    return str(certifi.where())


def check_ca_file(path: str) -> ssl.SSLContext:
    """Load ``path`` as a CA bundle once, up front; the context that checks against it.

    :raises ConfigError: missing, unreadable, or holding no usable certificate.
    """
    try:
        return tlscontext.verifying(path)  # built once per file and kept: the same load
    except ssl.SSLError as exc:
        raise ConfigError(f"ca_file {path!r} holds no usable PEM certificate "
                          f"({exc.reason or exc})") from None
    except OSError as exc:
        raise ConfigError(f"ca_file {path!r}: {exc.strerror or exc}") from None


def check_tls_choice(address: BmcAddress, tls: TlsOptions) -> ssl.SSLContext | None:
    """Refuse TLS options on a plain-HTTP address (they would silently do nothing)
    and warn, once per host, that plain HTTP sends credentials in clear text.

    :returns: the context checking against ``ca_file`` when one is given (for
        :class:`BmcAdapter`: the bundle's file is looked at once per transport), else None.
    :raises ConfigError: ``ca_file``, ``pin_fingerprint`` or ``insecure`` with
        ``redfish+http://``; a ``ca_file`` that cannot be loaded.
    """
    if address.tls:
        return check_ca_file(tls.ca_file) if tls.ca_file else None
    if tls.ca_file or tls.pin_fingerprint or tls.insecure:
        raise ConfigError(
            f"{address.url!r} is plain HTTP: ca_file, pin_fingerprint and insecure apply to "
            "HTTPS only; use redfish:// (or <vendor>-redfish://) or drop the TLS option",
            host=address.netloc)
    warn_once(LOG, ("plain HTTP", address.netloc),
              "%s: plain HTTP (%s://): credentials will cross the network in clear text",
              address.netloc, address.scheme)
    return None


def warn_insecure_once(host: str, bmc: str | None = None) -> None:
    """Warn once per BMC (``bmc``: its ``host:port``) per process, naming it, through
    hamnhw's logger only, the first time TLS checks are skipped for it (a
    :mod:`warnings` warning as well would print the same thing twice, pointing into
    requests; urllib3's own per-request warning is silenced on the urllib3 path).
    Python's last-resort handler shows it on stderr even when the application
    configured no logging.

    :param host: the BMC's name for the message.
    :param bmc: its address (``host:port``), the key; default ``host``.
    """
    key = bmc or host
    where = host if key == host else f"{host} ({key})"
    warn_once(LOG, ("insecure", key),
              "TLS certificate verification is disabled for %s (insecure=True); "
              "use ca_file or pin_fingerprint instead", where)



def presented_fingerprint(host: str, port: int, timeout: float) -> str | None:
    """SHA-256 fingerprint (lower-case hex) of the certificate ``host:port`` presents, read
    through one TLS handshake without verification; None when none completes in
    ``timeout`` seconds.

    Nothing is sent but the handshake: no HTTP request, no credentials.  It tells an
    operator, after a verification failure, which certificate to compare with the BMC's
    web UI before pinning it.
    """
    from hamnhw.transport.peercert import presented_certificate  # an error path only

    der = presented_certificate(host, port, timeout)
    return hashlib.sha256(der).hexdigest() if der else None
