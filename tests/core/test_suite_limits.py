"""The suite's per-test limit (pytest-timeout) is on, uses SIGALRM, and a test over its limit
fails while its finalizers still run (so the servers and peers it started are stopped)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HUNG_TEST = '''
import time
import pytest

@pytest.fixture
def server(tmp_path_factory):
    yield
    (FLAG).write_text("stopped")

@pytest.mark.timeout(1)
def test_hangs(server):
    time.sleep(30)
'''


def test_per_test_limit_is_configured(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert float(pytestconfig.getini("timeout")) == 60
    assert pytestconfig.getini("timeout_method") == "signal"


@pytest.mark.timeout(60)
def test_a_hung_test_fails_and_its_finalizers_run(tmp_path: Path) -> None:
    flag = tmp_path / "finalized"
    test_file = tmp_path / "test_hung.py"
    test_file.write_text(HUNG_TEST.replace("(FLAG)", f"__import__('pathlib').Path({str(flag)!r})"))

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
         "timeout_method=signal", str(test_file)],
        capture_output=True, text=True, timeout=50, cwd=tmp_path)

    assert result.returncode == 1, result.stdout
    assert "Timeout" in result.stdout
    assert flag.read_text() == "stopped"
