"""The journal: file mode, durability settings, intent/outcome records, the writers' lock."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hamnhw.failover.journal import Journal, JournalError, journal_path
from hamnhw.failover.lock import JournalBusy


@pytest.fixture
def journal(tmp_path: Path):
    with Journal.open(journal_path(tmp_path / "j", "mn")) as opened:
        yield opened


def test_file_is_0600_in_a_0700_directory_and_synchronous_full(journal: Journal) -> None:
    assert stat.S_IMODE(os.stat(journal.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(journal.path.parent).st_mode) == 0o700
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_missing_journal_is_an_error_without_create(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no journal"):
        Journal.open(tmp_path / "none.sqlite", create=False)


def test_intent_without_outcome_is_found_after_reopening(tmp_path: Path) -> None:
    path = journal_path(tmp_path, "mn")
    with Journal.open(path) as first:
        run = first.create_run("failover", "primary", "standby", {"yes": True})
        done = first.intent(run, "fence", "graceful", "primary", {"reset": "GracefulShutdown"})
        first.outcome(done, {"power_state": "off"}, facts={"forced": False})
        first.intent(run, "fence", "force", "primary", {"reset": "ForceOff"})
    with Journal.open(path) as again:
        open_force = again.open_step(run, "fence", "force")
        assert open_force is not None and open_force.outcome is None
        graceful = again.open_step(run, "fence", "graceful")
        assert graceful is not None and graceful.outcome == {"power_state": "off"}
        assert again.run(run).facts == {"forced": False}
        assert again.unfinished_run() is not None
        again.supersede(run, ("fence",))
        assert again.open_step(run, "fence", "force") is None
        again.set_state(run, "done")
        assert again.unfinished_run() is None
        assert again.run(run).finished_at is not None


def test_active_node_and_snapshots(journal: Journal) -> None:
    assert journal.active_node() is None
    journal.set_active_node("primary", "operator typed it")
    assert journal.active_node().name == "primary"
    assert journal.latest_snapshot() is None
    journal.save_snapshot({"nodes": {}, "taken_at": 1.0})
    snapshot_id, _at, data = journal.latest_snapshot()
    assert snapshot_id == 1 and data == {"nodes": {}, "taken_at": 1.0}


def test_a_second_holder_is_refused_naming_the_first_pid(journal: Journal) -> None:
    code = ("import sys, time\nfrom hamnhw.failover.journal import Journal\n"
            "j = Journal.open(sys.argv[1])\nwith j.lock():\n"
            "    print('locked', flush=True)\n    time.sleep(30)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(journal.path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(JournalBusy) as info, journal.lock():
            pass
        assert info.value.pid == holder.pid
        assert f"pid {holder.pid}" in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    with journal.lock():  # the kernel dropped the dead holder's lock
        pass


def test_a_damaged_journal_says_how_to_repair_it_and_not_to_move_it_aside(tmp_path: Path) -> None:
    """Outside review: a damaged file's error only said to fix permissions or the version;
    moving it aside loses the disks-moved fact the old node's guard stands on."""
    import sqlite3

    from hamnhw.failover.journal import Journal, JournalError, damage_remedy

    path = tmp_path / "pair.journal.sqlite"
    path.write_bytes(b"not a journal at all " * 300)
    with pytest.raises(JournalError) as error:
        Journal.open(path, create=False)
    assert "the file is damaged" in str(error.value) and ".recover" in str(error.value)
    assert "do not delete or move it aside" in str(error.value)
    assert damage_remedy(sqlite3.OperationalError("unable to open database file")) == ""
    assert damage_remedy(PermissionError("denied")) == ""
