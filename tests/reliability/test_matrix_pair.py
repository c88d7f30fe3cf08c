"""Fault matrix rows about the pair and the login: two coordinators at once; wrong, partial
or foreign drives after the move; 5xx and a 503 session limit at login.  Against a simulated
pair (or one simulated BMC) over loopback, request counts on the simulator side."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "failover"))

from pairsim import PairSim, mn_serials, pair_specs, write_config

import hamnhw
from hamnhw import errors
from hamnhw.config import load_config
from hamnhw.failover import Coordinator
from hamnhw.failover.lock import JournalBusy
from hamnhw.failover.operator import ScriptedOperator
from hamnhw.pair import open_journal
from hamnhw.pair.snapshot import take_snapshot
from hamnhw.sim import DriveSpec, ServerSpec, SimCluster

pytestmark = pytest.mark.e2e
SESSIONS = "/redfish/v1/SessionService/Sessions"


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Callable[..., PairSim]]:
    clusters: list[SimCluster] = []

    def start(**failover: Any) -> PairSim:
        cluster = SimCluster(pair_specs(), tls=True).start()
        clusters.append(cluster)
        config, journal = write_config(tmp_path, cluster, failover)
        take_snapshot(load_config(config))
        with open_journal(load_config(config)) as handle:
            handle.set_active_node("primary", "test setup")
        return PairSim(cluster, config, journal)

    yield start
    for cluster in clusters:
        cluster.stop()


def changes(sim: PairSim) -> list[tuple[str, str, str]]:
    return [(s.name, r.method, r.path) for s in sim.cluster for r in s.requests
            if r.method in ("POST", "PATCH") and "SessionService" not in r.path]


def test_two_coordinators_at_once(pair: Callable[..., PairSim]) -> None:
    """While one coordinator holds the journal (here: waiting in its graceful shutdown), a
    second ``start`` is refused with JournalBusy naming the holder, and sends nothing: every
    state-changing request the BMCs saw is the first coordinator's."""
    sim = pair(graceful_timeout=3.0)
    sim["primary"].inject("ignore_reset", count=1)  # the first one waits out its grace
    config = load_config(sim.config_path)
    first = threading.Thread(target=lambda: Coordinator(config, ScriptedOperator()).start(
        yes=True), daemon=True)
    first.start()
    try:
        while not sim.reset_posts("primary"):
            first.join(0.02)
        seen = len(changes(sim))
        with pytest.raises(JournalBusy, match="in use by pid"):
            Coordinator(config, ScriptedOperator()).start(yes=True)
        assert len(changes(sim)) == seen
    finally:
        first.join(60)
    assert [t for t, _ in sim.reset_posts("primary")] == ["GracefulShutdown", "ForceOff"]
    assert sim.reset_posts("standby") == []


DRIVES = {
    "wrong": lambda sim: (sim.move_mn_drives("primary", "standby", mn_serials(sim.cluster)[:1]),
                          sim.cluster.insert_drive(DriveSpec("WRONG1"), "standby")),
    "partial": lambda sim: sim.move_mn_drives("primary", "standby",
                                              mn_serials(sim.cluster)[:1]),
    "foreign": lambda sim: (sim.move_mn_drives("primary", "standby"),
                            sim.cluster.insert_drive(DriveSpec("FOREIGN1"), "standby")),
}


@pytest.mark.parametrize("move", list(DRIVES))
def test_wrong_partial_or_foreign_drives_after_the_move(pair: Callable[..., PairSim],
                                                        move: str) -> None:
    """After the move the target shows an unknown drive (wrong, foreign) or only part of the
    mirror (partial): the run stops naming the drives (partial: ``--accept-degraded``), the
    target is powered off again, never reset into its disk: the target accepted exactly
    one On and one ForceOff, the old node nothing after its fence."""
    sim = pair(graceful_timeout=0)
    coordinator = Coordinator(load_config(sim.config_path), ScriptedOperator())
    assert coordinator.start(yes=True).outcome == "waiting"
    fenced = len(sim.accepted_resets("primary"))
    DRIVES[move](sim)
    report = coordinator.resume(disks_moved=True)
    assert report.outcome == "stopped"
    assert ("--accept-degraded" if move == "partial" else
            {"wrong": "WRONG1", "foreign": "FOREIGN1"}[move]) in report.stop_reason
    assert sim.accepted_resets("standby") == ["On", "ForceOff"]
    assert sim["standby"].power_state in ("Off", "PoweringOff")
    assert len(sim.accepted_resets("primary")) == fenced


@pytest.fixture
def single() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name="node", power="On")]) as cluster:
        yield cluster


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_and_a_503_session_limit_at_login(single: SimCluster, status: int) -> None:
    """A login answered 500 is never retried (the BMC may have created the session): a
    typed error, one login POST.  A 503 (session limit, nothing created) is tried once more
    after its Retry-After and then logs in: two login POSTs, and the session is logged out
    at the end (no session left on the BMC)."""
    server = single["node"]
    server.inject("error_5xx", count=1, path=SESSIONS, method="POST", status=status)
    if status == 500:
        with pytest.raises(errors.HamnhwError) as info:
            hamnhw.connect(server.url, username=server.username, password=server.password,
                           timeout=15.0)
        assert "500" in str(info.value)
        logins = 1
    else:
        with hamnhw.connect(server.url, username=server.username, password=server.password,
                            timeout=15.0) as node:
            node.power.state()
        logins = 2
    assert sum(1 for r in server.requests if r.method == "POST" and r.path == SESSIONS) \
        == logins
    assert server.state.sessions == {}
