"""One acknowledgement of pulled power cords carries a silent old node through the run
(outside review), through the real ``hamnhw`` command and the library against a simulated
pair:

* the primary's cords pulled during the disk move: one ``--acknowledge 'primary power cords
  pulled'`` answers the check at the move and stands for every later check of the primary
  that finds its BMC silent (before the power-on, before the reset, after it); each check
  names it, and ``failover log`` shows where it was used;
* an answer of the primary's BMC after that cancels it: a later silence is asked about
  again; at a terminal, the acknowledgement of a re-fence followed by silence stands too;
* a phrase given on the command line and not used is said so, with why, on the console
  and in ``failover log``; the cords phrase given to the resume answers the silence its stop
  did not name (a re-fence asked for it);
* the cords pulled while a request waits on a new connection (its read timeout longer than
  the wait): the read on a new connection after the wait finds silence, not a hung BMC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from clirun import hamnhw
from doubles import OperatorDouble
from pairsim import SILENT_NODE, PairSim
from runs import coordinator, ready, standby_posts

from hamnhw.failover import ScriptedOperator, killpoints

pytestmark = pytest.mark.e2e

CORDS = "primary power cords pulled"
SILENCES = ["disks.entry#1:unreachable", "verify.power_on#1:unreachable",
            "boot.reset#1:unreachable", "boot-after.reset#1:unreachable"]
"""The primary's checks after the move, each finding its BMC silent once its cords are
pulled (four acknowledgements before the review)."""


def started(sim: PairSim) -> str:
    """The pair made ready (in this process) and ``failover start`` run through a fence the
    BMC confirmed: waiting for the disks; the config's path."""
    ready(sim)
    code, out = hamnhw("failover", "start", "--yes", "--config", str(sim.config_path))
    assert code == 10, out
    return str(sim.config_path)


def log_events(config: str, kind: str) -> list[dict[str, Any]]:
    code, log = hamnhw("failover", "log", "--config", config)
    assert code == 0, log
    return [e for e in log["events"] if e["kind"] == kind]


def test_one_acknowledgement_carries_a_silent_primary_to_done(
        start_pair: Callable[..., PairSim]) -> None:
    """The cords pulled during the move: the resume stops once for the acknowledgement; the
    next resume, with it, goes through to done, each later check of the primary naming the
    acknowledgement it stood on."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    config = started(sim)
    sim.move_mn_drives("primary", "standby")
    sim.pull_cords("primary")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 1 and out["needs"]["situation"] == SILENCES[0], out
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       "--acknowledge", CORDS)
    assert code == 0 and out["outcome"] == "done", out
    assert not [w for w in out["warnings"] if "--acknowledge" in w] and standby_posts(sim)
    checks = {c["name"]: c["detail"] for c in out["checks"]}
    assert "acknowledged pulled by" in checks["disks: primary off"], checks
    for site in ("verify", "boot", "boot-after"):
        assert checks[f"{site}: primary off"] == (
            "BMC silent (no connection, no route): power cords acknowledged pulled at "
            f"{SILENCES[0]} by {_who(config)} (standing: no answer from its BMC since)"), checks
    acks = [e for e in log_events(config, "ack") if (e["data"] or {}).get("situation")]
    assert [(e["data"]["situation"], e["data"].get("standing")) for e in acks] == [
        (SILENCES[0], None), *((s, SILENCES[0]) for s in SILENCES[1:])], acks


def _who(config: str) -> str:
    """Who typed the acknowledgement of the move's check, as the journal names them."""
    [first] = [e for e in log_events(config, "ack")
               if (e["data"] or {}).get("situation") == SILENCES[0]]
    return str(first["data"]["who"])


