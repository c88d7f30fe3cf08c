"""The failover's safety scenarios against a simulated pair (library level; each one fails
if its rule breaks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from doubles import OperatorDouble
from pairsim import mn_serials
from runs import coordinator, move, ready, standby_posts

from hamnhw.config import load_config
from hamnhw.failover.coordinator import RunUnfinished
from hamnhw.pair import open_journal
from hamnhw.sim import DriveSpec
from hamnhw.sim.mnservice import MnService
from hamnhw.sim.shapes import drive_path

pytestmark = pytest.mark.e2e


def test_reset_ignored_no_fence_no_operator_step_no_power_request_to_standby(
        start_pair) -> None:
    sim = start_pair()
    ready(sim)
    sim["primary"].inject("ignore_reset")
    operator = OperatorDouble(move(sim))
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "stopped"
    assert report.needs["phrase"] == "primary power cords pulled"
    assert operator.orders == []
    assert sim.reset_posts("standby") == []
    assert sim["primary"].power_state == "On"


def test_powering_off_stuck_stops_asking_for_the_cords(start_pair) -> None:
    sim = start_pair(primary={"power_delay": 60.0})
    ready(sim)
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "stopped"
    assert report.needs["kind"] == "cords_pulled"
    assert sim.reset_posts("standby") == []


def test_old_node_restore_policy_refused_then_acknowledged(start_pair) -> None:
    sim = start_pair()
    ready(sim)
    sim["primary"].inject("refuse_restore_policy", count=1)
    operator = OperatorDouble(None)
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "stopped" and "restore policy" in report.stop_reason
    assert operator.orders == []
    operator.types.add("primary power cords pulled")
    report = coordinator(sim, operator).resume()
    assert report.outcome == "waiting" and len(operator.orders) == 1


def test_target_restore_policy_ignored_is_refused_before_any_power_change(start_pair) -> None:
    sim = start_pair(standby={"power_restore_policy": "LastState"})
    ready(sim)
    sim["standby"].inject("ignore_restore_policy")
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "refused"
    assert sim.reset_posts("primary") == [] and sim.reset_posts("standby") == []
    with pytest.raises(Exception, match="no unfinished"):
        coordinator(sim, OperatorDouble()).resume()


def test_old_node_powering_itself_on_while_waiting(start_pair) -> None:
    sim = start_pair()
    ready(sim)
    operator = OperatorDouble(None)
    assert coordinator(sim, operator).start(yes=True).outcome == "waiting"
    sim.move_mn_drives("primary", "standby")
    sim["primary"].set_power("On")
    operator.mover = lambda _o: None
    report = coordinator(sim, operator).resume()
    assert report.outcome == "stopped" and "powered itself back on" in report.stop_reason
    assert sim["primary"].power_state in ("Off", "PoweringOff")
    assert standby_posts(sim) == []
    operator.types.add("primary power cords pulled")
    report = coordinator(sim, operator).resume()
    assert report.outcome == "done", report.text()


def test_wrong_drives_stop_with_the_target_off_again(start_pair) -> None:
    sim = start_pair()
    ready(sim)
    stranger = DriveSpec(serial="STRANGER1", bay="Bay 5")
    operator = OperatorDouble(lambda _o: sim.cluster.insert_drive(stranger, "standby"))
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "stopped" and "STRANGER1" in report.stop_reason
    assert report.state == "awaiting_disks"
    assert sim["standby"].power_state in ("Off", "PoweringOff")


def test_one_drive_is_degraded_and_needs_accept_degraded(start_pair) -> None:
    sim = start_pair()
    ready(sim)
    first = mn_serials(sim.cluster)[0]
    operator = OperatorDouble(move(sim, serials=[first]))
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "stopped" and "--accept-degraded" in report.stop_reason
    report = coordinator(sim, operator).resume(accept_degraded=True)
    assert report.outcome == "done", report.text()
    assert any("stale mirror half: wipe before reuse" in w for w in report.warnings)


def test_a_drive_list_read_only_in_part_is_not_taken_for_a_degraded_mirror(start_pair) -> None:
    """Both MN drives arrived, but the standby's BMC fails the read of one (its storage read
    is incomplete): that drive is not known missing.  The run stops saying the list is
    incomplete and does not offer ``--accept-degraded``; accepting degraded anyway does not
    go on, nor call the unread drive a stale mirror half to wipe.  Old: the unread drive was
    "missing", and ``--accept-degraded`` went on and flagged it for wiping."""
    sim = start_pair()
    ready(sim)
    unread = mn_serials(sim.cluster)[0]

    def mover(_order: object) -> None:  # asked again on resume: the drives are there
        if any(d.serial == unread for d in sim["primary"].drives):
            sim.move_mn_drives("primary", "standby")
            standby = sim["standby"]
            [drive] = [d for d in standby.drives if d.serial == unread]
            standby.inject("error_5xx", path=drive_path(standby.state, drive), method="GET",
                           status=404)

    operator = OperatorDouble(mover)
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "stopped", report.text()
    assert "incomplete" in report.stop_reason and "--accept-degraded" not in report.stop_reason
    assert sim["standby"].power_state in ("Off", "PoweringOff")
    report = coordinator(sim, operator).resume(accept_degraded=True)
    assert report.outcome == "stopped" and "incomplete" in report.stop_reason
    assert not any("stale mirror half" in w for w in report.warnings)


def test_an_old_node_drive_list_read_in_part_is_unverified_not_a_wrong_node(
        start_pair) -> None:
    """The old node's BMC fails the read of one MN drive (its storage read is incomplete):
    that drive is not known absent.  The preflight marks it unverified and goes on as with a
    BMC that shows no drives, the work order giving the snapshot's bay for it.  Old: the run
    stopped saying the old node "does not show the MN drive(s)... is it the active node?
    Take a new `hamnhw pair snapshot`" (a snapshot would not have helped)."""
    sim = start_pair()
    ready(sim)
    serials = mn_serials(sim.cluster)
    primary = sim["primary"]
    [drive] = [d for d in primary.drives if d.serial == serials[0]]
    bay = drive.bay
    primary.inject("error_5xx", path=drive_path(primary.state, drive), method="GET",
                   status=404)
    operator = OperatorDouble(None)
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "waiting", report.text()
    assert any("read only in part" in w and serials[0] in w for w in report.warnings), (
        report.warnings)
    [order] = operator.orders
    assert {m.serial: m.from_bay for m in order.drives}[serials[0]] == bay


