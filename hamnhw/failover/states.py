"""The run's states and the transitions allowed between them: one explicit table.

A run's state names the step it runs next (or is running); a stop keeps the state and
records a ``stop_reason``, so that ``resume`` runs that step again.  Once the operator said
the disks are moved (the run's ``disks_moved_by`` fact, kept even when a failed verification
sends the run back to ``awaiting_disks``), the old node is never powered on again by hamnhw
within that run, unless ``abort --power-on-old-node`` reads every MN drive back in it from a
drive list that is fresh (see :mod:`hamnhw.failover.abort`).

``abort`` goes through ``aborting`` (journaled, resumable by running ``abort`` again) to
``aborted``, from any unfinished state.
"""

from __future__ import annotations

import enum

from hamnhw.errors import HamnhwError


class State(enum.StrEnum):
    """Where a run is."""

    PREFLIGHT = "preflight"
    FENCE = "fence"
    OPERATOR = "operator"
    AWAITING_DISKS = "awaiting_disks"
    VERIFY = "verify"
    BOOT = "boot"
    CHECK = "check"
    FINISH = "finish"
    DONE = "done"
    ABORTING = "aborting"
    ABORTED = "aborted"
    REFUSED = "refused"


TRANSITIONS: dict[State, frozenset[State]] = {
    # ABORTED straight from preflight: a dry run
    State.PREFLIGHT: frozenset({State.FENCE, State.REFUSED, State.ABORTED, State.ABORTING}),
    State.FENCE: frozenset({State.OPERATOR, State.ABORTING}),
    State.OPERATOR: frozenset({State.AWAITING_DISKS, State.VERIFY, State.ABORTING}),
    State.AWAITING_DISKS: frozenset({State.VERIFY, State.ABORTING}),
    # wrong drives: the target is powered off again and the operator re-seats them
    State.VERIFY: frozenset({State.BOOT, State.AWAITING_DISKS, State.ABORTING}),
    State.BOOT: frozenset({State.CHECK, State.ABORTING}),
    State.CHECK: frozenset({State.FINISH, State.ABORTING}),
    State.FINISH: frozenset({State.DONE, State.ABORTING}),
    State.ABORTING: frozenset({State.ABORTED}),
    State.DONE: frozenset(),
    State.ABORTED: frozenset(),
    State.REFUSED: frozenset(),
}
"""Every allowed transition; anything else is a bug and raises :class:`BadTransition`."""

TERMINAL = frozenset({State.DONE, State.ABORTED, State.REFUSED})
"""States a run never leaves."""

DISKS_MOVED_STATES = frozenset({State.VERIFY, State.BOOT, State.CHECK, State.FINISH,
                                State.DONE})
"""States in which the disks are journaled as moved into the target (a run may also have
left them again: see the ``disks_moved_by`` fact)."""

BOOTED_STATES = frozenset({State.CHECK, State.FINISH})
"""States in which the target was booted from the MN disks."""

ORDER: tuple[State, ...] = (State.PREFLIGHT, State.FENCE, State.OPERATOR, State.AWAITING_DISKS,
                            State.VERIFY, State.BOOT, State.CHECK, State.FINISH, State.DONE)
"""The happy path, in order."""


class BadTransition(HamnhwError):
    """A transition the table does not allow (a coordinator bug, never a BMC's fault)."""


def check_transition(current: State, new: State) -> None:
    """Raise :class:`BadTransition` unless ``current -> new`` is in :data:`TRANSITIONS`."""
    if new not in TRANSITIONS[current]:
        raise BadTransition(f"transition {current.value} -> {new.value} is not allowed")
