"""Suite-wide pytest hooks: markers by folder, and "no tests" is not a failure.

Markers are declared in pyproject.toml.  Tests under ``tests/peers/`` are marked
``peers``; tests under ``tests/e2e/`` and ``tests/sim/``, and every test that uses a
fixture starting a loopback server, are marked ``e2e`` automatically, so that
``pytest -m "not peers and not e2e"`` (``make test-fast``) never starts a server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_MARKER_BY_FOLDER = {"peers": "peers", "e2e": "e2e", "sim": "e2e"}
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
        if _SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker("e2e")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A selection that matches no test (exit 5) is a success, not an error."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK
