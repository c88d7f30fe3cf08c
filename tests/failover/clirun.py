"""Run the real ``hamnhw`` console script in a subprocess (as an operator or cron would)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HAMNHW = str(Path(sys.executable).with_name("hamnhw"))


def hamnhw(*args: str, env: dict[str, str] | None = None, timeout: float = 120,
           json_output: bool = True) -> tuple[int, dict[str, Any]]:
    """``hamnhw --json ARGS``: (exit code, the JSON object; ``{}`` when none was printed).

    :param json_output: False runs ``hamnhw ARGS`` as an operator reads it: the payload is
        then ``{"_stdout": ..., "_stderr": ...}``.
    """
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("HAMNHW_", "PYTEST_"))}
    environ.update(env or {})
    done = subprocess.run([HAMNHW, *(["--json"] if json_output else []), *args],
                          capture_output=True, text=True, timeout=timeout, env=environ,
                          stdin=subprocess.DEVNULL, check=False)
    if not json_output:
        return done.returncode, {"_stdout": done.stdout, "_stderr": done.stderr}
    lines = done.stdout.strip().splitlines()
    payload = json.loads(lines[-1]) if lines else {}
    payload.setdefault("_stderr", done.stderr)
    return done.returncode, payload
