"""The failover's foreign-import step on two vendor personalities: the moved RAID1 is a
foreign configuration on the standby's PERC; the coordinator imports it through the Dell
driver (ImportForeignConfig, never ClearForeignConfig), follows the job to its end (a staged
one through a reset into setup first), and goes on only once a fresh read shows the RAID1
over the recorded serials.  On iLO 5 the import is a no-op, so a RAID1 that does not show
stops the run.  Run as tests/failover runs the coordinator (its pair simulator and operator
double)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "failover"))

from doubles import OperatorDouble
from hamnhw_drivers.dell.raid import DellRaid
from pairsim import FAILOVER_KEYS, PairSim, mn_serials, pair_specs, write_config
from runs import Crash, crash_at

from hamnhw.config import load_config
from hamnhw.failover import Coordinator, ScriptedOperator
from hamnhw.failover.report import RunReport
from hamnhw.pair import connect_node
from hamnhw.pair.snapshot import take_snapshot
from hamnhw.poll import PollPolicy, poll_until
from hamnhw.sim import RaidSpec, SimCluster
from hamnhw.sim.personalities import of

pytestmark = pytest.mark.e2e
IMPORT = "ImportForeignConfig"


@pytest.fixture
def start_pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[Callable[..., PairSim]]:
    """``start_pair(personality, post_timeout=..., **spec)``: a started pair of that
    personality with its config (stopped at the end)."""
    for name in ("HAMNHW_PASSWORD", "HAMNHW_USERNAME", "HAMNHW_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("hamnhw.configpath.SYSTEM_CONFIG", tmp_path / "no-system-config.toml")
    clusters: list[SimCluster] = []

    def start(personality: str, post_timeout: float = 10.0, **spec: Any) -> PairSim:
        both = {"personality": personality, **spec}
        cluster = SimCluster(pair_specs(primary=dict(both), standby=dict(both)),
                             tls=True).start()
        clusters.append(cluster)
        config, journal = write_config(tmp_path, cluster, {**FAILOVER_KEYS,
                                                           "post_timeout": post_timeout})
        return PairSim(cluster, config, journal)

    yield start
    for cluster in clusters:
        cluster.stop()


def fail_over(pair: PairSim, before_boot: Callable[[], None] | None = None) -> RunReport:
    """Snapshot, then a failover whose operator moves the MN drives into the standby."""
    take_snapshot(load_config(pair.config_path))

    def move(order: Any) -> None:
        pair.move_mn_drives("primary", "standby", [d.serial for d in order.drives])
        if before_boot is not None:
            before_boot()

    operator = OperatorDouble(move, types=["primary is the active MN"])
    return Coordinator(load_config(pair.config_path), operator=operator).start(yes=True)


def requests(pair: PairSim, name: str) -> list[str]:
    """``IMPORT`` and the ResetTypes ``name`` accepted, in the order received."""
    found = []
    for r in pair[name].requests:
        if r.method == "POST" and r.path.endswith(IMPORT):
            found.append(IMPORT)
        elif r.method == "POST" and r.path.endswith("ComputerSystem.Reset") and \
                r.status and r.status < 300:
            found.append(r.body["ResetType"])
    return found


def owned_by_standby(pair: PairSim) -> list[list[str]]:
    personality = of(pair["standby"].state)
    assert personality is not None
    return [sorted(v.members) for v, _ in personality.volumes()]


def test_a_slow_import_is_followed_to_its_end(start_pair) -> None:
    """A realtime import that takes 20 s: the run waits for its job (no settle() here), then
    reads the volume; the standby owns it before the boot."""
    pair = start_pair("idrac", post_timeout=60.0, raid=RaidSpec(task_seconds=20.0))
    serials = mn_serials(pair.cluster)
    report = fail_over(pair)
    text = report.text()
    assert report.outcome == "done", text
    assert "verify: foreign volume import" in text and "imported: " in text
    assert requests(pair, "standby")[:2] == ["On", IMPORT]
    assert owned_by_standby(pair) == [sorted(serials)]
    personality = of(pair["standby"].state)
    job = next(iter(personality.queue.jobs.values()))  # type: ignore[union-attr]
    assert job.outcome == "done"
    imports = [r for r in pair["standby"].requests if r.path.endswith(IMPORT)]
    assert [r.body for r in imports] == [{"TargetFQDD": "RAID.Integrated.1-1"}]
    for name in ("primary", "standby"):
        assert not [r for r in pair[name].requests if "ClearForeignConfig" in r.path]


def test_a_staged_import_runs_at_a_reset_into_setup_before_the_boot(start_pair) -> None:
    """PERC 9 runs RAID jobs at the next POST: the import, then a reset into setup (the job
    runs), the volume read, and only then the boot step's reset into the disk."""
    pair = start_pair("idrac", controller_model="PERC H330 Mini")
    serials = mn_serials(pair.cluster)
    report = fail_over(pair)
    assert report.outcome == "done", report.text()
    order = requests(pair, "standby")
    assert order[:3] == ["On", IMPORT, "PowerCycle"], order
    assert len(order) == 4  # then the boot step's reset into the local disk
    assert owned_by_standby(pair) == [sorted(serials)]
    names = [c["name"] for c in report.checks]
    imported = names.index("verify: foreign volume import")
    assert report.checks[imported]["passed"] is True
    assert imported < min(i for i, n in enumerate(names) if n.startswith("boot:"))


