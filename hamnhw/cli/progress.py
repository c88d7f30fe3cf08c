"""How a command shows its waits (power changes, RAID jobs, the failover) on stderr.

The one poller (:func:`hamnhw.poll.poll_until`) reports every read to the reporter that
:func:`hamnhw.progress.reporting` installed; a command installs :func:`reporter_for`'s:

* ``--json``: nothing;
* stderr is a terminal: a live line per wait (what, last state, elapsed, budget) and a
  summary line when the wait ends (:class:`LiveReporter`, drawn with ``rich``, which is
  imported only when the first wait starts: ``--help`` and ``import hamnhw`` never load it);
* otherwise: one INFO log line per state change (:class:`~hamnhw.progress.LogReporter`,
  shown with ``--log-level info``).

The reporter is wrapped in :class:`LastUpdate`, which remembers the last state read for
an interrupted command's error object.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import IO, Any

from hamnhw.progress import LogReporter, ProgressReporter, SilentReporter, WaitUpdate

REFRESH_PER_SECOND = 4
"""How often the live line redraws (the elapsed time ticks between two reads)."""


def is_terminal(stream: IO[str]) -> bool:
    """True for an interactive terminal that can redraw a line (not ``TERM=dumb``)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class LastUpdate:
    """Forwards to ``inner`` and remembers the last update (thread-safe enough: one
    assignment)."""

    def __init__(self, inner: ProgressReporter) -> None:
        self.inner = inner
        self.last: WaitUpdate | None = None
        """The last update of any wait, or None before the first read."""

    @property
    def last_state(self) -> str | None:
        """The last state a wait read, as text, or None."""
        return self.last.state if self.last else None

    def update(self, update: WaitUpdate) -> None:
        """Remember, then forward."""
        self.last = update
        self.inner.update(update)

    def finish(self, update: WaitUpdate, ok: bool) -> None:
        """Remember, then forward."""
        self.last = update
        self.inner.finish(update, ok)

    def close(self) -> None:
        """Close the inner reporter when it draws something."""
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()


def reporter_for(json_output: bool, stream: IO[str] | None = None) -> LastUpdate:
    """The reporter of one command; call its ``close()`` when the command ends."""
    err = sys.stderr if stream is None else stream
    inner: ProgressReporter
    if json_output:
        inner = SilentReporter()
    elif is_terminal(err):
        inner = LiveReporter(err)
    else:
        inner = LogReporter()
    return LastUpdate(inner)


class _Line:
    """One wait's live line; rendered by rich on every refresh, so elapsed ticks."""

    def __init__(self, update: WaitUpdate) -> None:
        self.update = update
        self.received = time.monotonic()

    def text(self) -> str:
        update = self.update
        elapsed = update.elapsed_s + (time.monotonic() - self.received)
        if update.budget_s is not None:
            elapsed = min(elapsed, update.budget_s)
        percent = f" {update.percent}%" if update.percent is not None else ""
        budget = f" of {update.budget_s:.0f} s" if update.budget_s is not None else ""
        return f"{update.what}: {update.state}{percent}  {elapsed:.1f} s{budget}"


def summary(update: WaitUpdate, ok: bool) -> str:
    """The line left on the terminal when a wait ends."""
    if ok:
        return f"{update.what}: {update.state} after {update.elapsed_s:.1f} s"
    return f"{update.what}: gave up at {update.state} after {update.elapsed_s:.1f} s"


class LiveReporter:
    """Live lines on a terminal, one per running wait, then a summary line each.

    :param stream: the terminal (stderr).
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._lines: dict[str, _Line] = {}
        self._lock = threading.Lock()
        self._drawing = threading.Lock()
        self._live: Any = None
        self._console: Any = None

    def update(self, update: WaitUpdate) -> None:
        """Start or refresh the line of ``update.what``."""
        with self._lock:  # never held while calling rich: its refresh thread takes it
            line = self._lines.get(update.what)
            if line is None:
                self._lines[update.what] = _Line(update)
            else:
                line.update, line.received = update, time.monotonic()
        self._start()

    def finish(self, update: WaitUpdate, ok: bool) -> None:
        """Replace the line by its summary; stop drawing when no wait is left."""
        with self._lock:
            self._lines.pop(update.what, None)
            left = bool(self._lines)
        if not left:
            self._stop()
        if self._console is not None:
            self._console.print(summary(update, ok), markup=False, highlight=False)

    def close(self) -> None:
        """Clear the live lines (an interrupted or failed command)."""
        with self._lock:
            self._lines.clear()
        self._stop()

    def __rich__(self) -> Any:
        from rich.text import Text

        with self._lock:
            texts = [line.text() for line in self._lines.values()]
        return Text("\n".join(texts))

    def _start(self) -> None:
        with self._drawing:
            if self._live is not None:
                return
            from rich.console import Console
            from rich.live import Live

            if self._console is None:
                self._console = Console(file=self.stream, stderr=True, highlight=False)
            self._live = Live(self, console=self._console, transient=True,
                              refresh_per_second=REFRESH_PER_SECOND,
                              redirect_stdout=False, redirect_stderr=False)
            self._live.start()

    def _stop(self) -> None:
        with self._drawing:
            live, self._live = self._live, None
        if live is not None:
            live.stop()
