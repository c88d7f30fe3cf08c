"""Progress of waits: one reporter per operation, found through a context variable.

The poller (:func:`hamnhw.poll.poll_until`) reports every read to :func:`current`; nothing
in the library prints.  The CLI installs a reporter for the command (a live line on a TTY,
one INFO log line per state change otherwise, nothing with ``--json``) with
:func:`reporting`; library users may install their own.  The default reporter logs state
changes at INFO, so a library user sees nothing unless they configured logging.

A reporter must be cheap and must never raise: it is called between two reads of a BMC.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Iterator
from typing import Protocol

from hamnhw.log import get_logger

LOG = get_logger("hamnhw.progress")


@dataclasses.dataclass(frozen=True)
class WaitUpdate:
    """One read during a wait."""

    what: str
    """What is waited for, e.g. ``"primary: power off"``."""
    state: str
    """The last state read, as text (``"powering_off"``, ``"rebuilding 41%"``)."""
    elapsed_s: float
    """Seconds since the wait started."""
    budget_s: float | None
    """The wait's bound in seconds, or None when it has none (a rebuild)."""
    percent: int | None = None
    """Progress the BMC reported, when it did."""


class ProgressReporter(Protocol):
    """Receives the updates of the waits of one operation."""

    def update(self, update: WaitUpdate) -> None:
        """A read was made (called on every poll)."""

    def finish(self, update: WaitUpdate, ok: bool) -> None:
        """The wait ended: reached (``ok``) or given up."""


class LogReporter:
    """One INFO log line per state change and one at the end (not a TTY, library default)."""

    def __init__(self) -> None:
        self._last: dict[str, str] = {}

    def update(self, update: WaitUpdate) -> None:
        """Log the state when it changed since the last read of the same wait."""
        if self._last.get(update.what) != update.state:
            self._last[update.what] = update.state
            LOG.info("%s: %s (%.1f s%s)", update.what, update.state, update.elapsed_s,
                     _budget(update.budget_s))

    def finish(self, update: WaitUpdate, ok: bool) -> None:
        """Log how the wait ended."""
        self._last.pop(update.what, None)
        LOG.info("%s: %s %s after %.1f s", update.what, "reached" if ok else "gave up at",
                 update.state, update.elapsed_s)


class SilentReporter:
    """Reports nothing (``--json``)."""

    def update(self, update: WaitUpdate) -> None:
        """Ignore."""

    def finish(self, update: WaitUpdate, ok: bool) -> None:
        """Ignore."""


def _budget(budget_s: float | None) -> str:
    return "" if budget_s is None else f" of {budget_s:.0f} s"


_CURRENT: contextvars.ContextVar[ProgressReporter | None] = contextvars.ContextVar(
    "hamnhw_progress", default=None)


def current() -> ProgressReporter:
    """The reporter of the running operation (a :class:`LogReporter` when none is set)."""
    reporter = _CURRENT.get()
    if reporter is None:
        reporter = LogReporter()
        _CURRENT.set(reporter)
    return reporter


@contextlib.contextmanager
def reporting(reporter: ProgressReporter) -> Iterator[ProgressReporter]:
    """Make ``reporter`` the current one inside the block (per thread and task)."""
    token = _CURRENT.set(reporter)
    try:
        yield reporter
    finally:
        _CURRENT.reset(token)
