"""``hamnhw.orphan``: how a process tells that whoever started it is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hamnhw import orphan

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc")


def test_ancestry_is_the_nearest_parents_and_breaks_when_one_ends() -> None:
    chain = orphan.ancestry()
    assert chain and chain[0][0] == os.getppid()
    assert len(chain) <= orphan.ANCESTRY_DEPTH
    assert not orphan.ancestry_broken(chain)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ours = orphan.ancestry(child.pid)
        assert ours[0][0] == os.getpid() and not orphan.ancestry_broken(ours)
        fake = [(child.pid, os.getpid(), "0")]           # another start time: a reused pid
        assert orphan.ancestry_broken(fake)
    finally:
        child.kill()
        child.wait()
    assert orphan.ancestry_broken([(child.pid, os.getpid(), ours[0][2])])


def test_a_pipe_whose_reader_closed() -> None:
    read, write = os.pipe()
    try:
        assert not orphan.reader_gone(write)
        os.close(read)
        assert orphan.reader_gone(write)
    finally:
        os.close(write)
    with open(os.devnull, "w") as devnull:        # not a pipe: never "gone"
        assert not orphan.reader_gone(devnull.fileno())
