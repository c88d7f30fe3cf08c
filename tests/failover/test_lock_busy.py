"""The journal lock: ``failover status``'s instant shared lock does not refuse a starting
coordinator, and a busy lock names its holder's pid only while that process lives (diff
review: a monitoring loop's status made a start fail, naming a dead coordinator's pid)."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest

from hamnhw.failover.lock import JournalBusy, JournalLock, held, live_holder


def test_a_status_probe_holding_the_lock_for_an_instant_does_not_refuse_a_start(
        tmp_path: Path) -> None:
    path = tmp_path / "mn.journal.sqlite.lock"
    path.write_text("4242\n")
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH)

    def let_go() -> None:
        time.sleep(0.2)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    threading.Thread(target=let_go).start()
    with JournalLock(path):
        assert held(path) is True
    assert held(path) is False


def test_a_busy_lock_names_only_a_living_holder(tmp_path: Path) -> None:
    path = tmp_path / "mn.journal.sqlite.lock"
    with JournalLock(path):
        assert live_holder(path) == os.getpid()
        with pytest.raises(JournalBusy) as busy:
            JournalLock(path).acquire()
        assert f"pid {os.getpid()} (probably)" in str(busy.value)
    path.write_text("999999999\n")  # a pid no process has
    assert live_holder(path) is None
