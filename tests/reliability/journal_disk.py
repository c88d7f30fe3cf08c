"""Run inside a private mount namespace (``unshare -m``) by test_matrix_journal.py: prepare
the journal on the mounted directory, make that filesystem full or read-only, then run
``hamnhw failover start`` as an operator would and print what happened as one JSON line.

Usage: ``journal_disk.py CONFIG full|readonly`` (the journal directory is already a mount
point: a tiny tmpfs for ``full``, a plain directory for ``readonly``).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from hamnhw.config import load_config
from hamnhw.pair import open_journal
from hamnhw.pair.snapshot import take_snapshot


def fill(directory: Path) -> int:
    """Write until the filesystem is full; returns the bytes written."""
    written = 0
    handle = open(directory / "filler", "wb", buffering=0)  # noqa: SIM115 - closed below
    try:
        while True:
            written += handle.write(b"\0" * 4096)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            handle.close()
    return written


def main() -> None:
    config_path, mode = sys.argv[1], sys.argv[2]
    config = load_config(config_path)
    take_snapshot(config)
    with open_journal(config) as journal:
        journal.set_active_node("primary", "test setup")
    journal_dir = Path(config.pair.journal_dir)
    if mode == "full":
        fill(journal_dir)
    else:
        subprocess.run(["mount", "--bind", str(journal_dir), str(journal_dir)], check=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(journal_dir)], check=True)
    hamnhw = str(Path(sys.executable).with_name("hamnhw"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMNHW_")}
    runs = []
    for args in (["failover", "start", "--yes"], ["failover", "status"]):
        done = subprocess.run([hamnhw, "--json", *args, "--config", config_path],
                              capture_output=True, text=True, timeout=120, env=env,
                              stdin=subprocess.DEVNULL, check=False)
        runs.append({"args": args, "code": done.returncode, "stdout": done.stdout,
                     "stderr": done.stderr})
    print(json.dumps(runs))


if __name__ == "__main__":
    main()
