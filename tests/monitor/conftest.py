"""Fixtures of the monitoring tests: a simulated pair on loopback and the CLI environment."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hamnhw.sim import ServerSpec, SimCluster, SimServer

sys.path.insert(0, str(Path(__file__).parent.parent / "cli"))

PASSWORD = "mon-s3cret-pw-7Qz"  # noqa: S105 - simulator-only
"""The simulated BMCs' password: no output may contain it."""


def specs(**extra: object) -> list[ServerSpec]:
    """A primary (on) and a standby (off), with :data:`PASSWORD`."""
    return [ServerSpec(name="primary", power="On", password=PASSWORD, post_time=0.0,
                       boot_time=0.0, **extra),  # type: ignore[arg-type]
            ServerSpec(name="standby", power="Off", password=PASSWORD, **extra)]  # type: ignore[arg-type]


@pytest.fixture
def cluster() -> Iterator[SimCluster]:
    """A fresh simulated pair per test (drive failures change the bays)."""
    with SimCluster(specs()) as sim:
        yield sim


@pytest.fixture
def primary(cluster: SimCluster) -> SimServer:
    return cluster["primary"]


@pytest.fixture
def cli_env() -> dict[str, str]:
    """Environment of a CLI run: the credentials through HAMNHW_USERNAME/HAMNHW_PASSWORD."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMNHW_")}
    env.update(HAMNHW_USERNAME="admin", HAMNHW_PASSWORD=PASSWORD)
    return env


def assert_no_secret(*texts: str) -> None:
    """No output carries the password."""
    for text in texts:
        assert PASSWORD not in text
