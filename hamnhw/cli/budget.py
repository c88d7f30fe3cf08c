"""The time budget of one one-shot command: ``--timeout S`` bounds all of it.

Connecting, the action, its wait and the logout share one :class:`CommandDeadline` of
``S`` seconds, started before anything is sent.  A wait (a power change) ends
:data:`LOGOUT_RESERVE_S` before the deadline, so that the logout still fits in ``S``;
for a longer wait, ``--timeout`` is the one knob.  Once SIGINT or SIGTERM was received
the deadline reads as expired: whatever still runs (the logout) gets only its short grace.
"""

from __future__ import annotations

from hamnhw import interrupts
from hamnhw.connection import Timeouts
from hamnhw.deadline import Deadline
from hamnhw.transport.session import logout_grace

LOGOUT_RESERVE_S = logout_grace(Timeouts())
"""Seconds a wait leaves at the end of the command for logging out: the transport's
logout grace with the default connect and read timeouts (5 s)."""


class CommandDeadline(Deadline):
    """A :class:`~hamnhw.deadline.Deadline` that has run out once a signal was received."""

    def left(self) -> float:
        """Seconds left; at most 0 after SIGINT or SIGTERM."""
        left = super().left()
        return min(left, 0.0) if interrupts.received() is not None else left


class CommandBudget:
    """``seconds`` for the whole command, from now.

    :param seconds: ``--timeout``, else the node's config ``timeout``, else the default.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        """The whole command's bound."""
        self.deadline: Deadline = CommandDeadline(seconds)
        """Shared by connecting, the action and the logout."""

    @property
    def longest_wait(self) -> float:
        """The most a wait can get (nothing spent on connecting)."""
        return max(0.0, self.seconds - LOGOUT_RESERVE_S)

    def wait_seconds(self) -> float:
        """What a wait starting now may take: what is left, minus the logout's reserve."""
        return max(0.0, self.deadline.left() - LOGOUT_RESERVE_S)
