"""Importing the MN's moved RAID1 where it shows as a foreign configuration, followed to its
end: the failover's verify step and ``pair setup-raid`` (which moves the disks the other way).

The import is the driver's (:meth:`RaidInterface.import_foreign
<hamnhw.interfaces.RaidInterface.import_foreign>`, never a clear), journaled.  Its job is then
followed, in this order:

1. a staged job (kind ``on-reset``: a PERC 9 or BOSS runs RAID jobs at the next POST) waits
   for the reset the caller performs here, into the controller's setup again (``reset``), so
   the job runs during that POST and never while the OS starts;
2. the job is followed to its end within ``post_timeout``; a failed or cancelled job, or one
   still unfinished then, stops the run with its id and messages;
3. a fresh read must show the MN RAID1: a RAID1 volume whose member serials are the recorded
   MN serials and include every one present.  A job reported done without it (an HPE Smart
   Array's import is a no-op that says so) stops the run too.

After a crash the journal holds the import: it is not sent again, its reset is not sent again,
and step 2 becomes a wait for the volume to show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hamnhw.errors import OperationFailed, WaitTimeout
from hamnhw.failover.engine import RunContext
from hamnhw.jobs import Job
from hamnhw.models import RaidType, Volume
from hamnhw.node import Node
from hamnhw.poll import poll_until

STAGED = "on-reset"
"""The kind of a job that waits for the host's next reset."""


def mn_volume(node: Node, recorded: Sequence[str], present: Sequence[str]) -> Volume | None:
    """A fresh read: the RAID1 volume over the MN's disks (its known member serials are
    recorded MN serials and include every present one), or None."""
    storage = node.raid.storage()
    serial_of = {d.id: d.serial for d in storage.drives or ()}
    for volume in storage.volumes or ():
        members = {s for s in (serial_of.get(i) for i in volume.drive_ids or ()) if s}
        if volume.raid_type is RaidType.RAID1 and set(present) <= members <= set(recorded):
            return volume
    return None


def describe(volume: Volume) -> str:
    """``name (health)`` of a volume, for checks and events."""
    return f"{volume.name or volume.id} ({volume.health.value})"


def import_mn_volume(ctx: RunContext, step: str, target: str, recorded: Sequence[str],
                     present: Sequence[str], reset: Callable[[], None]) -> Volume:
    """Import the foreign configuration on ``target`` and follow it (see the module
    docstring); returns the MN RAID1 a fresh read shows.

    :param step: the journal step of the import and of its reset.
    :param reset: resets ``target`` into its setup (journaled by the caller under ``step``);
        called only for a staged job.
    :raises hamnhw.errors.HamnhwError: the driver cannot import (``UnsupportedOperation``),
        the job failed (``JobFailed``) or did not end within ``post_timeout``
        (``WaitTimeout``), or no MN RAID1 shows after it (``OperationFailed``).
    """
    node = ctx.node(target)
    started: dict[str, Job] = {}

    def send() -> dict[str, Any]:
        job = node.raid.import_foreign()
        ctx.sent()
        started["job"] = job
        return {"job": job.id, "kind": job.kind, "description": job.description}

    def took_effect(_intent: dict[str, Any]) -> dict[str, Any] | None:
        found = mn_volume(node, recorded, present)
        return None if found is None else {"volume": describe(found)}

    outcome = ctx.act(step, "import_foreign", target, {"recorded": list(recorded)}, send,
                      took_effect)
    if outcome.get("kind") == STAGED:
        ctx.event("step", f"{target}: the import (job {outcome.get('job')}) is staged: it "
                          "runs at the next POST, so the target is reset into its setup now",
                  {"job": outcome.get("job")})
        reset()
    _follow(ctx, node, target, started.get("job"), recorded, present)
    found = mn_volume(node, recorded, present)
    if found is None:
        raise OperationFailed(f"the import on {target} ended (job {outcome.get('job')}) but "
                              f"a fresh read shows no RAID1 over {', '.join(recorded)}",
                              host=node.address.netloc)
    ctx.remember(imported_volume={"id": found.id, "job": outcome.get("job")})
    return found


def _follow(ctx: RunContext, node: Node, target: str, job: Job | None,
            recorded: Sequence[str], present: Sequence[str]) -> None:
    """The job to its end within ``post_timeout`` (:meth:`Job.wait` raises ``JobFailed``);
    without the job (sent by an interrupted run), the volume showing instead."""
    deadline = ctx.poll.deadline(ctx.settings.post_timeout)
    if job is not None:
        final = job.wait(ctx.poll, deadline)
        ctx.event("step", f"{target}: import job {job.id} {final.state.value}"
                          + (f": {'; '.join(final.messages)}" if final.messages else ""))
        return
    try:
        poll_until(lambda: mn_volume(node, recorded, present), lambda found: found is not None,
                   deadline, ctx.poll, what=f"{target}: the imported MN RAID1",
                   describe=lambda found: "shown" if found else "not shown")
    except WaitTimeout:
        return  # the fresh read after it says what is missing
