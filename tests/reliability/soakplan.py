"""The soak's random fault schedules and what each fault must lead to.

A schedule is drawn per leg (a failover or a failback) from one ``random.Random(seed)``, so a
seed replays the same faults, disk moves, kills and world events.  :data:`EXPECTED` is the
table ``docs/reliability.md`` shows: for each fault class, the outcomes a leg may stop at
before the operator's next action (the harness then acts as an honest operator would and
resumes); every leg must end ``done`` or ``aborted`` (the operator chose to abort).
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

TRANSIENT = "transient"

EXPECTED: dict[str, tuple[str, frozenset[str]]] = {
    # class: (what the operator sees, allowed stops besides waiting for the disks)
    "latency": ("done", frozenset()),
    "5xx": ("done", frozenset()),
    "401": ("done", frozenset()),
    "kill": ("done (after resume; a power-on cut off by the kill needs its resend confirmed)",
             frozenset({"killed", "waiting:ack:resend_power_on"})),
    "stale_inventory": ("done", frozenset()),
    "no_post_detail": ("done", frozenset()),
    "unconfirmed_fence": ("waiting for the operator's acknowledgement (power cords pulled): "
                          "the old node ignores every reset, or its AlwaysOff is refused",
                          frozenset({"waiting:ack:cords_pulled"})),
    "ignored_reset_target": ("stopped: the target never came up / POST never seen",
                             frozenset({"stopped"})),
    "self_power_on": ("stopped, waiting for the acknowledgement (old node back on)",
                      frozenset({"waiting:ack:cords_pulled"})),
    "drive_mixup": ("stopped: unknown, missing or unreadable drives named; target off again",
                    frozenset({"stopped", "waiting:ack:serial",
                               "waiting:ack:partial_mirror"})),
    "exhausted_retries": ("stopped with the error (or the fence's acknowledgement when the "
                          "old node's BMC gave up, or refused at preflight)",
                          frozenset({"stopped", "waiting:ack:cords_pulled", "refused"})),
}
"""Fault class -> (expected outcome in words, stops it may cause)."""

DRIVE_MOVES = ("right", "right", "right", "partial", "wrong", "foreign", "unreadable", "none")
"""How the operator moves the disks (weighted towards the right move)."""


@dataclasses.dataclass(frozen=True)
class FaultSpec:
    """One fault to inject into one simulated BMC at the start of a leg."""

    cls: str
    """Fault class (a key of :data:`EXPECTED`)."""
    node: str
    """``source`` or ``target`` (resolved per leg)."""
    kind: str
    """Simulator fault kind."""
    count: int | None = None
    path: str | None = None
    method: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class LegPlan:
    """Everything random about one leg."""

    faults: tuple[FaultSpec, ...]
    drive_move: str
    stale_inventory: bool
    kill_rate: float
    """Chance that an invocation of this leg is SIGKILLed."""
    power_on_event_rate: float
    """Chance, after a stop past the fence, that the old node is powered on by someone."""
    abort_rate: float
    """Chance that the operator aborts at a stop instead of resuming."""
    accept_degraded: bool

    def classes(self) -> set[str]:
        """Fault classes planned (before knowing which fired)."""
        return {f.cls for f in self.faults}


SYSTEM = "/redfish/v1/Systems/1"
RESET = f"{SYSTEM}/Actions/ComputerSystem.Reset"


def plan_leg(rng: random.Random) -> LegPlan:
    """Draw one leg's schedule."""
    faults: list[FaultSpec] = []
    for node in ("source", "target"):
        if rng.random() < 0.3:
            faults.append(FaultSpec("latency", node, "latency", rng.randint(1, 6),
                                    params={"seconds": round(rng.uniform(0.2, 4.0), 2)}))
        if rng.random() < 0.25:
            faults.append(FaultSpec("5xx", node, "error_5xx", rng.randint(1, 3), method="GET",
                                    params={"status": rng.choice([500, 502, 503])}))
        if rng.random() < 0.2:
            faults.append(FaultSpec("401", node, "expire_session", 1))
        if rng.random() < 0.06:
            faults.append(FaultSpec("exhausted_retries", node, "error_5xx", rng.randint(4, 12),
                                    method="GET"))
    if rng.random() < 0.08:
        faults.append(FaultSpec("exhausted_retries", "target", "reset_conflict", 5, RESET))
    if rng.random() < 0.08:
        faults.append(FaultSpec("unconfirmed_fence", "source", "ignore_reset", None, RESET))
    if rng.random() < 0.06:  # the fence's AlwaysOff refused: the cords acknowledgement
        faults.append(FaultSpec("unconfirmed_fence", "source", "refuse_restore_policy", 1,
                                SYSTEM, "PATCH"))
    if rng.random() < 0.06:
        faults.append(FaultSpec("ignored_reset_target", "target", "ignore_reset", 1, RESET))
    if rng.random() < 0.08:
        faults.append(FaultSpec("self_power_on", "source", "power_flap", 1, RESET,
                                params={"after": round(rng.uniform(1.0, 40.0), 1)}))
    return LegPlan(faults=tuple(faults), drive_move=rng.choice(DRIVE_MOVES),
                   stale_inventory=rng.random() < 0.3,
                   kill_rate=rng.choice([0.0, 0.0, 0.25, 0.5]),
                   power_on_event_rate=rng.choice([0.0, 0.0, 0.3]),
                   abort_rate=rng.choice([0.0, 0.0, 0.0, 0.15]),
                   accept_degraded=rng.random() < 0.2)


def expected_stops(classes: set[str]) -> frozenset[str]:
    """The stops a leg may show, given the fault classes that fired."""
    allowed: set[str] = {"waiting:disks"}
    for cls in classes:
        allowed |= EXPECTED[cls][1]
    return frozenset(allowed)