def test_no_post_evidence_needs_typed_serials(start_pair) -> None:
    sim = start_pair(standby={"boot_progress": False, "last_reset_time": False})
    ready(sim)
    operator = OperatorDouble(move(sim))
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "waiting" and report.needs["kind"] == "serials"
    operator.serials = mn_serials(sim.cluster)
    report = coordinator(sim, operator).resume()
    assert report.outcome == "done", report.text()
    # the power-on was not sent again; the reset into the local disk, on a BMC showing no
    # reset marks, is a power cycle made of off then on (the generic driver's off-on method)
    assert standby_posts(sim) == ["On", "ForceOff", "On"]


def test_bios_override_ignored_os_start_is_forced_off(start_pair) -> None:
    sim = start_pair()
    ready(sim)
    sim["standby"].inject("ignore_boot_override", count=1)
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "stopped" and "ignored the BiosSetup override" in report.stop_reason
    assert sim["standby"].power_state in ("Off", "PoweringOff")
    assert "ForceOff" in standby_posts(sim)


def test_target_already_on_touches_nothing(start_pair) -> None:
    sim = start_pair(standby={"power": "On"})
    ready(sim)
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "refused" and "not off" in report.stop_reason
    for name in ("primary", "standby"):
        assert [r for r in sim[name].requests if r.method in ("POST", "PATCH")
                and "Sessions" not in r.path] == []


def test_an_mn_address_still_answering_blocks_the_power_on(start_pair) -> None:
    with MnService(None, (), up=lambda: True) as always:  # type: ignore[arg-type]
        sim = start_pair(failover={"mn_addresses": [always.address]})
        ready(sim)
        report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "stopped" and always.address in report.stop_reason
    assert standby_posts(sim) == []


