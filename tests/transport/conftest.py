"""Fixtures for transport tests: loopback BMC servers (started and stopped
here), a self-signed certificate made with the openssl CLI, a refused port
and a fake clock."""

from __future__ import annotations

import hashlib
import socket
import ssl
import subprocess
from collections.abc import Iterator

import pytest
from transport_loopback import LoopbackBmc, SelfSigned

from hamnhw.sim import ManualClock


@pytest.fixture(autouse=True)
def restore_registered_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many tests here leave a transport open; what they registered for log
    redaction is dropped after each test so that no test depends on another."""
    from hamnhw import log

    monkeypatch.setattr(log, "_secrets", dict(log._secrets))
    monkeypatch.setattr(log, "_secrets_pattern", None)


@pytest.fixture
def bmc() -> Iterator[LoopbackBmc]:
    """A plain-HTTP loopback BMC with no routes yet."""
    server = LoopbackBmc()
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> SelfSigned:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    return SelfSigned(cert, key, hashlib.sha256(der).hexdigest())


@pytest.fixture
def tls_bmc(self_signed: SelfSigned) -> Iterator[LoopbackBmc]:
    """An HTTPS loopback BMC serving the self-signed certificate."""
    server = LoopbackBmc(tls=self_signed.context())
    server.start()
    yield server
    server.close()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redfish+http://127.0.0.1:{port}"


@pytest.fixture
def fake_time() -> ManualClock:
    return ManualClock()
