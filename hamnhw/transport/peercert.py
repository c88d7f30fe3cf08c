"""The certificate a BMC presents, read without verifying it, and what an operator needs of
it after a verification failure: the names it is valid for and its validity dates.

Nothing is sent but a TLS handshake: no HTTP request, no credentials.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
from dataclasses import dataclass

from hamnhw import coop
from hamnhw.log import get_logger
from hamnhw.transport import coopsocket

LOG = get_logger(__name__)


@dataclass(frozen=True)
class CertFacts:
    """What a certificate says of itself (not verified).

    :param names: its subject alternative names (``DNS:``/``IP:`` values as they are
        written: ``localhost``, ``10.0.0.5``); ``()`` when it carries none.
    :param not_before: start of its validity (UTC).
    :param not_after: end of its validity (UTC).
    """

    names: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime


def presented_certificate(host: str, port: int, timeout: float) -> bytes | None:
    """The DER certificate ``host:port`` presents, read through one TLS handshake without
    verification; None when none completes in ``timeout`` seconds.  In a cooperative task
    (:mod:`hamnhw.coop`: a fan-out's) the waits park the task, not the thread the other
    nodes run on."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        hub = coop.current()
        if hub is not None:
            tls = coopsocket.wrap(hub, coopsocket.tcp(hub, host, port, timeout), context,
                                  host, timeout)
            try:
                der = tls.getpeercert(binary_form=True)
            finally:
                tls.close()
        else:
            with socket.create_connection((host, port), timeout=timeout) as sock, \
                    context.wrap_socket(sock, server_hostname=host) as blocking:
                der = blocking.getpeercert(binary_form=True)
    except (OSError, ValueError) as exc:
        LOG.debug("%s:%s: no certificate read: %s", host, port, exc)
        return None
    return der or None


def cert_facts(der: bytes) -> CertFacts | None:
    """The names and dates of a DER certificate; None when it cannot be parsed (or the
    ``cryptography`` package, which pyghmi brings, is missing)."""
    try:
        from cryptography import x509
    except ImportError:
        return None
    try:
        cert = x509.load_der_x509_certificate(der)
        return CertFacts(_names(cert), cert.not_valid_before_utc, cert.not_valid_after_utc)
    except (ValueError, AttributeError) as exc:  # AttributeError: cryptography before 42
        LOG.debug("certificate not parsed: %s", exc)
        return None


def _names(cert: object) -> tuple[str, ...]:
    from cryptography import x509

    assert isinstance(cert, x509.Certificate)
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    dns = sans.get_values_for_type(x509.DNSName)
    ips = [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)]
    return tuple(dns + ips)
