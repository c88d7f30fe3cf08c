"""The failover's foreign-import step on two ``idrac`` personalities: the moved RAID1 is a
foreign configuration on the standby's PERC; the coordinator imports it through the Dell
driver (ImportForeignConfig, never ClearForeignConfig).  Run as tests/failover runs the
coordinator (its pair simulator and operator double)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "failover"))

from doubles import OperatorDouble
from pairsim import PairSim, mn_serials, pair_specs, write_config

from hamnhw.config import load_config
from hamnhw.failover import Coordinator
from hamnhw.pair.snapshot import take_snapshot
from hamnhw.sim import RaidSpec, SimCluster
from hamnhw.sim.personalities import of

pytestmark = pytest.mark.e2e
DELL = {"personality": "idrac", "raid": RaidSpec(task_seconds=0.05)}


@pytest.fixture
def dell_pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("HAMNHW_PASSWORD", "HAMNHW_USERNAME", "HAMNHW_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("hamnhw.config.SYSTEM_CONFIG", tmp_path / "no-system-config.toml")
    cluster = SimCluster(pair_specs(primary=dict(DELL), standby=dict(DELL)), tls=True).start()
    try:
        config, journal = write_config(tmp_path, cluster)
        yield PairSim(cluster, config, journal)
    finally:
        cluster.stop()


def test_failover_imports_the_moved_raid1_on_the_standby_perc(dell_pair: PairSim) -> None:
    take_snapshot(load_config(dell_pair.config_path))
    serials = mn_serials(dell_pair.cluster)

    def move(order) -> None:
        dell_pair.move_mn_drives("primary", "standby", [d.serial for d in order.drives])

    operator = OperatorDouble(move, types=["primary is the active MN"])
    report = Coordinator(load_config(dell_pair.config_path), operator=operator).start(yes=True)
    text = report.text()
    assert report.outcome == "done", text
    assert "verify: foreign volume import" in text and "imported" in text
    standby = dell_pair["standby"]
    imports = [r for r in standby.requests if r.path.endswith("ImportForeignConfig")]
    assert [r.body for r in imports] == [{"TargetFQDD": "RAID.Integrated.1-1"}]
    assert all(r.status == 202 for r in imports)
    for name in ("primary", "standby"):
        assert not [r for r in dell_pair[name].requests if "ClearForeignConfig" in r.path]
    personality = of(standby.state)
    assert personality is not None
    personality.queue.settle()  # type: ignore[attr-defined]
    owned = [v for v, _ in personality.volumes()]
    assert [sorted(v.members) for v in owned] == [sorted(serials)]
    assert personality.foreign() == []
