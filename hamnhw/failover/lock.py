"""One coordinator at a time: an ``fcntl`` lock beside the journal, naming its holder.

The kernel drops the lock when its holder dies (even by SIGKILL), so a crash never
leaves the pair locked; the unfinished run in the journal is what blocks a new start.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from hamnhw.errors import HamnhwError


class JournalBusy(HamnhwError):
    """Another process holds the journal.

    :param pid: the holder's pid as it wrote it, or None when unreadable.
    """

    def __init__(self, path: Path, pid: int | None) -> None:
        self.pid = pid
        holder = f"pid {pid} (probably)" if pid else "another process"
        super().__init__(f"the failover journal {path} is in use by {holder}: one coordinator "
                         "at a time (wait for it, or stop it)")


class JournalLock:
    """``with JournalLock(path):`` holds an exclusive, non-blocking lock on ``path``.

    :raises JournalBusy: another process holds it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> JournalLock:
        """Take the lock and write this process's pid into the file."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise _unwritable(self.path, exc) from exc
        if not _lock_within(fd, BUSY_GRACE_S):
            os.close(fd)
            raise JournalBusy(self.path, live_holder(self.path)) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            os.fsync(fd)
        except OSError as exc:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            raise _unwritable(self.path, exc) from exc
        self._fd = fd
        return self

    def release(self) -> None:
        """Drop the lock (the pid stays in the file; it means nothing without the lock)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JournalLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _unwritable(path: Path, exc: OSError) -> HamnhwError:
    from hamnhw.failover.journal import JournalError

    return JournalError(f"the journal lock {path} cannot be written ({exc.strerror}): the "
                        "journal directory must be writable (nothing was done)")


BUSY_GRACE_S = 0.5
"""How long a coordinator tries the lock before it is busy: ``failover status`` holds a
shared lock for an instant (:func:`held`), which must not refuse a start."""


def _lock_within(fd: int, seconds: float) -> bool:
    """Take the exclusive lock on ``fd``, trying for up to ``seconds``."""
    end = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= end:
                return False
            time.sleep(0.02)


def live_holder(path: Path) -> int | None:
    """The pid in the lock file when that process is alive (the holder, probably); None
    when it is not (the pid of a coordinator gone, maybe reused) or not known."""
    pid = holder_pid(path)
    if pid is None:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def holder_pid(path: Path) -> int | None:
    """The pid written in a lock file, or None."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def held(path: Path) -> bool | None:
    """Whether a process holds the lock on ``path`` now: a shared lock tried without waiting
    and dropped at once (the holder's exclusive lock refuses it).  A missing file: nobody
    (no coordinator ever ran); None: the file cannot be opened (cannot be told).

    Only for a reader that must not wait (``failover status``): for the instant it holds the
    shared lock a starting coordinator is refused as busy."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