def test_bmc_unreachable_without_then_with_acknowledgement(start_pair) -> None:
    """The primary's cords pulled (its BMC silent: connects time out, not refused): the
    fence stops for the acknowledgement, then every check of the old node takes it (a
    short power_off_timeout: one silent read per check)."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    ready(sim)
    sim.pull_cords("primary")
    operator = OperatorDouble(move(sim))
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "stopped" and report.needs["kind"] == "cords_pulled"
    assert operator.orders == [] and standby_posts(sim) == []
    operator.types.add("primary power cords pulled")
    report = coordinator(sim, operator).resume()
    assert report.outcome == "done", report.text()
    assert any("acknowledgement" in w for w in operator.orders[0].warnings)


def test_409_on_power_on_is_retried_once_accepted(start_pair) -> None:
    sim = start_pair()
    ready(sim)
    sim["standby"].inject("reset_conflict", count=1)
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "done", report.text()
    assert [s for t, s in sim.reset_posts("standby")][:2] == [409, 204]
    assert standby_posts(sim).count("On") == 1


def test_unfinished_run_blocks_start_and_failback_follows_failover(start_pair) -> None:
    sim = start_pair(failover={"graceful_timeout": 0})
    ready(sim)
    operator = OperatorDouble(None)
    assert coordinator(sim, operator).start(yes=True).outcome == "waiting"
    with pytest.raises(RunUnfinished):
        coordinator(sim, operator).start(yes=True)
    operator.mover = move(sim)
    assert coordinator(sim, operator).resume().outcome == "done"
    operator.mover = move(sim, "standby", "primary")
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "done", report.text()
    assert (report.source, report.target, report.active_node) == ("standby", "primary",
                                                                   "primary")
    assert sim["primary"].boot_progress == "OSRunning"
    assert sim.accepted_resets("primary")[0] == "ForceOff"  # graceful_timeout 0: force at once


def test_refused_on_a_node_of_the_pair(start_pair, tmp_path: Path, monkeypatch) -> None:
    sim = start_pair()
    ready(sim)
    fake = tmp_path / "net" / "eth0"
    fake.mkdir(parents=True)
    (fake / "address").write_text(sim["primary"].spec.nics[0].mac + "\n")
    monkeypatch.setattr("hamnhw.failover.hostcheck.SYS_NET", tmp_path / "net")
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "refused" and "third host" in report.stop_reason


def test_active_node_from_live_state_needs_the_typed_name(start_pair) -> None:
    sim = start_pair()
    ready(sim, active=None)
    operator = OperatorDouble(None)
    with pytest.raises(Exception, match="primary is the active MN"):
        coordinator(sim, operator).start(yes=True)
    operator.types.add("primary is the active MN")
    assert coordinator(sim, operator).start(yes=True).outcome == "waiting"
    with open_journal(load_config(sim.config_path)) as journal:
        assert "confirmed by tester@test" in journal.active_node().source


def test_409_on_the_fence_force_off_is_read_then_retried(start_pair) -> None:
    """Review 9: a 409 (not executed) on the ForceOff is followed by a read and a retry."""
    sim = start_pair(failover={"graceful_timeout": 0})
    ready(sim)
    sim["primary"].inject("reset_conflict", count=1)
    report = coordinator(sim, OperatorDouble(None)).start(yes=True)
    assert report.outcome == "waiting", report.text()
    assert [s for _t, s in sim.reset_posts("primary")] == [409, 204]


def test_one_unreadable_power_read_is_read_again(start_pair) -> None:
    """Review 10: one failed read of the old node is polled again, not taken as unknown
    (no force-off, no acknowledgement asked)."""
    sim = start_pair()
    ready(sim)
    operator = OperatorDouble(None)
    assert coordinator(sim, operator).start(yes=True).outcome == "waiting"
    sim.move_mn_drives("primary", "standby")
    forced = sim.accepted_resets("primary").count("ForceOff")
    sim["primary"].inject("malformed_json", count=1, path="/redfish/v1/Systems/1", method="GET")
    report = coordinator(sim, operator).resume(disks_moved=True)
    assert report.outcome == "done", report.text()
    assert sim.accepted_resets("primary").count("ForceOff") == forced
    assert operator.asked_for("cords_pulled") == []


def test_a_foreign_volume_is_imported_or_the_run_stops_saying_so(start_pair) -> None:
    """The moved RAID1 shows as foreign on the target: the generic driver cannot import it
    (no standard action), so the check fails naming that, and the target is off again."""
    sim = start_pair(standby={"foreign_volumes": True})
    ready(sim)
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "stopped" and "could not be imported" in report.stop_reason
    assert "raid.import_foreign" in report.stop_reason
    checks = {c["name"]: c for c in report.checks}
    assert checks["verify: foreign volume import"]["passed"] is False
    assert sim["standby"].power_state in ("Off", "PoweringOff")
    actions = [a["action"] for s in report.steps for a in s["actions"]]
    assert "import_foreign" in actions  # journaled before it was tried


def test_accept_degraded_on_start_goes_on_with_one_drive(start_pair) -> None:
    sim = start_pair()
    ready(sim)
    first = mn_serials(sim.cluster)[0]
    report = coordinator(sim, OperatorDouble(move(sim, serials=[first]))).start(
        yes=True, accept_degraded=True)
    assert report.outcome == "done", report.text()
    assert any("stale mirror half" in w for w in report.warnings)


def test_a_journal_on_nfs_is_warned_about(start_pair, tmp_path: Path, monkeypatch) -> None:
    sim = start_pair()
    ready(sim)
    mounts = tmp_path / "mounts"
    mounts.write_text(f"server:/export {sim.journal_dir} nfs4 rw 0 0\n")
    monkeypatch.setattr("hamnhw.failover.hostcheck.MOUNTS", mounts)
    report = coordinator(sim, OperatorDouble(None)).start(dry_run=True)
    assert report.outcome == "dry-run"
    assert any("is on nfs4" in w for w in report.warnings)


def test_status_reads_power_now_or_says_as_of_when(start_pair) -> None:
    """Review 13: status shows each node's power read now; a BMC that does not give it
    shows what it answered, and the power last read (as that) and when."""
    sim = start_pair()
    ready(sim)
    assert coordinator(sim, OperatorDouble(None)).start(yes=True).outcome == "waiting"
    sim["standby"].set_power("On")
    status = coordinator(sim, OperatorDouble(None)).status()
    assert status.power == {"primary": "off", "standby": "on"}
    assert status.power_as_of == {"primary": None, "standby": None}
    sim["primary"].stop()
    status = coordinator(sim, OperatorDouble(None)).status()
    assert status.power["primary"] is None and status.power_last == {"primary": "off"}
    assert status.power_as_of["primary"] is not None
    assert "primary not read: its BMC answers: refuses connections (last read off at " in (
        status.text())
