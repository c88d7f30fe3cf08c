"""The moved RAID1 must show as a volume on the target; a foreign one is imported through
:attr:`Node.raid <hamnhw.node.Node.raid>` (journaled), never cleared.

A driver that cannot import (generic Redfish has no standard action) raises
:class:`~hamnhw.errors.UnsupportedOperation`: the check fails with that message, and the run
stops with the target off again, for the operator to import it in the controller's setup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hamnhw.errors import HamnhwError, UnsupportedOperation
from hamnhw.failover.engine import RunContext
from hamnhw.models import RaidType
from hamnhw.node import Node

STEP = "verify"


def mn_volume(node: Node, present: list[str]) -> str | None:
    """The name of the target's RAID1 volume built on the present MN drives, or None."""
    storage = node.raid.storage()
    serial_of = {d.id: d.serial for d in storage.drives or ()}
    for volume in storage.volumes or ():
        members = {serial_of.get(i) for i in volume.drive_ids or ()}
        if volume.raid_type is RaidType.RAID1 and members & set(present):
            return f"{volume.name or volume.id} ({volume.health.value})"
    return None


def volume_visible(ctx: RunContext, present: list[str],
                   stop: Callable[..., Any]) -> None:
    """Check that the MN RAID1 shows; import it when it shows as foreign.

    :param stop: ``stop(reason, back_to_disks=False)`` powers the target off and stops.
    """
    node = ctx.node(ctx.target)
    found = mn_volume(node, present)
    if found is not None:
        ctx.check("verify: MN RAID1 volume visible", True, found)
        return
    try:
        foreign = node.raid.foreign()
    except UnsupportedOperation:
        foreign = None
    described = ("unknown" if foreign is None else
                 ", ".join(d.serial or d.id for d in foreign) or "none")
    ctx.event("step", f"{ctx.target} shows no MN RAID1 volume; foreign drives: {described}; "
                      "importing the foreign configuration (never clearing it)")
    try:
        ctx.act(STEP, "import_foreign", ctx.target, {"foreign": described},
                lambda: _import(ctx, node), lambda _intent: _imported(node, present))
        found = mn_volume(node, present)
        if found is None:
            raise UnsupportedOperation(node.detection.driver, "raid.import_foreign",
                                       host=node.address.netloc,
                                       detail="the import ended but no MN RAID1 volume shows")
    except HamnhwError as exc:
        ctx.check("verify: foreign volume import", False, str(exc))
        stop(f"the MN RAID1 does not show on {ctx.target} (foreign configuration?) and could "
             f"not be imported: {exc}", back_to_disks=False)
    ctx.check("verify: foreign volume import", True, f"imported: {found}")


def _import(ctx: RunContext, node: Node) -> dict[str, Any]:
    job = node.raid.import_foreign()
    ctx.sent()
    status = job.wait(ctx.poll, ctx.poll.deadline(ctx.settings.post_timeout))
    return {"job": job.id, "state": status.state.value}


def _imported(node: Node, present: list[str]) -> dict[str, Any] | None:
    found = mn_volume(node, present)
    return None if found is None else {"volume": found}
