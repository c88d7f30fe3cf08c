"""The failover's absolute rules, one scenario each against a simulated pair (library level):
each test fails when its rule is removed from the code (the mutations tried are listed in
docs/runbook.md's "Safety rules and their tests").

* the target is powered on only when the old node read Off exactly twice right before, on
  every attempt, first or resumed, and after the reset the old node is checked again;
* an acknowledgement answers one situation only;
* a POST is believed fresh only from evidence, never from a stale drive list; a drive whose
  serial is unreadable is unknown.
"""

from __future__ import annotations

import time

import pytest
from doubles import OperatorDouble
from pairsim import mn_serials
from runs import Crash, coordinator, crash_at, journal_facts, move, ready, standby_posts

from hamnhw.config import load_config
from hamnhw.failover import ScriptedOperator, killpoints
from hamnhw.pair import open_journal
from hamnhw.sim import DriveSpec

pytestmark = pytest.mark.e2e

SYSTEM = "/redfish/v1/Systems/1"


def test_an_off_read_between_on_reads_never_powers_the_target_on(start_pair) -> None:
    """Off must be read twice in a row: a BMC flickering Off every other read of an old node
    that is On stops the run before any power-on of the target."""
    sim = start_pair()
    ready(sim)
    assert coordinator(sim, OperatorDouble(None)).start(yes=True).outcome == "waiting"
    sim.move_mn_drives("primary", "standby")
    sim["primary"].set_power("On")
    sim["primary"].inject("ignore_reset")
    sim["primary"].inject("spurious_off", path=SYSTEM, every=2)
    operator = OperatorDouble(None, types=["primary power cords pulled"])
    report = coordinator(sim, operator).resume(disks_moved=True)
    assert report.outcome == "stopped", report.text()
    assert "not Off twice" in report.stop_reason
    assert standby_posts(sim) == []


def test_old_node_on_at_a_resumed_power_on_attempt_blocks_it(start_pair) -> None:
    """Review 2a: the checks before a power-on run again on a resumed attempt."""
    sim = start_pair()
    ready(sim)
    sim["standby"].inject("reset_conflict", count=5)
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "stopped" and "409" in report.stop_reason, report.text()
    assert standby_posts(sim) == []
    sim["primary"].set_power("On")
    sim["primary"].inject("ignore_reset")
    operator = OperatorDouble(None, types=["primary power cords pulled"])
    report = coordinator(sim, operator).resume()
    assert report.outcome == "stopped" and "primary reads on, not Off twice" in report.stop_reason
    assert standby_posts(sim) == []
    assert "ForceOff" in sim.accepted_resets("primary")


def test_old_node_powering_on_during_the_reset_is_caught_after_it(start_pair,
                                                                 monkeypatch) -> None:
    """After the reset into the local disk, the old node is checked off again."""
    sim = start_pair()
    ready(sim)
    real = killpoints.reached

    def reached(name: str) -> None:
        if name == "boot.reset:sent":
            sim["primary"].set_power("On")
        real(name)

    monkeypatch.setattr(killpoints, "reached", reached)
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "stopped" and report.state == "boot", report.text()
    assert "powered itself back on" in report.stop_reason
    assert sim.accepted_resets("primary")[-1] == "ForceOff"


