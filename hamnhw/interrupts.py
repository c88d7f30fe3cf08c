"""Stopping on SIGINT and SIGTERM: at once, or at a safe point.

Automation stops commands with SIGTERM (``timeout(1)``, systemd, Ansible), people with
Ctrl-C.  A process chooses one of two reactions, per process and from the main thread:

* :func:`interruptible` (one-shot commands): the first signal raises
  :class:`~hamnhw.errors.Interrupted` in the main thread where it is, so a wait, a hung
  request or a prompt ends at once and the ``finally`` blocks run (the Redfish session is
  logged out).  Later signals are ignored, so that this bounded clean-up completes.
* :func:`stopping` (servers: ``hamnhw sim``, an exporter, an event listener): a signal
  sets an event; the server stops cleanly and the process exits 0.

Safe points, for work that must not be cut in half (a failover journal entry)::

    with interrupts.interruptible():
        for step in steps:
            with interrupts.deferred():      # a signal in here is held ...
                journal.write(step)          # ... and raised when the block ends
            interrupts.check()               # or raised here, between two steps
            step.run()

:func:`deferred` and :func:`check` work in any thread (a signal only ever raises in the
main thread; a worker thread sees it at its next :func:`check`) and do nothing when no
signal was received, so library code may call them whether or not a process installed
handlers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

from hamnhw.errors import Interrupted
from hamnhw.log import get_logger

LOG = get_logger("hamnhw.interrupts")

SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)
"""The signals handled."""


@dataclasses.dataclass
class _State:
    """What the handlers saw; touched by the main thread (handlers run there)."""

    mode: str | None = None
    """``"raise"`` (:func:`interruptible`), ``"stop"`` (:func:`stopping`) or None."""
    signum: int | None = None
    """The first signal received since handlers were installed."""
    raised: bool = False
    """True once :class:`Interrupted` was raised for it in the main thread."""
    held: int = 0
    """Depth of :func:`deferred` blocks in the main thread."""
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)
    """Set by a signal in ``stop`` mode."""
    on_held: list[Callable[[], None]] = dataclasses.field(default_factory=list)
    """Called when a signal arrives inside :func:`deferred` blocks that asked for it."""


_STATE = _State()


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    first = _STATE.signum is None
    if first:
        _STATE.signum = signum
    if _STATE.mode == "stop":
        _STATE.stop.set()
        return
    if first and _STATE.held == 0:
        _STATE.raised = True
        raise Interrupted(signum)
    # Held by deferred() (raised when it ends), or a second signal during clean-up; the
    # blocks that asked are told of each (telling twice is harmless, missing one is not).
    if _STATE.held:
        for hurry in list(_STATE.on_held):
            try:
                hurry()
            except Exception as exc:  # a handler must not fail; the signal is still held
                LOG.debug("while holding %s: %s", signum, exc)


def received() -> int | None:
    """The signal received since handlers were installed, else None."""
    return _STATE.signum


def check() -> None:
    """A safe point: raise :class:`Interrupted` if a signal was received.

    :raises Interrupted: every time it is called after a signal (from any thread; only the
        main thread's counts as raised, so that a worker's does not drop a signal the main
        thread holds in :func:`deferred`).
    """
    signum = _STATE.signum
    if signum is not None and _STATE.mode != "stop":
        if threading.current_thread() is threading.main_thread():
            _STATE.raised = True
        raise Interrupted(signum)


@contextlib.contextmanager
def deferred(on_signal: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold signals inside the block; raise :class:`Interrupted` when it ends if one came.

    Blocks nest; the signal is raised when the outermost one ends, even when the block
    ends with another exception (which becomes the ``__context__``).

    :param on_signal: called (in the main thread, from the signal handler: it must be
        quick and take no lock the main thread may hold) when a signal arrives while the
        main thread is inside this block: to make what the block waits for end sooner.
    """
    if threading.current_thread() is not threading.main_thread():
        try:
            yield
        finally:
            check()
        return
    _STATE.held += 1
    if on_signal is not None:
        _STATE.on_held.append(on_signal)
    try:
        yield
    finally:
        if on_signal is not None:
            _STATE.on_held.remove(on_signal)
        _STATE.held -= 1
        if _STATE.held == 0 and _STATE.signum is not None and not _STATE.raised:
            check()


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Raise :class:`Interrupted` at the first SIGINT or SIGTERM inside the block.

    Outside the main thread (where Python cannot install handlers) nothing is installed.
    """
    with _installed("raise"):
        yield


@contextlib.contextmanager
def stopping() -> Iterator[threading.Event]:
    """Turn SIGINT and SIGTERM into an event for the block (a server's main loop).

    ::

        with interrupts.stopping() as stop:
            server.start()
            wait_until(stop)
        server.stop()        # exit 0

    A signal received in the block is consumed: it does not raise afterwards.
    """
    with _installed("stop"):
        yield _STATE.stop


def wait_until(stop: threading.Event, poll_s: float = 0.5) -> None:
    """Block until ``stop`` is set (by a signal, see :func:`stopping`)."""
    while not stop.wait(poll_s):
        pass


@contextlib.contextmanager
def _installed(mode: str) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        LOG.debug("not the main thread: SIGINT/SIGTERM handlers not installed")
        yield
        return
    saved = dataclasses.replace(_STATE)
    _STATE.mode, _STATE.signum, _STATE.raised, _STATE.held = mode, None, False, 0
    _STATE.stop = threading.Event()
    previous = {sig: signal.signal(sig, _on_signal) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        # The signal was dealt with inside (raised, or it stopped the server): whatever
        # encloses the block sees the state it had before.
        _STATE.mode, _STATE.signum, _STATE.raised, _STATE.held, _STATE.stop = (
            saved.mode, saved.signum, saved.raised, saved.held, saved.stop)
