"""Step 3, the operator moves the disks: identify LEDs on, a work order, both BMC sessions
logged out first (sessions expire during a physical move), then the operator's word.

On a terminal the operator confirms interactively; otherwise the run waits (exit 10) for
``hamnhw failover resume --disks-moved``.  At that resume the old node must still read off.
"""

from __future__ import annotations

from typing import Any

from hamnhw.errors import HamnhwError
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.gates import old_node_off
from hamnhw.failover.hostview import bays_taken
from hamnhw.failover.journal_records import resume_command
from hamnhw.failover.operator import DriveMove, MissingDrives, WorkOrder
from hamnhw.failover.states import State


def prepare(ctx: RunContext) -> None:
    """Identify LEDs on, the work order into the run's facts, log out of both BMCs."""
    serials: dict[str, str | None] = {}
    for name in (ctx.source, ctx.target):
        serials[name] = _identify(ctx, name, True)
    order = _work_order(ctx, serials)
    ctx.remember(work_order=order_json(order))
    ctx.logout()
    ctx.transition(State.AWAITING_DISKS)


def await_disks(ctx: RunContext) -> None:
    """Ask for the move (or take ``--disks-moved``); then the old node must still be off.

    :raises Stop: waiting for the operator (exit 10), or the old node is not off.
    """
    order = order_from_json(ctx.facts["work_order"])
    if not (ctx.options.disks_moved or ctx.operator.move_disks(order)):
        raise Stop(f"waiting for the disks to be moved from {ctx.source} into {ctx.target}; "
                   "then run `hamnhw failover resume --disks-moved`", waiting=True)
    old_node_off(ctx, "disks", f"entry#{ctx.entries(State.AWAITING_DISKS)}")
    ctx.event("step", f"disks moved from {ctx.source} into {ctx.target}, said "
                      f"{ctx.operator.identity()}")
    ctx.remember(disks_moved_by=ctx.operator.identity(), disks_moved_at=ctx.journal.now())
    ctx.transition(State.VERIFY)


def missing_drives(ctx: RunContext, serials: list[str], reason: str) -> MissingDrives:
    """What a partial mirror needs: ``serials`` (with their bays in the old node, from the
    work order) moved from the old node into the target, or ``--accept-degraded``."""
    bays = {d.get("serial"): d.get("bay") for d in ctx.facts.get("mn_drives") or ()}
    return MissingDrives(ctx.source, ctx.target,
                         tuple(DriveMove(serial, bays.get(serial)) for serial in serials),
                         reason, f"partial_mirror#{ctx.entries(State.VERIFY)}")


def identify_off(ctx: RunContext, step: str = "check") -> None:
    """Identify LEDs off on both nodes (best effort; journaled under ``step``)."""
    for name in (ctx.source, ctx.target):
        _identify(ctx, name, False, step)


def _identify(ctx: RunContext, name: str, on: bool, step: str = "operator") -> str | None:
    """Set the LED (journaled; a failure is a warning); returns the chassis serial."""
    try:
        node = ctx.node(name)
        serial = node.inventory.system().serial

        def do() -> dict[str, Any]:
            return {"on": node.management.set_identify(on)}

        ctx.act(step, f"identify_{'on' if on else 'off'}_{name}",
                name, {"on": on}, do,
                lambda _i: {"on": node.management.get_identify()})
        return serial
    except HamnhwError as exc:
        ctx.warn(f"{name}: identify LED not turned {'on' if on else 'off'}: {exc}")
        return None


def _work_order(ctx: RunContext, serials: dict[str, str | None]) -> WorkOrder:
    drives = ctx.facts.get("mn_drives") or []
    moving = {d["serial"] for d in drives}
    try:  # an MN drive it held at its last POST left it since: not counted
        taken = bays_taken(ctx.node(ctx.target), frozenset(moving))
    except HamnhwError:
        taken = None
    warnings = []
    if ctx.facts.get("forced"):
        warnings.append(f"{ctx.source} was forced off: its caches may not have been flushed")
    if ctx.facts.get("fenced_by") == "acknowledgement":
        warnings.append(f"{ctx.source} is fenced by your acknowledgement (power cords pulled): "
                        "keep them out")
    return WorkOrder(ctx.run.id, ctx.source, ctx.target, serials.get(ctx.source),
                     serials.get(ctx.target),
                     tuple(DriveMove(d["serial"], d.get("bay")) for d in drives), taken,
                     tuple(warnings), resume_command(ctx.run.kind),
                     ctx.settings.disk_move_steps)


def order_json(order: WorkOrder) -> dict[str, Any]:
    """A work order as journal JSON."""
    from hamnhw.models import to_jsonable

    return dict(to_jsonable(order))


def order_from_json(data: dict[str, Any]) -> WorkOrder:
    """Inverse of :func:`order_json`."""
    values = dict(data)
    values["drives"] = tuple(DriveMove(**d) for d in values["drives"])
    taken = values.get("target_bays_taken")
    values["target_bays_taken"] = None if taken is None else tuple(taken)
    values["warnings"] = tuple(values.get("warnings") or ())
    values["steps"] = tuple(values.get("steps") or ())
    return WorkOrder(**values)
