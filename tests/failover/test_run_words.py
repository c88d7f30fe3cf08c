"""A stop names the command of its own run: a drill's leg says ``hamnhw drill``."""

from __future__ import annotations

from hamnhw.failover.journal_records import DRILL_KINDS, in_run_words

TEXT = ("fix it, then `hamnhw failover start` again; or later "
        "`hamnhw failover resume --disks-moved`")


def test_a_drill_leg_names_the_drill_commands() -> None:
    drill = sorted(DRILL_KINDS)[0]
    assert in_run_words(TEXT, drill) == ("fix it, then `hamnhw drill` again; or later "
                                         "`hamnhw drill resume --disks-moved`")


def test_a_failover_keeps_its_own_words() -> None:
    assert in_run_words(TEXT, "failover") == TEXT