def test_an_answer_after_the_acknowledgement_cancels_it(
        start_pair: Callable[..., PairSim], monkeypatch: pytest.MonkeyPatch) -> None:
    """Acknowledged silent at the move; its cords plugged back in as the run verifies (its
    BMC answers Off: cancelled, journaled), pulled again before the boot: the boot's check
    asks again, and its acknowledgement stands for the check after the reset."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    sim.configure({"primary": SILENT_NODE})
    ready(sim)
    assert coordinator(sim, OperatorDouble(None)).start(yes=True).outcome == "waiting"
    sim.move_mn_drives("primary", "standby")
    sim["primary"].pull_cords()
    real = killpoints.reached

    def reached(name: str) -> None:
        if name == "state:verify":
            sim["primary"].plug_cords()  # back on the network, still off (AlwaysOff)
        if name == "state:boot":
            sim["primary"].pull_cords()
        real(name)

    monkeypatch.setattr(killpoints, "reached", reached)
    given = ScriptedOperator(disks_moved=True, acknowledgements=[CORDS])
    report = coordinator(sim, given).resume(disks_moved=True)
    assert report.outcome == "stopped", report.text()
    assert report.needs is not None and report.needs["situation"] == SILENCES[2]
    checks = {c["name"]: c["detail"] for c in report.checks}
    assert checks["verify: primary off"] == "Off read twice"
    assert standby_posts(sim) == ["On"]  # into setup only: no reset without the answer
    cancelled = [e for e in log_events(str(sim.config_path), "ack")
                 if (e["data"] or {}).get("standing_cancelled")]
    assert [(e["data"]["standing_cancelled"], e["data"]["answered"]) for e in cancelled] == [
        (SILENCES[0], "when hamnhw connected to it")], cancelled
    report = coordinator(sim, OperatorDouble(None, types=[CORDS])).resume()
    assert report.outcome == "done", report.text()
    checks = {c["name"]: c["detail"] for c in report.checks}
    assert f"acknowledged pulled at {SILENCES[2]}" in checks["boot-after: primary off"]


class PullingOperator(OperatorDouble):
    """At a terminal: asked for the cords acknowledgement, pulls the primary's cords, then
    types it."""

    def __init__(self, sim: PairSim) -> None:
        super().__init__(None, types=[CORDS])
        self.sim = sim

    def acknowledge(self, request: Any) -> bool:
        self.sim["primary"].pull_cords()
        return super().acknowledge(request)


def test_the_acknowledgement_of_a_refence_then_silence_stands_too(
        start_pair: Callable[..., PairSim]) -> None:
    """At a terminal, the primary found on after the move and forced off in vain: asked,
    the operator pulls its cords and types the phrase; its BMC silent from then on, that
    answer stands for the later checks: asked once in all."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    sim.configure({"primary": SILENT_NODE})
    ready(sim)
    assert coordinator(sim, OperatorDouble(None)).start(yes=True).outcome == "waiting"
    sim.move_mn_drives("primary", "standby")
    sim["primary"].set_power("On")
    sim["primary"].inject("ignore_reset")
    operator = PullingOperator(sim)
    report = coordinator(sim, operator).resume(disks_moved=True)
    assert report.outcome == "done", report.text()
    assert [r.situation.split(":")[0] for r in operator.asked_for("cords_pulled")] == [
        "refence"]
    checks = {c["name"]: c["detail"] for c in report.checks}
    assert "(standing: no answer from its BMC since)" in checks["verify: primary off"]


def test_a_phrase_given_and_not_used_is_said_so_with_why(
        start_pair: Callable[..., PairSim]) -> None:
    """The primary powers itself back on after the move (forced off, the phrase asked for
    the re-fence): the phrase given to the next resume, which finds it on again (a new
    re-fence), is unused, said on stderr and in ``failover log``.  With its cords pulled
    then, the phrase given for that re-fence answers the silence the resume finds instead,
    and the run goes through."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    config = started(sim)
    sim.move_mn_drives("primary", "standby")
    sim["primary"].set_power("On")
    sim["primary"].inject("ignore_reset")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 1 and out["needs"]["situation"].startswith("refence:"), out
    first = out["needs"]["situation"]
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       "--acknowledge", CORDS)
    assert code == 1 and out["needs"]["situation"] not in (first, None), out
    again = out["needs"]["situation"]
    unused = [w for w in out["warnings"] if w.startswith(f"--acknowledge {CORDS!r} not used")]
    assert unused == [f"--acknowledge {CORDS!r} not used: this resume stopped at {again}, "
                      "which it does not answer: a phrase given on the command line answers "
                      f"the situation the last stop named ({first}), or a check that finds "
                      "primary's BMC silent; type it again for this stop"], out["warnings"]
    assert unused[0] in out["_stderr"]
    assert unused[0] in [e["message"] for e in log_events(config, "warning")]
    assert standby_posts(sim) == []

    sim.pull_cords("primary")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       "--acknowledge", CORDS)
    assert code == 0 and out["outcome"] == "done", out
    assert "not used" not in out["_stderr"] and standby_posts(sim)


def test_a_phrase_given_to_a_bmc_that_answers_is_said_unused(
        start_pair: Callable[..., PairSim]) -> None:
    """The phrase given while the primary's BMC refuses connections (its web server down):
    the stop names that, and the phrase is said unused because the BMC answered."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    config = started(sim)
    sim.move_mn_drives("primary", "standby")
    sim["primary"].stop()
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       "--acknowledge", CORDS)
    assert code == 1 and out["needs"] is None, out
    [unused] = [w for w in out["warnings"] if "--acknowledge" in w]
    assert unused.startswith(f"--acknowledge {CORDS!r} not used: primary's BMC answered "
                             "(refuses connections"), unused
    assert "stands only for its silence, never for a BMC that answers" in unused


def test_cords_pulled_while_a_request_waits_on_a_new_connection_are_silence(
        start_pair: Callable[..., PairSim]) -> None:
    """The resume's first request to the primary opens a new connection and gets no answer:
    the cords were pulled as it arrived, its read timeout outlives the wait.  The read on a
    new connection after the wait times out connecting: silence, the acknowledgement is
    asked for (not "a hung web server"), and it carries the run to done."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    config = started(sim)
    sim.move_mn_drives("primary", "standby")
    sim.configure({"primary": {**SILENT_NODE, "read_timeout": 2.0, "timeout": 4.0}})
    primary = sim["primary"]
    before = len(primary.requests)
    primary.inject("pull_cords", path="/redfish/v1", answered=0)
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 1 and out["needs"] is not None, out
    assert out["needs"]["situation"] == SILENCES[0], out
    assert [r.status for r in primary.requests[before:]] == [None]  # held, then nothing
    assert out["needs"]["kind"] == "cords_pulled"  # the read on a new connection: silence
    assert "hung web server" not in (out["stop_reason"] or ""), out
    sim.configure({"primary": SILENT_NODE})
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       "--acknowledge", CORDS)
    assert code == 0 and out["outcome"] == "done", out
