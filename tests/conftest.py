"""Suite-wide pytest hooks: markers by folder, and "no tests" is not a failure.

Markers are declared in pyproject.toml.  Tests under ``tests/peers/`` are marked
``peers`` and tests under ``tests/e2e/`` are marked ``e2e`` automatically, so that
``pytest -m "not peers and not e2e"`` (``make test-fast``) never starts a server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_MARKER_BY_FOLDER = {"peers": "peers", "e2e": "e2e"}
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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A selection that matches no test (exit 5) is a success, not an error."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK
