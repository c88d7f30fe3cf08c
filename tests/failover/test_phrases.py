"""`--acknowledge` phrases a command cannot use are said so (admin review #6)."""

from __future__ import annotations

from hamnhw.failover.journal import ActiveNode
from hamnhw.failover.phrases import ignored_at_resume, ignored_at_start

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
