"""``make demo`` installs without the test tools and only when pyproject.toml changed.

Runs the real Makefile in a scratch directory with a stand-in ``python3`` that records
what it is asked to do (no network, no real install)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/bin/sh
# Records its arguments; `-m venv DIR` makes DIR/bin/python (itself) and DIR/bin/hamnhw.
echo "$*" >> "$CALLS"
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin"
    cp "$0" "$3/bin/python"
    printf '#!/bin/sh\\necho "hamnhw $*" >> "$CALLS"\\n' > "$3/bin/hamnhw"
    chmod +x "$3/bin/hamnhw"
fi
"""


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_installs_once_without_test_extra(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    fake = tmp_path / "fake-python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    calls = tmp_path / "calls.log"
    env = {**os.environ, "CALLS": str(calls)}

    def make(*targets: str) -> list[str]:
        calls.write_text("")
        subprocess.run(["make", "-s", f"PYTHON={fake}", *targets], cwd=tmp_path, env=env,
                       check=True, capture_output=True, timeout=60)
        return calls.read_text().splitlines()

    first = make("demo")
    assert "-m pip install -q -e ." in first
    assert not any("[test]" in call for call in first), "the demo needs no test tools"
    assert first[-1] == "hamnhw demo"
    assert make("demo") == ["hamnhw demo"], "nothing changed: no reinstall"
    assert make("venv") == ["-m pip install -q -e .[test]"]
    later = time.time() + 10  # newer than the stamp files
    os.utime(tmp_path / "pyproject.toml", (later, later))
    assert make("demo") == ["-m pip install -q -e .", "hamnhw demo"]
