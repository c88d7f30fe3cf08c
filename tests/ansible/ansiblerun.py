"""Run the real Ansible tools (ansible-core from the test venv) on the repo's collection.

Every run gets its own HOME, temp dirs and config through the environment, never the
user's: ``ANSIBLE_COLLECTIONS_PATH`` is the repo root (which holds ``ansible_collections/``),
modules run with ``connection: local`` under this interpreter (it has hamnhw).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTION = REPO / "ansible_collections" / "hamnhw" / "bmc"
BIN = Path(sys.executable).parent
PYTHON = sys.executable

# Variables of the calling environment that would change what Ansible does.
_DROPPED_PREFIXES = ("ANSIBLE_", "HAMNHW_")


def tool(name: str) -> str:
    """Path of an Ansible command in the test venv; skips when ansible-core is missing."""
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{name} not installed (ansible-core is a test dependency: make venv)")
    return str(path)


def ansible_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment for one Ansible run with its own HOME under ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_PREFIXES)}
    env.update({
        "HOME": str(home),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO),
        "ANSIBLE_LOCAL_TEMP": str(home / "local-tmp"),
        "ANSIBLE_REMOTE_TEMP": str(home / "remote-tmp"),
        "ANSIBLE_PYTHON_INTERPRETER": PYTHON,
        "ANSIBLE_PIPELINING": "true",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_HOST_KEY_CHECKING": "false",
        "ANSIBLE_DEPRECATION_WARNINGS": "false",
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    })
    env.update(extra or {})
    return env


def run(command: str, args: Sequence[str], env: Mapping[str, str], *,
        cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run an Ansible command and capture its output (never raises on a non-zero exit)."""
    return subprocess.run([tool(command), *args], env=dict(env), cwd=cwd, text=True,
                          capture_output=True, timeout=timeout, check=False)


def copy_collection(dest_root: Path) -> Path:
    """A copy of the collection at ``dest_root/ansible_collections/hamnhw/bmc`` (so that
    ansible-test writes its output there, not into the source tree)."""
    target = dest_root / "ansible_collections" / "hamnhw" / "bmc"
    shutil.copytree(COLLECTION, target,
                    ignore=shutil.ignore_patterns("output", "__pycache__", "*.tar.gz"))
    return target


def run_module(module: Any, args: dict[str, Any], capsys: pytest.CaptureFixture[str]
               ) -> dict[str, Any]:
    """Run a module's ``main()`` in this process with ``args`` (``_ansible_check_mode``
    and the like included); the JSON it exits with."""
    from ansible.module_utils.testing import patch_module_args

    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def unwrap(value: Any) -> Any:
    """``ansible-inventory --list`` output without its ``{"__ansible_unsafe": ...}`` wrappers
    (values from an inventory plugin are data, never templated)."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value
