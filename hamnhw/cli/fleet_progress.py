"""What the fan-out's progress bar (:class:`hamnhw.cli.fleet_views.TableView`) says besides
its count: once :data:`QUIET_S` seconds pass without a node finishing, the nodes it still
waits for, the longest running first (at most :data:`NAMED`, then ``+N more``)::

    nodes ━━━━━━━━━━━━━━━━━━━━━━━━━━━━╸━━━  89% 0:00:04 waiting for node017, node142 +1 more

A hung BMC is then named on the terminal while the others are done, instead of a bar that
sits at 89%.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

QUIET_S = 3.0
"""Seconds without a node finishing before the running ones are named."""
NAMED = 3
"""At most this many names; the others are counted."""


class Running:
    """The nodes under way and when one last finished.  Thread-safe: nodes start in their
    own threads, end in the main thread, and the bar is drawn in rich's.

    :param clock: monotonic seconds (tests inject their own).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, *,
                 quiet_s: float = QUIET_S, named: int = NAMED) -> None:
        self._clock, self._quiet_s, self._named = clock, quiet_s, named
        self._lock = threading.Lock()
        self._running: dict[str, None] = {}  # in the order they started
        self._since = clock()

    def started(self, name: str) -> None:
        """``name`` is under way."""
        with self._lock:
            self._running[name] = None

    def ended(self, name: str) -> None:
        """``name`` finished: progress."""
        with self._lock:
            self._running.pop(name, None)
            self._since = self._clock()

    def waiting(self) -> str:
        """``waiting for a, b, c +2 more`` after :data:`QUIET_S` seconds without progress,
        else nothing."""
        with self._lock:
            if not self._running or self._clock() - self._since < self._quiet_s:
                return ""
            names = list(self._running)
        more = f" +{len(names) - self._named} more" if len(names) > self._named else ""
        return f"waiting for {', '.join(names[:self._named])}{more}"


def waiting_column(running: Running) -> Any:
    """A rich progress column showing :meth:`Running.waiting` (rendered at each refresh)."""
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class Waiting(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(running.waiting(), style="progress.description")

    return Waiting()
