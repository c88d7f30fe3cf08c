"""A stop names the command of its own run: a drill's leg says ``hamnhw drill``."""

from __future__ import annotations

import pytest

from hamnhw.failover.journal_records import in_run_words

TEXT = ("fix it, then `hamnhw failover start` again; or later "
        "`hamnhw failover resume --disks-moved`")


@pytest.mark.parametrize(("kind", "again"), [("drill-failover", "hamnhw drill"),
                                              ("drill-failback", "hamnhw drill resume")])
def test_a_drill_leg_names_the_drill_commands(kind: str, again: str) -> None:
    """A refused failback leg is started again by `hamnhw drill resume` (a new `hamnhw
    drill` would fail over from the node the first leg made active)."""
    assert in_run_words(TEXT, kind) == (f"fix it, then `{again}` again; or later "
                                        "`hamnhw drill resume --disks-moved`")


def test_a_failover_keeps_its_own_words() -> None:
    assert in_run_words(TEXT, "failover") == TEXT
