"""Helpers of the monitoring tests (fixtures are in conftest.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from hamnhw.sim import ServerSpec, SimCluster

sys.path.insert(0, str(Path(__file__).parent.parent / "cli"))

PASSWORD = "mon-s3cret-pw-7Qz"
"""The simulated BMCs' password: no output may contain it."""


def specs(**extra: object) -> list[ServerSpec]:
    """A primary (on) and a standby (off), with :data:`PASSWORD`."""
    return [ServerSpec(name="primary", power="On", password=PASSWORD, post_time=0.0,
                       boot_time=0.0, **extra),  # type: ignore[arg-type]
            ServerSpec(name="standby", power="Off", password=PASSWORD, **extra)]  # type: ignore[arg-type]





def assert_no_secret(*texts: str) -> None:
    """No output carries the password."""
    for text in texts:
        assert PASSWORD not in text


def write_config(directory: Path, cluster: SimCluster, extra: str = "") -> Path:
    """A hamnhw.toml naming the pair's simulated BMCs as [primary] and [standby]."""
    password = directory / "bmc.pw"
    password.write_text(PASSWORD)
    password.chmod(0o600)
    tables = "".join(
        f'[{name}]\nbmc = "{cluster[name].url}"\nusername = "admin"\n'
        f'password_file = "{password}"\n\n' for name in ("primary", "standby"))
    path = directory / "hamnhw.toml"
    path.write_text(tables + extra)
    return path



def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hamnhw_argv(*args: str) -> list[str]:
    """argv running the installed CLI in a subprocess."""
    return [sys.executable, "-m", "hamnhw.cli.main", *args]


def promtool() -> str:
    """Path of promtool unpacked by tests/monitor/install_promtool.sh (``make test``)."""
    import shutil

    repo = Path(__file__).resolve().parents[2]
    for candidate in (os.environ.get("HAMNHW_PROMTOOL"),
                      str(repo / ".peers" / "promtool" / "usr" / "bin" / "promtool"),
                      shutil.which("promtool")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("promtool not found: run tests/monitor/install_promtool.sh .peers/promtool "
                "(make test does)")
