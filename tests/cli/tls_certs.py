"""Certificates for TLS tests that ``openssl req`` cannot make in one line: a CA, and a
server certificate it signed with chosen names and dates (an expired one, one for
``localhost`` only).  Made with the ``cryptography`` package (pyghmi's dependency).

A :class:`SignedCert` serves as a simulator's certificate (``SimCluster.cert``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import shutil
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _san(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


class SignedCert:
    """A CA (``ca_file``) and a server certificate it signed (``cert_file``, ``key_file``)
    for ``names`` (IP addresses or DNS names), valid from ``not_before`` to ``not_after``."""

    def __init__(self, names: list[str], *, not_before: dt.datetime = NOW - dt.timedelta(days=1),
                 not_after: dt.datetime = NOW + dt.timedelta(days=30)) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="hamnhw-test-tls-"))
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = (x509.CertificateBuilder().subject_name(_name("test CA")).issuer_name(_name("test CA"))
              .public_key(ca_key.public_key()).serial_number(1)
              .not_valid_before(NOW - dt.timedelta(days=90))
              .not_valid_after(NOW + dt.timedelta(days=90))
              .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
              .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                             critical=False)
              .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name("bmc")).issuer_name(ca.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(not_before).not_valid_after(not_after)
                .add_extension(x509.SubjectAlternativeName([_san(n) for n in names]),
                               critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    ca_key.public_key()), critical=False)
                .sign(ca_key, hashes.SHA256()))
        self.ca_file = str(self._dir / "ca.pem")
        self.cert_file = str(self._dir / "cert.pem")
        self.key_file = str(self._dir / "key.pem")
        Path(self.ca_file).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        Path(self.cert_file).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        Path(self.key_file).write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        self.der = cert.public_bytes(serialization.Encoding.DER)
        self.fingerprint = hashlib.sha256(self.der).hexdigest()

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def cleanup(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)
