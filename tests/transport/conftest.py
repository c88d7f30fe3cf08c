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

IO_MODES = ("threads", "cooperative")
"""How a test marked ``both_io`` runs: in the test's thread, then as a cooperative task
(:mod:`hamnhw.coop`: the transport's sockets are then the hub's)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_io: run the test in a thread and as a "
                            "cooperative task (hamnhw.coop)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("both_io") is not None:
        metafunc.fixturenames.append("io_mode")
        metafunc.parametrize("io_mode", IO_MODES)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """A ``cooperative`` test body runs as the one task of a :class:`hamnhw.coop.TaskPool`
    (its fixtures were made in the test's thread, as for the other mode)."""
    callspec = getattr(pyfuncitem, "callspec", None)
    if callspec is None or callspec.params.get("io_mode") != "cooperative":
        return None
    from hamnhw import coop

    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}

    def body() -> None:
        assert coop.current() is not None  # the transport's waits are the hub's
        pyfuncitem.obj(**kwargs)

    pool = coop.TaskPool(1, "test-hub")
    try:
        pool.submit(body).result()
    finally:
        pool.shutdown(wait=True)
    return True


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
