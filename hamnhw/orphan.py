"""Stopping a process whose caller is gone, before it sends anything more.

A process started by another one to do a bounded piece of work (an Ansible module run by
an Ansible worker) can outlive its caller: Ansible's task ``timeout:`` keyword fails the
task and ends the worker, but not the module it started, which then goes on alone (its
direct parent, a ``/bin/sh -c``, stays alive, so ``PR_SET_PDEATHSIG`` would not fire).
Left alone, it would still send the write it was about to send, and nobody would read
what it reports.

:func:`stop_when_orphaned` watches, from a daemon thread, for either sign that the caller
is gone:

* standard output is a pipe whose reading end was closed (the caller read the result
  there), which ``poll`` reports as ``POLLERR``;
* a process among the nearest :data:`ANCESTRY_DEPTH` ancestors recorded at the start
  ended, or was re-parented (read from ``/proc``, Linux only; elsewhere the direct parent
  only, through :func:`os.getppid`).

It then sends SIGTERM to the main thread, so that :func:`hamnhw.interrupts.interruptible`
raises :class:`~hamnhw.errors.Interrupted` where the work is (a wait, a hung request):
no later request is sent, and the ``finally`` blocks log the session out.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from hamnhw.log import get_logger

LOG = get_logger("hamnhw.orphan")

ANCESTRY_DEPTH = 4
"""Ancestors watched: an Ansible module's ``sh -c``, its ``sh -c``, the worker and the
``ansible-playbook`` process."""

CHECK_INTERVAL_S = 0.2
"""Seconds between two looks."""

Ancestor = tuple[int, int, str]
"""(pid, parent pid, start time in clock ticks since boot)."""


def _stat(pid: int, proc: Path) -> Ancestor | None:
    """``pid``'s parent and start time from ``/proc/PID/stat``; None when it is gone (or a
    zombie: ended, not yet reaped)."""
    try:
        text = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()   # after "pid (comm) "
    if fields[0] in ("Z", "X"):
        return None
    return pid, int(fields[1]), fields[19]


def ancestry(pid: int | None = None, depth: int = ANCESTRY_DEPTH,
             proc: Path = Path("/proc")) -> list[Ancestor]:
    """The nearest ``depth`` ancestors of ``pid`` (default this process), nearest first,
    stopping before PID 1; empty without ``/proc``."""
    chain: list[Ancestor] = []
    here = _stat(os.getpid() if pid is None else pid, proc)
    while here is not None and len(chain) < depth and here[1] > 1:
        here = _stat(here[1], proc)
        if here is not None:
            chain.append(here)
    return chain


def ancestry_broken(recorded: list[Ancestor], proc: Path = Path("/proc")) -> bool:
    """True when an ancestor of ``recorded`` ended or got another parent."""
    return any(_stat(pid, proc) != (pid, parent, started) for pid, parent, started in recorded)


def reader_gone(fd: int) -> bool:
    """True when ``fd`` is a pipe whose reading end is closed (False for anything else)."""
    try:
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return False
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        return any(event & select.POLLERR for _fd, event in poller.poll(0))
    except (OSError, ValueError):
        return False


def caller_gone_check(fd: int = 1) -> Callable[[], str | None]:
    """A check, built now, that says why the caller is gone (None while it is there)."""
    parent = os.getppid()
    recorded = ancestry()

    def check() -> str | None:
        if reader_gone(fd):
            return "the caller closed the pipe it reads the result from"
        if os.getppid() != parent or ancestry_broken(recorded):
            return "a parent process ended"
        return None

    return check


@contextlib.contextmanager
def stop_when_orphaned(fd: int = 1, interval_s: float = CHECK_INTERVAL_S) -> Iterator[None]:
    """Inside the block, SIGTERM the main thread once the caller is gone (see the module
    docstring); use it inside :func:`hamnhw.interrupts.interruptible`.

    :param fd: the descriptor the caller reads the result from (standard output).
    """
    check = caller_gone_check(fd)
    done = threading.Event()
    main = threading.main_thread().ident

    def watch() -> None:
        while not done.wait(interval_s):
            why = check()
            if why is not None:
                LOG.warning("stopping: %s", why)
                if main is not None:
                    signal.pthread_kill(main, signal.SIGTERM)
                return

    watcher = threading.Thread(target=watch, name="stop-when-orphaned", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
