"""`--acknowledge` phrases a command cannot use are said so (admin review #6)."""

from __future__ import annotations

from hamnhw.failover.journal import ActiveNode
from hamnhw.failover.phrases import GivenAnswers, ignored_at_resume, ignored_at_start

ACTIVE = "primary is the active MN"
CORDS = "primary power cords pulled"


def test_start_uses_only_the_active_node_confirmation_it_needed() -> None:
    assert ignored_at_start([ACTIVE], None, "primary") == []
    [ignored] = ignored_at_start([ACTIVE], ActiveNode("primary", 0.0, "failover run 3"),
                                 "primary")
    assert ignored.startswith(f"--acknowledge {ACTIVE!r} ignored: the journal records "
                              "primary as the active MN already"), ignored
    [early] = ignored_at_start([ACTIVE, CORDS, CORDS], None, "primary")
    assert early.startswith(f"--acknowledge {CORDS!r} ignored: a new run has asked"), early


def test_resume_uses_only_the_phrase_its_last_stop_asked_for() -> None:
    pending = {"situation": "refence:7", "kind": "cords_pulled", "phrase": CORDS}
    assert ignored_at_resume([CORDS], pending) == []
    assert ignored_at_resume([ACTIVE], pending) == [
        f"--acknowledge {ACTIVE!r} ignored: the run's last stop asked for {CORDS!r} (a phrase "
        "answers only the situation that stop named)"]
    assert "asked for no acknowledgement" in ignored_at_resume([CORDS], None)[0]


def test_a_resume_takes_the_cords_phrase_for_the_old_nodes_silence_once() -> None:
    """Outside review: the phrase its last stop asked for a re-fence answers the silence the
    resume finds instead (the same cords); it counts once; a phrase it could have used and
    did not is said so at the end, with why."""
    pending = {"situation": "refence:7", "kind": "cords_pulled", "phrase": CORDS}
    given = GivenAnswers([CORDS, ACTIVE], pending, "primary")
    assert given.ignored() == [
        f"--acknowledge {ACTIVE!r} ignored: the run's last stop asked for {CORDS!r} (a phrase "
        f"answers only the situation that stop named, or {CORDS!r} a check that finds that "
        "node's BMC silent)"]
    assert not given.takes("refence:8", True, CORDS)  # another re-fence: not named
    assert given.takes("disks.entry#1:unreachable", True, CORDS, silence=True)
    assert not given.takes("verify.power_on#1:unreachable", True, CORDS, silence=True)
    assert given.unused() == []
    at_start = GivenAnswers([CORDS], None, None)  # a start or an abort: no silence taken
    assert not at_start.takes("fence:unreachable", True, CORDS, silence=True)


def test_an_unused_phrase_is_said_with_why() -> None:
    pending = {"situation": "refence:7", "kind": "cords_pulled", "phrase": CORDS}
    given = GivenAnswers([CORDS], pending, "primary")
    assert given.unused() == [
        f"--acknowledge {CORDS!r} not used: this resume did not come to refence:7 again (the "
        "situation the last stop asked it for), nor to a check that found primary's BMC "
        "silent"]
    given.answered("primary", "refuses connections")
    [answered] = given.unused()
    assert "primary's BMC answered (refuses connections)" in answered
    given.not_taken(CORDS, "refence:8")
    [stopped] = given.unused()
    assert "this resume stopped at refence:8, which it does not answer" in stopped
    given.answered("standby", "reads on")  # another node's answer says nothing of this one
    assert given.unused() == [stopped]
