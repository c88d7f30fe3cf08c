"""Suite-wide pytest hooks: markers by folder, per-test time limits of the peer tests, and
"no tests" is not a failure.

Markers are declared in pyproject.toml.  Tests under ``tests/peers/`` are marked
``peers``; tests under ``tests/e2e/`` and ``tests/sim/``, and every test that uses a
fixture starting a loopback server, are marked ``e2e`` automatically, so that
``pytest -m "not peers and not e2e"`` (``make test-fast``) never starts a server.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

_MARKER_BY_FOLDER = {"peers": "peers", "e2e": "e2e", "sim": "e2e"}
PEER_TIMEOUT_S = 180
"""Per-test limit (pytest-timeout) of tests under ``tests/peers/``: their session fixtures
start third-party peers (up to 60 s to become ready) inside the first test that needs one.
Every other test has the 60 s of ``[tool.pytest.ini_options] timeout`` unless it is
marked ``@pytest.mark.timeout(N)`` itself."""
_SERVER_FIXTURES = frozenset({"bmc", "tls_bmc", "start_cluster", "primary", "sim", "sim_pair",
                              "cluster", "server", "https_server"})
"""Fixtures that start a loopback server: a test using one is end to end."""
_TESTS_ROOT = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the marker of the top-level tests folder it lives in."""
    for item in items:
        try:
            folder = item.path.relative_to(_TESTS_ROOT).parts[0]
        except ValueError:
            continue
        marker = _MARKER_BY_FOLDER.get(folder)
        if marker:
            item.add_marker(marker)
        if folder == "peers" and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(PEER_TIMEOUT_S))
        if _SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker("e2e")


@pytest.fixture(autouse=True, scope="session")
def shared_bytecode(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Share compiled bytecode between the Python processes the tests start.

    Hundreds of tests start ``hamnhw`` (and Ansible modules importing it, simulator and
    peer children) in a fresh interpreter.  Where ``PYTHONDONTWRITEBYTECODE`` is set (the
    developers' shells here) and the checkout holds no ``__pycache__``, each of those
    compiles every hamnhw module it imports again: 0.15-0.3 s of CPU per ``hamnhw``
    command (``failover status`` 0.65 -> 0.42 s), more per Ansible module.  For the
    processes the session starts, bytecode goes to a directory under the session's
    ``tmp_path`` root instead (``PYTHONPYCACHEPREFIX``; pytest removes old ones), never
    into the checkout; what the processes run is unchanged.  The pytest process itself
    keeps the setting it was started with."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        yield
        return
    prefix = tmp_path_factory.mktemp("pycache")
    saved = os.environ.pop("PYTHONDONTWRITEBYTECODE")
    os.environ["PYTHONPYCACHEPREFIX"] = str(prefix)
    try:
        yield
    finally:
        os.environ.pop("PYTHONPYCACHEPREFIX", None)
        os.environ["PYTHONDONTWRITEBYTECODE"] = saved


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A selection that matches no test (exit 5) is a success, not an error."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK


_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class OffLoopbackTraffic(AssertionError):
    """A test tried to resolve or reach something other than the loopback interface."""


@pytest.fixture(autouse=True)
def unknown_root_pace() -> None:
    """Each test starts as a fresh process does: no ServiceRoot answered yet, so a
    connection sends its login beside the ServiceRoot's GET (not read first because an
    earlier test's loopback BMC answered quickly, ``hamnhw.transport.redfish.ROOT_PACE``)."""
    from hamnhw import parallel
    from hamnhw.transport.redfish import ROOT_PACE

    ROOT_PACE.forget()
    parallel._open_bmcs = 0  # transports an earlier test left open do not make this one busy


@pytest.fixture(autouse=True)
def fresh_once_only_warnings() -> None:
    """Each test starts as a fresh process does: no once-only warning said yet
    (:func:`hamnhw.log.warn_once`)."""
    from hamnhw import log

    log._warned.clear()


@pytest.fixture(autouse=True, scope="session")
def loopback_only() -> Iterator[None]:
    """Network traffic goes to 127.0.0.1 only: any name lookup or connection to anything
    else fails the test at once (no DNS query leaves the machine)."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host is not None and not _is_loopback(host):
            raise OffLoopbackTraffic(f"name lookup of {host!r}: tests stay on loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    def guard(address: object) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise OffLoopbackTraffic(f"connection to {address!r}: tests stay on loopback")

    def connect(self, address):  # type: ignore[no-untyped-def]
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):  # type: ignore[no-untyped-def]
        guard(address)
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.getaddrinfo = real_getaddrinfo
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]


@pytest.fixture
def hung_names(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Host names whose lookup hangs (add them to the set given): a slow name service, as
    :mod:`hamnhw.pair.nodes` sees it (its wait cut to 0.05 s); released at the end."""
    import socket
    import threading

    from hamnhw.pair import nodes as pairnodes

    names: set[str] = set()
    release = threading.Event()
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> object:
        if host in names:
            release.wait(30)
            raise socket.gaierror("released")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(pairnodes, "RESOLVE_TIMEOUT_S", 0.05)
    try:
        yield names
    finally:
        release.set()
