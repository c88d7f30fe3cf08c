"""The time budget of one one-shot command: ``--timeout S`` bounds all of it.

``S`` seconds, started before anything is sent, split in two, and only in two:

* the work (:attr:`CommandBudget.work`): connecting, the login, the action, its wait and
  every read or write of it share one deadline, :attr:`CommandBudget.reserve` seconds
  before ``S``; none of them has a share of its own, so a single request gets all that is
  left of ``S`` less the reserve (a BMC hanging on the only read of ``power status
  --timeout 4`` is given up after 3 s, not 2);
* the logout gets the reserve (:func:`logout_reserve`: a quarter of ``S``, at least
  :data:`LOGOUT_FLOOR_S` but never more than half of ``S``, at most
  :data:`LOGOUT_RESERVE_S`), and never runs past ``S``, even when connecting spent all of
  the work's share.

A wait (a power change) ends :data:`~hamnhw.poll.LAST_READ_S` before the work does, so
that its last read still has time to answer; for a longer wait, ``--timeout`` is the one
knob.  Once SIGINT or SIGTERM was received the deadlines read as expired: whatever still
runs (the logout) gets only its short grace, counted from then.
"""

from __future__ import annotations

import time

from hamnhw import interrupts
from hamnhw.connection import Timeouts
from hamnhw.deadline import Clock, Deadline
from hamnhw.poll import LAST_READ_S
from hamnhw.transport.session import logout_grace

LOGOUT_RESERVE_S = logout_grace(Timeouts())
"""The most a command keeps at its end for logging out: the transport's logout grace with
the default connect and read timeouts (5 s), kept from a ``--timeout`` of 20 s on."""
LOGOUT_FLOOR_S = 1.0
"""The least a command keeps for logging out (half of a ``--timeout`` under 2 s): one
DELETE on a new connection (the TLS handshake included) to a BMC that answers."""
LOGOUT_SHARE = 0.25
"""The share of a ``--timeout`` between 4 s and 20 s kept for logging out."""


def logout_reserve(seconds: float) -> float:
    """Seconds a command bounded by ``seconds`` keeps for its logout: a quarter of them, at
    least :data:`LOGOUT_FLOOR_S` (half of them under twice that), at most
    :data:`LOGOUT_RESERVE_S`.  ``--timeout 4``: 1 s (the work gets 3 s); 8: 2 s; 20 and
    more: 5 s."""
    floor = min(LOGOUT_FLOOR_S, seconds / 2)
    return min(LOGOUT_RESERVE_S, max(seconds * LOGOUT_SHARE, floor))


class CommandDeadline(Deadline):
    """A :class:`~hamnhw.deadline.Deadline` that has run out once a signal was received,
    and under which a logout ends by ``logout_by`` (the command's end).

    :param logout_by: clock reading by which a logout under this deadline ends (default:
        when this deadline expires); after a signal a logout gets its grace instead.
    """

    def __init__(self, seconds: float, clock: Clock = time.monotonic, *,
                 logout_by: float | None = None) -> None:
        super().__init__(seconds, clock)
        self.logout_by = self.expires if logout_by is None else logout_by

    def left(self) -> float:
        """Seconds left; at most 0 after SIGINT or SIGTERM."""
        left = super().left()
        return min(left, 0.0) if interrupts.received() is not None else left

    def ending_before(self, seconds: float) -> CommandDeadline:
        """A deadline started with this one that ends ``seconds`` before it; a logout under
        it still ends by this one's end."""
        early = CommandDeadline(self.seconds - seconds, self._clock, logout_by=self.expires)
        early.started, early.expires = self.started, self.expires - seconds
        early.stated = self.stated
        return early

    def logout_deadline(self, grace: float) -> Deadline:
        """``grace`` seconds, but never past :attr:`logout_by` (a command ends within its
        ``--timeout``, logout included); after a signal, the whole grace."""
        logout = Deadline(grace, self._clock)
        if interrupts.received() is None and logout.expires > self.logout_by:
            # set, not computed from a second clock reading that would end it a little late
            logout.expires = self.logout_by
            logout.seconds = max(0.0, self.logout_by - logout.started)
        return logout


class CommandBudget:
    """``seconds`` for the whole command, from now.

    :param seconds: ``--timeout``, else the node's config ``timeout``, else the default.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        """The whole command's bound."""
        self.reserve = logout_reserve(seconds)
        """Seconds kept at the end for logging out (:func:`logout_reserve`)."""
        self.deadline = CommandDeadline(seconds)
        """The whole command: nothing runs past it, the logout included."""
        self.work: Deadline = self.deadline.ending_before(self.reserve)
        """Connecting and the action (its wait and reads included); a logout under it
        ends by :attr:`deadline`."""

    @property
    def longest_wait(self) -> float:
        """The most a wait can get (nothing spent on connecting)."""
        return max(0.0, self.seconds - self.reserve - LAST_READ_S)

    def wait_seconds(self) -> float:
        """What a wait starting now may take: what is left of the work, minus the time its
        last read may take (:data:`~hamnhw.poll.LAST_READ_S`)."""
        return max(0.0, self.work.left() - LAST_READ_S)

    def escalate_after(self, seconds: float, wait_seconds: float) -> float:
        """``--escalate-after`` counted from the command's start, for a wait of
        ``wait_seconds`` (:meth:`wait_seconds`) starting now: shorter than the wait exactly
        when ``seconds`` is shorter than :attr:`longest_wait`, the one rule checked before
        anything is sent."""
        return max(0.0, seconds - (self.longest_wait - wait_seconds))