def test_a_failed_import_stops_the_run(start_pair) -> None:
    """The import's job runs 2 s, then fails (the default 10 s only made the test longer)."""
    pair = start_pair("idrac", raid=RaidSpec(task_seconds=2.0))
    personality = of(pair["standby"].state)
    personality.import_failure = "STOR038: Unable to import the foreign configuration."  # type: ignore[union-attr]
    report = fail_over(pair)
    assert report.outcome == "stopped", report.text()
    assert report.stop_reason is not None
    assert "could not be imported" in report.stop_reason
    assert "JID_" in report.stop_reason and "STOR038" in report.stop_reason
    assert pair["standby"].power_state == "Off"
    assert owned_by_standby(pair) == []
    assert not [r for r in pair["standby"].requests if r.path.endswith("ComputerSystem.Reset")
                and r.body.get("ResetType") != "On" and r.body.get("ResetType") != "ForceOff"]


def test_ilo5_with_no_raid1_showing_stops_after_the_no_op_import(start_pair) -> None:
    """Smart Array imports moved arrays at POST and iLO's import is a no-op: when the moved
    disks come without their RAID1 (here the array is gone from them), the run stops."""
    pair = start_pair("ilo5")

    def array_lost() -> None:
        for volume in list(pair.cluster.bays.volumes):
            pair.cluster.bays.remove_volume(volume.id)

    report = fail_over(pair, before_boot=array_lost)
    assert report.outcome == "stopped", report.text()
    assert report.stop_reason is not None
    assert "a fresh read shows no RAID1 over" in report.stop_reason
    assert pair["standby"].power_state == "Off"


def crashed_at_the_import(pair: PairSim, monkeypatch: pytest.MonkeyPatch,
                          point: str) -> None:
    """A failover killed at ``point`` of the import (the journal as a SIGKILL leaves it)."""
    take_snapshot(load_config(pair.config_path))
    crash_at(monkeypatch, point)
    operator = OperatorDouble(lambda order: pair.move_mn_drives(
        "primary", "standby", [d.serial for d in order.drives]),
        types=["primary is the active MN"])
    with pytest.raises(Crash):
        Coordinator(load_config(pair.config_path), operator=operator).start(yes=True)


def resume(pair: PairSim, operator: OperatorDouble | None = None) -> RunReport:
    return Coordinator(load_config(pair.config_path),
                       operator=operator or OperatorDouble(None)).resume()


