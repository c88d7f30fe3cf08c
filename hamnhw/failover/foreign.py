"""The moved RAID1 must show as a volume on the target; a foreign one is imported through
:attr:`Node.raid <hamnhw.node.Node.raid>` (journaled), never cleared, and followed to its
end.  The failover's verify step and ``pair setup-raid`` (which moves the disks the other
way) both go through :func:`import_mn_volume`, in this order:

1. the import (the driver's; ``UnsupportedOperation`` where it has none: generic Redfish has
   no standard action, an XCC or Supermicro only their setup utility);
2. a staged job (kind ``on-reset``: a PERC 9 or BOSS runs RAID jobs at the next POST) gets
   the reset the caller performs, into the controller's setup again (``reset``), so that the
   job runs during that POST, never while an OS starts;
3. the job is followed to its end within ``post_timeout``: a failed or cancelled job, or one
   still unfinished then, stops the run with its id and messages;
4. a fresh read must show the MN RAID1: a RAID1 volume whose member serials are recorded MN
   serials and include every one present.  A job reported done without it (an HPE Smart
   Array's import is a no-op that says so) stops the run too.

After a crash the journal holds the import and its reset: neither is sent again, and step 3
becomes a wait for the volume to show.  An import whose intent the journal holds without an
outcome (a crash between the request and its outcome) is settled from the BMC before anything
is sent (:func:`import_fate`): the MN RAID1 showing, or the driver's
:meth:`~hamnhw.interfaces.RaidInterface.foreign_import_state` showing a job pending (followed,
as a job just started) or no drive foreign any more (imported), means it is not sent again; it
is sent again only when the BMC says that nothing is pending and the drives are still
foreign.  A driver that cannot tell stops the run asking the operator to check the BMC's job
queue and confirm (``resend_import``): a POST is never re-sent blind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hamnhw.errors import HamnhwError, OperationFailed, UnsupportedOperation, WaitTimeout
from hamnhw.failover.engine import RunContext
from hamnhw.failover.operator import AckRequest
from hamnhw.jobs import Job
from hamnhw.models import RaidType, Volume
from hamnhw.node import Node
from hamnhw.poll import poll_until
from hamnhw.raid import VolumeHealth, VolumeState, settled

IMPORT_STEP = "verify-import"
"""The failover's journal step of an import and of the reset a staged one needs (the
report lists it under ``verify``: a step is grouped by its name before the first ``-``)."""
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


def mn_raid_health(node: Node, volume: Volume) -> VolumeHealth:
    """``volume``'s health as ``raid show --check`` classifies it (the driver's
    :meth:`~hamnhw.interfaces.RaidInterface.status`, an incomplete read made unknown by
    :func:`hamnhw.raid.settled`); unknown, with why, when it cannot be read."""
    try:
        health = settled(node.raid.status()).health.get(volume.id)
    except HamnhwError as exc:
        return VolumeHealth(VolumeState.UNKNOWN, reason=f"not read: {exc}")
    return health or VolumeHealth(VolumeState.UNKNOWN, reason="not classified")


def health_text(volume: Volume, health: VolumeHealth) -> str:
    """``name: degraded (failed member(s): Disk.1)``, for checks and warnings."""
    return f"{volume.name or volume.id}: {health.state.value} ({health.reason})"


def describe(volume: Volume) -> str:
    """``name (health)`` of a volume, for checks and events."""
    return f"{volume.name or volume.id} ({volume.health.value})"


def volume_visible(ctx: RunContext, present: list[str], stop: Callable[..., Any],
                   reset: Callable[[], None]) -> None:
    """Check that the MN RAID1 shows; import it when it does not (:func:`import_mn_volume`).

    :param stop: ``stop(reason, back_to_disks=False)`` powers the target off and stops.
    :param reset: resets the target into BIOS setup (journaled under :data:`IMPORT_STEP`).
    """
    node = ctx.node(ctx.target)
    recorded = list(ctx.expected_serials().serials)
    found = mn_volume(node, recorded, present)
    if found is not None:
        ctx.check("verify: MN RAID1 volume visible", True, describe(found))
        _judge_health(ctx, node, found, stop)
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
        found = import_mn_volume(ctx, IMPORT_STEP, ctx.target, recorded, present, reset)
    except HamnhwError as exc:
        ctx.check("verify: foreign volume import", False, str(exc))
        stop(f"the MN RAID1 does not show on {ctx.target} (foreign configuration?) and could "
             f"not be imported: {exc}", back_to_disks=False)
        return
    ctx.check("verify: foreign volume import", True, f"imported: {describe(found)}")
    _judge_health(ctx, node, found, stop)


def _judge_health(ctx: RunContext, node: Node, volume: Volume, stop: Callable[..., Any]) -> None:
    """The MN RAID1 on the target, classified as ``raid show --check`` does: optimal passes;
    degraded or rebuilding fails the check with a warning (the run goes on: the new MN runs
    on one half, the mirror needs a rebuild); failed stops (nothing to boot from)."""
    health = mn_raid_health(node, volume)
    text = health_text(volume, health)
    if health.state is VolumeState.OPTIMAL:
        ctx.check("verify: MN RAID1 health", True, text)
        return
    if health.state is VolumeState.UNKNOWN:
        ctx.check("verify: MN RAID1 health", None, text)
        return
    ctx.check("verify: MN RAID1 health", False, text)
    if health.state is VolumeState.FAILED:
        stop(f"the MN RAID1 on {ctx.target} is failed ({text}): its disks cannot boot",
             back_to_disks=False)
        return
    todo = ("let its rebuild finish" if health.state is VolumeState.REBUILDING else
            f"it needs a rebuild (`hamnhw raid rebuild` on {ctx.target} with a new drive)")
    ctx.warn(f"the MN RAID1 on {ctx.target} is {health.state.value} ({text}): the new MN runs "
             f"without a whole mirror; {todo}")


def import_mn_volume(ctx: RunContext, step: str, target: str, recorded: Sequence[str],
                     present: Sequence[str], reset: Callable[[], None]) -> Volume:
    """Import the foreign configuration on ``target`` and follow it (see the module
    docstring); returns the MN RAID1 a fresh read shows.

    :param step: the journal step of the import (the caller journals ``reset`` there too).
    :param reset: resets ``target`` into its setup; called only for a staged job.
    :raises hamnhw.errors.HamnhwError: the driver cannot import (``UnsupportedOperation``),
        the job failed (``JobFailed``) or did not end within ``post_timeout``
        (``WaitTimeout``), or no MN RAID1 shows after it (``OperationFailed``).
    """
    node = ctx.node(target)
    started: list[Job] = []

    def send() -> dict[str, Any]:
        job = node.raid.import_foreign()
        ctx.sent()
        started[:] = [job]
        return {"job": job.id, "kind": job.kind, "description": job.description}

    def took_effect(_intent: dict[str, Any]) -> dict[str, Any] | None:
        try:
            found = mn_volume(node, recorded, present)
        except HamnhwError:
            found = None  # unread: what the driver reads of the import decides
        if found is not None:
            return {"volume": describe(found)}
        return import_fate(ctx, step, target, started)

    outcome = ctx.act(step, "import_foreign", target, {"recorded": list(recorded)}, send,
                      took_effect)
    if outcome.get("kind") == STAGED:
        ctx.event("step", f"{target}: the import (job {outcome.get('job')}) is staged: it "
                          "runs at the next POST, so the target is reset into its setup now",
                  {"job": outcome.get("job")})
        reset()
    _follow(ctx, node, target, started, recorded, present)
    found = mn_volume(node, recorded, present)
    if found is None:
        raise OperationFailed(f"the import on {target} ended (job {outcome.get('job')}) but "
                              f"a fresh read shows no RAID1 over {', '.join(recorded)}",
                              host=node.address.netloc)
    ctx.remember(imported_volume={"id": found.id, "job": outcome.get("job")})
    return found


def import_fate(ctx: RunContext, step: str, target: str,
                started: list[Job]) -> dict[str, Any] | None:
    """An import sent by an interrupted run whose MN RAID1 does not show: its outcome from
    what the BMC shows (jobs pending are put in ``started``, to be followed), or None when
    it may be sent again (nothing pending, drives still foreign; or, the driver unable to
    tell, the operator checked and confirmed).

    :raises Stop: the driver cannot tell and the operator has not confirmed (``resend_import``).
    """
    node = ctx.node(target)
    try:
        state = node.raid.foreign_import_state()
    except HamnhwError as exc:  # UnsupportedOperation (IPMI), or the BMC did not answer
        ctx.event("resume", f"{target}: the import's fate could not be read: {exc}")
        state = None
    if state is None:
        record = ctx.journal.open_step(ctx.run.id, step, "import_foreign")
        ctx.require(AckRequest(
            "resend_import", f"resend import_foreign to {target}",
            f"an interrupted run sent the foreign-configuration import to {target}, no MN "
            f"RAID1 shows, and its driver ({node.raid.driver_name}) cannot tell whether the "
            f"import is pending or done: check {target}'s job queue (or task list) and its "
            "controller; if no import job is scheduled, running or completed and the drives "
            "are still foreign, type the confirmation to send it again (else let the job run, "
            "or import in the controller's setup, then resume)",
            situation=f"resend-import:{record.id if record else 0}"))
        return None
    if state.pending:
        started[:] = state.pending
        staged = any(job.kind == STAGED for job in state.pending)
        ctx.event("resume", f"{target}: job(s) {', '.join(j.id for j in state.pending)} "
                            "pending on the controller: followed, the import not sent again")
        return {"job": ",".join(j.id for j in state.pending),
                "kind": STAGED if staged else state.pending[0].kind, "pending": True}
    if not state.foreign_left:
        return {"job": None, "kind": None, "foreign_left": False}
    return None


def _follow(ctx: RunContext, node: Node, target: str, jobs: Sequence[Job],
            recorded: Sequence[str], present: Sequence[str]) -> None:
    """The jobs to their end within ``post_timeout`` (:meth:`Job.wait` raises
    ``JobFailed``); without one (sent by an interrupted run), the volume showing instead."""
    deadline = ctx.poll.deadline(ctx.settings.post_timeout)
    for job in jobs:
        final = job.wait(ctx.poll, deadline)
        ctx.event("step", f"{target}: import job {job.id} {final.state.value}"
                          + (f": {'; '.join(final.messages)}" if final.messages else ""))
    if jobs:
        return
    try:
        poll_until(lambda: mn_volume(node, recorded, present), lambda found: found is not None,
                   deadline, ctx.poll, what=f"{target}: the imported MN RAID1",
                   describe=lambda found: "shown" if found else "not shown")
    except WaitTimeout:
        return  # the fresh read after it says what is missing
