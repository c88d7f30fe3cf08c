"""The run's states and the transitions allowed between them: one explicit table.

A run's state names the step it runs next (or is running); a stop keeps the state and
records a ``stop_reason``, so that ``resume`` runs that step again.  Once a run is past
:data:`DISKS_MOVED_STATES`' first member, the disks are journaled as moved: the old node is
never powered on again by hamnhw within that run.
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
    ABORTED = "aborted"
    REFUSED = "refused"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.PREFLIGHT: frozenset({State.FENCE, State.REFUSED, State.ABORTED}),
    State.FENCE: frozenset({State.OPERATOR, State.ABORTED}),
    State.OPERATOR: frozenset({State.AWAITING_DISKS, State.VERIFY, State.ABORTED}),
    State.AWAITING_DISKS: frozenset({State.VERIFY, State.ABORTED}),
    # wrong drives: the target is powered off again and the operator re-seats them
    State.VERIFY: frozenset({State.BOOT, State.AWAITING_DISKS, State.ABORTED}),
    State.BOOT: frozenset({State.CHECK, State.ABORTED}),
    State.CHECK: frozenset({State.FINISH, State.ABORTED}),
    State.FINISH: frozenset({State.DONE}),
    State.DONE: frozenset(),
    State.ABORTED: frozenset(),
    State.REFUSED: frozenset(),
}
"""Every allowed transition; anything else is a bug and raises :class:`BadTransition`."""

TERMINAL = frozenset({State.DONE, State.ABORTED, State.REFUSED})
"""States a run never leaves."""

DISKS_MOVED_STATES = frozenset({State.VERIFY, State.BOOT, State.CHECK, State.FINISH,
                                State.DONE})
"""States in which the disks are journaled as moved into the target."""

ORDER: tuple[State, ...] = (State.PREFLIGHT, State.FENCE, State.OPERATOR, State.AWAITING_DISKS,
                            State.VERIFY, State.BOOT, State.CHECK, State.FINISH, State.DONE)
"""The happy path, in order."""


class BadTransition(HamnhwError):
    """A transition the table does not allow (a coordinator bug, never a BMC's fault)."""


def check_transition(current: State, new: State) -> None:
    """Raise :class:`BadTransition` unless ``current -> new`` is in :data:`TRANSITIONS`."""
    if new not in TRANSITIONS[current]:
        raise BadTransition(f"transition {current.value} -> {new.value} is not allowed")
