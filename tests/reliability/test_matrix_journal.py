"""Fault matrix rows: the SQLite journal on a full disk and on a read-only mount.

Each runs ``hamnhw failover start`` (the real console script) in a private mount namespace
(``unshare -m``) where the journal directory is a 1 MiB tmpfs filled up, or a read-only bind
mount (root ignores ``chmod``); the simulated pair runs in the test process over loopback.
Skipped, saying why, where the mount namespace cannot be made (no CAP_SYS_ADMIN).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "failover"))

from pairsim import pair_specs, write_config

from hamnhw.sim import SimCluster

pytestmark = pytest.mark.e2e
SCRIPT = Path(__file__).with_name("journal_disk.py")
RESET = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"


def _namespaces_refused() -> str | None:
    if shutil.which("unshare") is None:
        return "no unshare(1) on this machine"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True,
                           check=False)
    if probe.returncode != 0:
        return f"no private mount namespace here (CAP_SYS_ADMIN missing?): {probe.stderr}"
    return None


def run_with_journal(tmp_path: Path, mode: str) -> tuple[SimCluster, list[dict[str, Any]]]:
    reason = _namespaces_refused()
    if reason:
        pytest.skip(reason)
    cluster = SimCluster(pair_specs(), tls=True).start()
    try:
        config, journal_dir = write_config(tmp_path, cluster, {"graceful_timeout": 0})
        journal_dir.mkdir()
        mount = 'mount -t tmpfs -o size=1m tmpfs "$1" && ' if mode == "full" else ""
        done = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             mount + 'exec "$2" "$3" "$4" "$5"', "sh", str(journal_dir), sys.executable,
             str(SCRIPT), str(config), mode],
            capture_output=True, text=True, timeout=240, check=False)
        assert done.returncode == 0, done.stderr
        return cluster, json.loads(done.stdout.splitlines()[-1])
    except BaseException:
        cluster.stop()
        raise


def changes(cluster: SimCluster) -> list[tuple[str, str, str]]:
    """Every state-changing request either BMC saw, logins and logouts aside."""
    return [(server.name, r.method, r.path) for server in cluster for r in server.requests
            if r.method in ("POST", "PATCH", "DELETE") and "SessionService" not in r.path]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("mode", ["full", "readonly"])
def test_journal_on_a_full_disk_or_a_read_only_mount(tmp_path: Path, mode: str) -> None:
    """Expected: ``failover start`` exits 1 with a typed JournalError naming the journal
    (no traceback, no sqlite3/OSError leaking), before any request changes a BMC: zero
    Reset POSTs and zero PATCHes on either simulated BMC; ``failover status`` still reads
    the journal (exit 0)."""
    cluster, runs = run_with_journal(tmp_path, mode)
    try:
        start, status = runs
        error = json.loads(start["stdout"].splitlines()[-1])["error"]
        assert (start["code"], error["type"]) == (1, "JournalError"), start
        assert "journal" in error["message"] and str(tmp_path) in error["message"]
        assert "Traceback" not in start["stderr"]
        assert changes(cluster) == []
        assert all(sum(1 for r in s.requests if r.path == RESET) == 0 for s in cluster)
        assert status["code"] == 0, status
    finally:
        cluster.stop()