def test_an_import_killed_after_it_was_sent_is_followed_not_sent_again(
        start_pair, monkeypatch) -> None:
    """Killed after iDRAC accepted ImportForeignConfig (a staged job, Scheduled until the
    next reset) and before its outcome was journaled: the resume reads the job queue, finds
    the job pending, follows it through the reset into setup, and never sends the import
    again (iDRAC refuses one while a job is scheduled: RAC0679)."""
    pair = start_pair("idrac", controller_model="PERC H330 Mini")
    crashed_at_the_import(pair, monkeypatch, "verify-import.import_foreign:sent")
    assert requests(pair, "standby") == ["On", IMPORT]
    report = resume(pair)
    assert report.outcome == "done", report.text()
    order = requests(pair, "standby")
    assert order.count(IMPORT) == 1, order
    assert order[:3] == ["On", IMPORT, "PowerCycle"], order
    assert owned_by_standby(pair) == [sorted(mn_serials(pair.cluster))]
    checks = {c["name"]: c for c in report.checks}
    assert checks["verify: foreign volume import"]["passed"] is True


def test_an_import_killed_before_it_was_sent_is_sent_once_on_resume(
        start_pair, monkeypatch) -> None:
    """Killed with the intent journaled and nothing sent: the job queue shows nothing
    pending and the drives are still foreign, so the resume sends the import, once."""
    pair = start_pair("idrac", controller_model="PERC H330 Mini")
    crashed_at_the_import(pair, monkeypatch, "verify-import.import_foreign:intent")
    assert requests(pair, "standby") == ["On"]
    report = resume(pair)
    assert report.outcome == "done", report.text()
    assert requests(pair, "standby").count(IMPORT) == 1
    assert owned_by_standby(pair) == [sorted(mn_serials(pair.cluster))]


def test_an_import_of_unknown_fate_stops_until_the_operator_checks(start_pair,
                                                                  monkeypatch) -> None:
    """A driver that cannot tell (the generic hook's None): the resume sends nothing and
    stops naming what to check; the confirmation answers that one import only."""
    pair = start_pair("idrac", controller_model="PERC H330 Mini")
    crashed_at_the_import(pair, monkeypatch, "verify-import.import_foreign:sent")
    monkeypatch.setattr(DellRaid, "foreign_import_state", lambda _self: None)
    report = resume(pair, ScriptedOperator())
    assert report.outcome == "stopped", report.text()
    assert report.needs is not None and report.needs["kind"] == "resend_import", report.text()
    assert report.needs["phrase"] == "resend import_foreign to standby"
    assert "job queue" in (report.stop_reason or "")
    assert requests(pair, "standby") == ["On", IMPORT]
    for name in ("primary", "standby"):
        assert not [r for r in pair[name].requests if "ClearForeignConfig" in r.path]


def test_the_idrac_job_queue_tells_an_import_pending_or_not_sent(start_pair) -> None:
    """The hook itself, over HTTP: drives foreign and nothing pending before the import; its
    staged job pending after it; None (unknown) when the job queue does not answer; and the
    generic driver never tells."""
    pair = start_pair("idrac", controller_model="PERC H330 Mini")
    pair.move_mn_drives("primary", "standby")
    pair["standby"].set_power("On")  # the BMC shows the drives of a POST
    with connect_node(load_config(pair.config_path), "standby") as node:
        policy = PollPolicy(interval=0.05)
        poll_until(node.raid.foreign, bool, policy.deadline(10.0), policy, what="POST")
        before = node.raid.foreign_import_state()
        assert before is not None and before.pending == () and before.foreign_left
        job = node.raid.import_foreign()
        after = node.raid.foreign_import_state()
        assert after is not None and [j.id for j in after.pending] == [job.id]
        assert after.pending[0].kind == "on-reset"
        jobs = of(pair["standby"].state).jobs_path  # type: ignore[union-attr]
        pair["standby"].inject("error_5xx", path=jobs)
        assert node.raid.foreign_import_state() is None
    generic = start_pair(None)  # no personality: the generic Redfish driver
    with connect_node(load_config(generic.config_path), "standby") as node:
        assert node.raid.foreign_import_state() is None
