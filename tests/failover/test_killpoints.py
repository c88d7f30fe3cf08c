"""SIGKILL of a real ``hamnhw`` process at every kill point (every journal boundary, and
between a POST accepted and its effect), then resume: the run ends in the same state as an
uninterrupted one, and no POST was accepted twice for one intent.

Two simulated pairs serve every kill point, two kill points at a time, one on each pair
(``SimCluster.reset`` puts a pair back as new between two of its kill points), each kill point
with its own config and journal: a kill point is mostly the start-up and the waits of the
``hamnhw`` processes it runs, which two cores run two of at a time."""

from __future__ import annotations

import collections
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from clirun import hamnhw
from pairsim import PairSim, copy_journal, mn_serials, write_config

from hamnhw.config import load_config
from hamnhw.pair import open_journal
from hamnhw.pair.snapshot import take_snapshot

pytestmark = pytest.mark.e2e

KILLED = -9


def prepare(sim: PairSim) -> str:
    config = load_config(sim.config_path)
    take_snapshot(config)
    with open_journal(config) as journal:
        journal.set_active_node("primary", "test setup")
    return str(sim.config_path)


def drive(sim: PairSim, config: str, env: dict[str, str], kill_at: str | None) -> list[str]:
    """Start, then resume until done; the kill point armed until a process dies there.
    Returns what happened, for messages."""
    history: list[str] = []
    armed = dict(env, HAMNHW_FAILOVER_KILL_AT=kill_at) if kill_at else env
    code, out = hamnhw("failover", "start", "--yes", "--config", config, env=armed)
    moved = False
    for _ in range(12):
        history.append(f"{code}:{out.get('outcome')}:{out.get('stop_reason')}")
        if code == KILLED:
            armed = env
        if code == 0 or (code == KILLED and run_done(config)):
            return history
        args = ["failover", "resume", "--config", config]
        if code == 10 or out.get("state") == "awaiting_disks":
            if not moved:
                sim.move_mn_drives("primary", "standby")
                moved = True
            args.append("--disks-moved")
        needs = out.get("needs") or {}
        if needs.get("kind") == "resend_power_on":
            args += ["--acknowledge", needs["phrase"]]
        code, out = hamnhw(*args, env=armed)
    raise AssertionError(f"never finished: {history}")


def run_done(config: str) -> bool:
    with open_journal(load_config(config)) as journal:
        run = journal.latest_run()
    return run is not None and run.state == "done"


def end_state(sim: PairSim, config: str) -> dict[str, object]:
    with open_journal(load_config(config)) as journal:
        run = journal.latest_run()
        active = journal.active_node()
    return {
        "primary": sim["primary"].power_state, "standby": sim["standby"].power_state,
        "standby_stage": sim["standby"].boot_progress,
        "standby_drives": sorted(d.serial for d in sim["standby"].drives),
        "policies": (sim["primary"].state.restore_policy, sim["standby"].state.restore_policy),
        "override": sim["standby"].state.boot_enabled,
        "run": run.state if run else None, "active": active.name if active else None,
    }


def duplicated_posts(sim: PairSim) -> dict[str, list[str]]:
    """ResetTypes a node accepted more than once (one intent each in this procedure; a
    graceful shutdown interrupted before its effect is escalated to a ForceOff, never sent
    again)."""
    dups = {}
    for name in ("primary", "standby"):
        counts = collections.Counter(sim.accepted_resets(name))
        dups[name] = [kind for kind, n in counts.items() if n > 1]
    return {k: v for k, v in dups.items() if v}


def settle(sim: PairSim) -> None:
    """Let a transition the killed process started end before the pair is reset."""
    time.sleep(0.2)


WORKERS = 2
"""Kill points run at a time, each on a simulated pair of its own."""


# Long by nature (a real hamnhw process started and killed at every kill point, then resumed:
# 1.5-4.5 minutes on a shared 2-core machine): above the suite's 60 s per-test limit.
@pytest.mark.timeout(900)
def test_sigkill_at_every_kill_point_then_resume(start_pair, tmp_path: Path) -> None:
    sim = start_pair()
    config = prepare(sim)
    template = tmp_path / "template"
    copy_journal(sim.journal_dir, template)
    trace = tmp_path / "trace.txt"
    history = drive(sim, config, {"HAMNHW_FAILOVER_KILL_TRACE": str(trace)}, None)
    expected = end_state(sim, config)
    assert expected["run"] == "done" and expected["active"] == "standby", history
    assert expected["standby_drives"] == sorted(mn_serials(sim.cluster))
    assert sim.accepted_resets("primary") == ["GracefulShutdown"]
    assert sim.accepted_resets("standby") == ["On", "PowerCycle"]
    points = list(dict.fromkeys(trace.read_text().split()))
    assert {"fence.graceful:sent", "verify.power_on:sent", "boot.reset:sent",
            "state:awaiting_disks", "finish.clear_override:outcome"} <= set(points)
    pairs = [(sim, template)] + [other_pair(start_pair, tmp_path / f"pair{n}")
                                 for n in range(1, WORKERS)]
    todo: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()
    for item in enumerate(points):
        todo.put(item)
    failures: list[tuple[int, str]] = []
    stop = threading.Event()  # the test failed or timed out: no further kill point

    def worker(pair: PairSim, pair_template: Path) -> None:
        while not stop.is_set():
            try:
                index, point = todo.get_nowait()
            except queue.Empty:
                return
            failures.extend((index, f) for f in kill_point(pair, pair_template, expected,
                                                           tmp_path / f"point{index}", point))

    with ThreadPoolExecutor(len(pairs)) as pool:
        try:
            for done in [pool.submit(worker, *pair) for pair in pairs]:
                done.result()
        finally:
            stop.set()
    assert not failures, "\n".join(f for _, f in sorted(failures))


def other_pair(start_pair, directory: Path) -> tuple[PairSim, Path]:
    """Another simulated pair made ready as the first (snapshot, active node), with its own
    config and journal under ``directory``; the pair and its journal's template."""
    sim = start_pair()
    sim.config_path, sim.journal_dir = write_config(directory, sim.cluster)
    prepare(sim)
    template = directory / "template"
    copy_journal(sim.journal_dir, template)
    return sim, template


def kill_point(sim: PairSim, template: Path, expected: dict[str, object], directory: Path,
               point: str) -> list[str]:
    """``point`` armed on ``sim`` reset as new, then resumed to the end: what differs from
    the uninterrupted run (``expected``)."""
    settle(sim)
    sim.cluster.reset()
    sim.config_path, sim.journal_dir = write_config(directory, sim.cluster)
    copy_journal(template, sim.journal_dir)  # the snapshot and the active node
    began = time.monotonic()
    failures = []
    try:
        history = drive(sim, str(sim.config_path), {}, point)
        print(f"{point}: {time.monotonic() - began:.1f} s {history}", flush=True)
        got = end_state(sim, str(sim.config_path))
        if got != expected:
            failures.append(f"{point}: {got} != {expected} ({history})")
        dups = duplicated_posts(sim)
        if dups:
            failures.append(f"{point}: POST accepted twice {dups}")
    except AssertionError as exc:
        failures.append(f"{point}: {exc}")
    return failures
