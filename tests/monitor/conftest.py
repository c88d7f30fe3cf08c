"""Fixtures of the monitoring tests: a simulated pair on loopback and the CLI environment."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "cli"))

from monitor_helpers import PASSWORD, specs, write_config

from hamnhw.sim import SimCluster, SimServer


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


@pytest.fixture
def config_file(tmp_path: Path, cluster: SimCluster) -> Path:
    return write_config(tmp_path, cluster)
