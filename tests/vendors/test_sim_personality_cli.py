"""``hamnhw sim --personality NAME``: the served BMC is detected as that vendor's driver
without a forced URL scheme (``hamnhw detect`` in a subprocess, as a user runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hamnhw.sim import SIM_PASSWORD

LAUNCH = "from hamnhw.cli.main import main; main()"
EXPECTED = {"idrac": "dell", "ilo5": "hpe", "xcc": "lenovo", "supermicro": "supermicro"}


def hamnhw(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", LAUNCH, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.e2e
@pytest.mark.parametrize("personality", sorted(EXPECTED))
def test_detection_picks_the_vendor_driver(personality: str, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMNHW_")}
    proc = hamnhw("sim", "--count", "1", "--personality", personality, env=env)
    try:
        line = proc.stdout.readline().strip() if proc.stdout else ""
        assert line, proc.stderr.read() if proc.stderr else ""
        url = line.split()[1]
        detect = subprocess.run(
            [sys.executable, "-c", LAUNCH, "--json", "detect", url], capture_output=True,
            text=True, timeout=60, cwd=tmp_path,
            env={**env, "HAMNHW_USERNAME": "admin", "HAMNHW_PASSWORD": SIM_PASSWORD})
        assert detect.returncode == 0, detect.stderr
        found = json.loads(detect.stdout)
        assert found["driver"] == EXPECTED[personality]
        assert "ServiceRoot Vendor" in found["reason"]
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