def test_an_acknowledgement_answers_one_situation_only(start_pair) -> None:
    """Review 1: the cords-pulled answer typed at the fence does not answer the old node
    powering itself back on after the move, nor does a phrase given on the command line
    before that situation was named."""
    sim = start_pair()
    ready(sim)
    sim["primary"].inject("refuse_restore_policy", count=1)
    fence_operator = OperatorDouble(None, types=["primary power cords pulled"])
    report = coordinator(sim, fence_operator).start(yes=True)
    assert report.outcome == "waiting", report.text()
    assert [r.situation for r in fence_operator.asked_for("cords_pulled")] == ["fence:policy"]
    sim.move_mn_drives("primary", "standby")
    sim["primary"].set_power("On")
    sim["primary"].inject("ignore_reset")
    given = ScriptedOperator(disks_moved=True, acknowledgements=["primary power cords pulled"])
    report = coordinator(sim, given).resume(disks_moved=True)
    assert report.outcome == "stopped" and report.needs["kind"] == "cords_pulled"
    assert report.needs["situation"].startswith("refence:")
    assert standby_posts(sim) == []
    silent = OperatorDouble(None)
    report = coordinator(sim, silent).resume(disks_moved=True)
    assert report.outcome == "stopped" and len(silent.asked_for("cords_pulled")) == 1
    assert standby_posts(sim) == []
    sim["primary"].clear_faults()  # the next force-off works
    report = coordinator(sim, given).resume(disks_moved=True)  # a new force-off: asked again
    assert report.outcome == "stopped" and standby_posts(sim) == []
    report = coordinator(sim, given).resume(disks_moved=True)  # answers the pending one
    assert report.outcome == "done", report.text()


def test_a_power_on_found_without_outcome_is_never_resent_unconfirmed(start_pair,
                                                                     monkeypatch) -> None:
    """A crash after the power-on's intent: resume re-reads, sends nothing without the typed
    confirmation, and with it sends the power-on exactly once."""
    sim = start_pair()
    ready(sim)

    crash_at(monkeypatch, "verify.power_on:intent")
    with pytest.raises(Crash):
        coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    report = coordinator(sim, OperatorDouble(None)).resume()
    assert report.outcome == "stopped" and report.needs["kind"] == "resend_power_on"
    assert standby_posts(sim) == []
    operator = OperatorDouble(None, types=["resend power_on to standby"])
    report = coordinator(sim, operator).resume()
    assert report.outcome == "done", report.text()
    assert standby_posts(sim).count("On") == 1


@pytest.mark.parametrize("standby", [
    {},
    {"post_detail": False, "post_time": 1.0, "boot_time": 1.6},
    {"post_detail": False, "post_time": 1.0, "boot_time": 1.6, "setup_entered": False},
], ids=["detailed-post", "setup-entered", "no-setup"])
def test_a_stale_drive_list_is_no_fresh_post_evidence(start_pair, standby) -> None:
    """Review 5: the standby's BMC keeps the MN drives of an earlier POST (a drill) in its
    list while off; wrong drives inserted now are seen.  A BMC that shows
    SystemHardwareInitializationComplete from the power-on on, over that stale list, is not
    believed on its first read."""
    sim = start_pair(standby=standby)
    sim.move_mn_drives("primary", "standby")
    sim["standby"].set_power("On")
    time.sleep(1.3)  # a POST that saw the MN drives (the simulator's real clock)
    sim["standby"].set_power("Off")
    sim.move_mn_drives("standby", "primary")
    ready(sim)
    operator = OperatorDouble(lambda _o: sim.cluster.insert_drive(DriveSpec("WRONG1"),
                                                                   "standby"))
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "stopped" and "WRONG1" in report.stop_reason, report.text()
    assert sim["standby"].power_state in ("Off", "PoweringOff")
    assert standby_posts(sim).count("PowerCycle") == 0
    assert mn_serials(sim.cluster)[0] in {d.serial for d in sim["primary"].drives}


def test_post_complete_without_a_moved_time_mark_is_no_evidence(start_pair) -> None:
    """SystemHardwareInitializationComplete counts only with a LastResetTime or
    LastStateTime that moved: without them the operator types the serials."""
    sim = start_pair(standby={"setup_entered": False, "boot_progress_time": False,
                              "last_reset_time": False})
    ready(sim)
    operator = OperatorDouble(move(sim))
    report = coordinator(sim, operator).start(yes=True)
    assert report.outcome == "waiting" and report.needs["kind"] == "serials", report.text()
    operator.serials = mn_serials(sim.cluster)
    report = coordinator(sim, operator).resume()
    assert report.outcome == "done", report.text()
    checks = {c["name"]: c for c in report.checks}
    assert checks["verify: fresh POST"]["passed"] is None


