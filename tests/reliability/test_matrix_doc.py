"""docs/reliability.md's tables name tests: each must exist (a renamed or removed test would
leave a row of the fault matrix without the test that asserts it)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
ROWS = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def test_every_test_the_fault_matrix_names_exists() -> None:
    """Expected: every ``tests/...py::test_name`` in docs/reliability.md is a test function
    of that file, and the fault matrix names at least one test per row."""
    named = ROWS.findall(DOC.read_text())
    assert len(named) >= 29
    missing = [f"{path}::{name}" for path, name in named
               if not (ROOT / path).exists()
               or not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M)]
    assert not missing, f"docs/reliability.md names tests that do not exist: {missing}"
    table = DOC.read_text().split("## Fault matrix", 1)[1].split("## Randomized", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ")
            and not line.startswith(("| fault", "| ---"))]
    assert rows and all(ROWS.search(row) for row in rows), [r for r in rows
                                                             if not ROWS.search(r)]
