"""Fixtures of the failover tests: a simulated pair with its config (see pairsim.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pairsim import PairSim, pair_specs, write_config

from hamnhw.sim import SimCluster


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credential or config variable of the developer leaks in; cwd has no config."""
    for name in ("HAMNHW_PASSWORD", "HAMNHW_USERNAME", "HAMNHW_CONFIG",
                 "HAMNHW_FAILOVER_KILL_AT", "HAMNHW_FAILOVER_KILL_TRACE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("hamnhw.configpath.SYSTEM_CONFIG", tmp_path / "no-system-config.toml")


@pytest.fixture
def start_pair(tmp_path: Path) -> Iterator[Callable[..., PairSim]]:
    """Start a simulated pair: ``start_pair(failover={...}, primary={...}, standby={...})``."""
    clusters: list[SimCluster] = []

    def start(failover: dict[str, Any] | None = None, **overrides: Any) -> PairSim:
        cluster = SimCluster(pair_specs(**overrides), tls=True).start()
        clusters.append(cluster)
        config, journal = write_config(tmp_path, cluster, failover)
        return PairSim(cluster, config, journal, failover)

    yield start
    for cluster in clusters:
        cluster.stop()


@pytest.fixture
def sim_pair(start_pair: Callable[..., PairSim]) -> PairSim:
    """The default pair: primary On (the MN), standby Off."""
    return start_pair()