@pytest.mark.parametrize("reported", ["", "To Be Filled By O.E.M."])
def test_a_drive_whose_serial_is_unreadable_is_unknown(start_pair, reported) -> None:
    """Review 6: a drive without a readable serial stops the run, target off again."""
    sim = start_pair()
    ready(sim)

    def mover(_order) -> None:
        sim.move_mn_drives("primary", "standby")
        sim.cluster.insert_drive(DriveSpec("X1", reported_serial=reported), "standby",
                                 bay="Bay 6")

    report = coordinator(sim, OperatorDouble(mover)).start(yes=True)
    assert report.outcome == "stopped", report.text()
    assert "cannot read (Bay 6)" in report.stop_reason
    assert report.state == "awaiting_disks"
    assert sim["standby"].power_state in ("Off", "PoweringOff")
    assert journal_facts(sim)["verified_drives"]["unknown"]


def test_a_power_on_killed_after_it_was_accepted_is_not_sent_again(start_pair,
                                                                    monkeypatch) -> None:
    """No accepted POST is ever duplicated: killed after the BMC accepted the power-on,
    resume sees its effect and goes on without sending it again (nothing to confirm)."""
    sim = start_pair()
    ready(sim)

    crash_at(monkeypatch, "verify.power_on:sent")
    with pytest.raises(Crash):
        coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    operator = OperatorDouble(None)
    report = coordinator(sim, operator).resume()
    assert report.outcome == "done", report.text()
    assert operator.asked_for("resend_power_on") == []
    assert standby_posts(sim) == ["On", "PowerCycle"]


def test_disks_moved_counts_only_once_the_run_waits_for_them(start_pair) -> None:
    """``--disks-moved`` said while the run was still at the fence does not skip the
    operator step (the work order comes after the fence)."""
    sim = start_pair()
    ready(sim)
    sim["primary"].inject("refuse_restore_policy", count=1)
    report = coordinator(sim, OperatorDouble(None)).start(yes=True)
    assert report.outcome == "stopped" and report.state == "fence", report.text()
    given = ScriptedOperator(disks_moved=True, acknowledgements=["primary power cords pulled"])
    report = coordinator(sim, given).resume(disks_moved=True)
    assert report.outcome == "waiting" and report.state == "awaiting_disks", report.text()
    assert standby_posts(sim) == []


def test_a_refence_killed_after_its_force_off_is_settled_on_resume(start_pair,
                                                                   monkeypatch) -> None:
    """Soak seed 900075: the old node back on at the disk move is forced off again, and the
    coordinator dies right after the BMC accepted that ForceOff.  The resume reads the old
    node Off and journals the interrupted re-fence's outcome from that read: a done run
    leaves no intent without an outcome."""
    sim = start_pair()
    ready(sim)
    assert coordinator(sim, OperatorDouble(None)).start(yes=True).outcome == "waiting"
    sim.move_mn_drives("primary", "standby")
    sim["primary"].set_power("On")
    crash_at(monkeypatch, "disks-refence.force_off:sent")
    with pytest.raises(Crash):
        coordinator(sim, OperatorDouble(None)).resume(disks_moved=True)
    operator = OperatorDouble(None, types=["primary power cords pulled"])
    report = coordinator(sim, operator).resume(disks_moved=True)
    assert report.outcome == "done", report.text()
    config = load_config(sim.config_path)
    with open_journal(config) as journal:
        run = journal.latest_run()
        assert run is not None
        steps = journal.steps(run.id)
    open_intents = [f"{s.step}.{s.action}" for s in steps
                    if s.outcome is None and not s.superseded]
    assert open_intents == []
    refences = [s.outcome for s in steps if s.step == "disks-refence" and not s.superseded]
    assert refences and refences[-1] == {"off": True, "recovered": True}
    assert standby_posts(sim) == ["On", "PowerCycle"]
