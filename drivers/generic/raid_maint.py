"""Deleting a volume, rebuilding it onto a replacement drive, and hot spares: each planned
from a fresh read and confirmed by a read after the request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hamnhw_drivers.generic.raid_checks import drive_problems, spare_fit_problems
from hamnhw_drivers.generic.raid_jobs import ReadJob, TaskMonitorJob
from hamnhw_drivers.generic.raid_layout import RaidLayout

from hamnhw.errors import ConfigError, OperationFailed, RefusedOperation
from hamnhw.jobs import Job, JobState, JobStatus
from hamnhw.models import Drive, Health, Volume
from hamnhw.raid import PlannedRequest, RaidOutcome, RaidPlan, VolumeState
from hamnhw.raidguard import normal_serial

if TYPE_CHECKING:
    from hamnhw_drivers.generic.raid import RedfishRaid

_JOB_OF_STATE = {VolumeState.REBUILDING: JobState.RUNNING, VolumeState.OPTIMAL:
                 JobState.COMPLETED, VolumeState.FAILED: JobState.FAILED,
                 VolumeState.DEGRADED: JobState.PENDING, VolumeState.UNKNOWN: JobState.UNKNOWN}


def task_job(raid: RedfishRaid, monitor: str, description: str, first: JobStatus,
             task: str | None = None) -> Job:
    """A task monitor whose disappearance counts as done (its result is then read back),
    unless its ``task`` resource says the operation failed or still runs."""
    return TaskMonitorJob(raid.context.client, monitor, description, first=first, task=task,
                          on_gone=lambda: JobStatus(JobState.COMPLETED, 100))


def _send_all(raid: RedfishRaid, plan: RaidPlan) -> Job | None:
    """Send each request once; the last answer's job (intermediate ones are followed)."""
    job: Job | None = None
    for request in plan.requests:
        if job is not None:
            job.wait(raid.poll, raid.poll.deadline())
        job = raid.follow_write(raid.send(request), plan.summary)
    return job


# -- delete -------------------------------------------------------------------------------

def plan_delete(raid: RedfishRaid, volume_id: str, *, missing_ok: bool = False) -> RaidPlan:
    """DELETE of that one volume (named as :meth:`RaidLayout.volume` accepts).

    :param missing_ok: a name that no volume has is ``changed: false`` ("nothing to
        delete", for an idempotent ``state: absent``) instead of an error.
    :raises ConfigError: no volume has that name (unless ``missing_ok``), or several do.
    :raises RefusedOperation: the BMC does not tell which volumes exist.
    """
    layout = raid.layout()
    if layout.view.volumes is None:
        raise RefusedOperation("raid.delete", ["the BMC does not tell which volumes exist"],
                               host=raid.host)
    if missing_ok and not layout.volume_candidates(volume_id):
        return RaidPlan("delete", f"no volume {volume_id!r}: nothing to delete", False)
    volume = layout.volume(volume_id)
    return RaidPlan("delete", f"delete volume {volume.id} ({volume.raid_type.value}, "
                    f"{volume.name or 'unnamed'})", True, raid.delete_requests(volume, layout),
                    volume_id=volume.id, drive_ids=volume.drive_ids or ())


def run_delete(raid: RedfishRaid, plan: RaidPlan, *, wait: bool,
               timeout: float | None) -> RaidOutcome:
    """Send the DELETE, follow it, confirm by a read that the volume is gone."""
    if not plan.changed:
        return RaidOutcome(plan, None, None)
    job = raid.follow_write(raid.send(plan.requests[0]), plan.summary)
    staged = job.kind == "on-reset"  # applied at the next reset: nothing to wait for now
    status = job.wait(raid.poll, raid.poll.deadline(timeout)) if wait and not staged \
        else job.status()
    assert plan.volume_id is not None
    still = raid.layout().find_volume(plan.volume_id)
    if still is None:
        return RaidOutcome(plan, job, status)
    if status.state in (JobState.PENDING, JobState.RUNNING):
        return RaidOutcome(plan, job, status, still, ("the volume is still listed",))
    raise OperationFailed(f"volume {plan.volume_id} is still listed after the BMC accepted "
                          "its DELETE", host=raid.host)


# -- rebuild ------------------------------------------------------------------------------

def rebuild_job(raid: RedfishRaid, volume_id: str, drive_id: str | None = None) -> Job:
    """Follows the volume's classified health: rebuilding is running, optimal completed,
    failed failed, degraded pending (not started yet) -- until the rebuild was seen running,
    or when ``drive_id`` is neither a member nor a spare of the volume (nor a global spare):
    degraded is then failed, the rebuild stopped (its drive pulled or failed), and a wait
    ends."""
    seen = [False]

    def read() -> JobStatus:
        layout = raid.layout()
        found = layout.volume_candidates(volume_id)
        if len(found) != 1:
            return JobStatus(JobState.FAILED, messages=(f"volume {volume_id} is not listed",))
        volume = found[0]
        health = raid.classify_health(volume, layout.known_members(volume))
        seen[0] = seen[0] or health.state is VolumeState.REBUILDING
        stopped = _stopped(layout, volume, drive_id, health.reason, seen[0]) \
            if health.state is VolumeState.DEGRADED else None
        if stopped is not None:
            return JobStatus(JobState.FAILED, messages=(stopped,))
        return JobStatus(_JOB_OF_STATE[health.state], health.percent, (health.reason,))

    onto = f" onto {drive_id}" if drive_id else ""
    return ReadJob(read, volume_id, "rebuild", f"rebuild of {volume_id}{onto}", raid.host)


GLOBAL_SPARES = frozenset({"Global", "Chassis"})
"""``HotspareType`` values of a spare that serves any volume."""


def _serves(layout: RaidLayout, volume: Volume, drive_id: str) -> bool | None:
    """Whether the drive is a member or a dedicated spare of the volume, or a global spare
    (what a controller rebuilds onto); None when the BMC tells none of it."""
    drive = next((d for d in layout.drives if d.id == drive_id), None)
    if drive is not None and drive.hotspare in GLOBAL_SPARES:
        return True
    if volume.drive_ids is None and volume.spare_drive_ids is None:
        return None
    return drive_id in (volume.drive_ids or ()) + (volume.spare_drive_ids or ())


def _stopped(layout: RaidLayout, volume: Volume, drive_id: str | None, reason: str,
             seen: bool) -> str | None:
    """Why a degraded volume means the rebuild is over (seen running before, or its drive
    no longer serving the volume), or None while it may still start."""
    serves = _serves(layout, volume, drive_id) if drive_id else None
    if not seen and serves is not False:
        return None
    stop = "the rebuild stopped" if seen else "no rebuild runs"
    where = (f"; {drive_id} is neither a member nor a spare of it (pulled, failed or "
             "replaced?)" if serves is False else f"; see {drive_id} in `hamnhw raid show`"
             if drive_id else "")
    return f"{stop}: volume {volume.id} is degraded ({reason}){where}"


def _rebuilt_onto(layout: RaidLayout, volume: Volume) -> tuple[str, ...]:
    """The drives serving the volume (members, its spares, global spares) that the BMC shows
    being rebuilt onto (a rebuild operation, or ``StatusIndicator: Rebuild``)."""
    return tuple(d.id for d in layout.drives if _serves(layout, volume, d.id) and (
        (d.operation is not None and "rebuild" in d.operation.name.lower())
        or d.status_indicator == "Rebuild"))


def _written_to(drive: Drive) -> bool:
    """Whether a member's own status says it is being written to (``Status.Health``
    ``Warning`` or a ``Status.State`` other than ``Enabled``), not failed; a member that the
    BMC shows healthy and enabled (or whose status it does not tell) is, as far as it
    tells, a surviving one."""
    if drive.health is Health.CRITICAL or drive.status_indicator == "Fail":
        return False
    return drive.health is Health.WARNING or drive.state not in (None, "Enabled")


def _already_rebuilding(raid: RedfishRaid, layout: RaidLayout, volume: Volume, drive: Drive,
                        reason: str) -> RaidPlan:
    """Unchanged when the controller rebuilds onto ``drive`` (the drive the BMC shows being
    rebuilt onto; where it shows none, a spare of the volume or a global spare, or a member
    whose status says it is being written to: :func:`_written_to`); refused otherwise,
    naming the drive it rebuilds onto, or saying that the BMC does not tell which."""
    onto = _rebuilt_onto(layout, volume)
    member = drive.id in (volume.drive_ids or ())
    maybe = _serves(layout, volume, drive.id) and (not member or _written_to(drive))
    if drive.id in onto or (not onto and maybe):
        told = "" if onto else f"; {drive.id} is in it (the BMC does not tell which drive " \
                               "is rebuilt onto)"
        return RaidPlan("rebuild", f"the controller is already rebuilding {volume.id} "
                        f"({reason}){told}", False, volume_id=volume.id, drive_ids=(drive.id,))
    unsaid = "the BMC does not tell which drive it rebuilds onto"
    what = (f"onto {', '.join(onto)}, not onto {drive.id}" if onto else
            f"and {drive.id} is {_member_shown(drive)} ({unsaid})" if member else
            f"and {drive.id} is neither a member nor a spare of it ({unsaid})")
    then = (f"{drive.id} is a member of it" if member else
            f"once it is optimal (`hamnhw raid show --check`), make {drive.id} its next hot "
            f"spare (`hamnhw raid spare --drive {drive.id} [--volume {volume.id}]`)")
    raise RefusedOperation("raid.rebuild", [
        f"the controller is rebuilding {volume.id} ({reason}) {what}: nothing to start; "
        f"{then}"], host=raid.host)


def _member_shown(drive: Drive) -> str:
    """What a member that :func:`_written_to` does not take for the target is (refusal)."""
    if drive.health is Health.CRITICAL or drive.status_indicator == "Fail":
        return "a failed member of it, not the drive rebuilt onto"
    shown = "shows healthy" if drive.health is Health.OK else "tells no status of"
    return (f"a member of it that the BMC {shown}: the surviving member, not the drive "
            "rebuilt onto, as far as it tells")


def plan_rebuild(raid: RedfishRaid, volume_id: str, drive_id: str,
                 confirm_serial: str) -> RaidPlan:
    """Refuses a member, a spare of another volume, an unhealthy or smaller drive, a serial
    that does not match (compared as the pair protection does: :func:`normal_serial`), a
    drive other than the one a running rebuild writes to; unchanged when the controller
    already rebuilds onto the drive, or the volume is optimal with the drive a member (a
    finished rebuild, run again)."""
    layout = raid.layout()
    volume, drive = layout.volume(volume_id), layout.drive(drive_id)
    if drive.serial is None:
        raise RefusedOperation("raid.rebuild", [f"the BMC reports no serial for drive "
                                                f"{drive.id}, so it cannot be confirmed"],
                               host=raid.host)
    if normal_serial(confirm_serial) != normal_serial(drive.serial):
        raise ConfigError(f"--confirm-serial {confirm_serial!r} is not the serial of drive "
                          f"{drive.id} (see `hamnhw raid show`)", host=raid.host)
    health = raid.classify_health(volume, layout.known_members(volume))
    ids = (drive.id,)
    if health.state is VolumeState.REBUILDING:
        return _already_rebuilding(raid, layout, volume, drive, health.reason)
    if health.state is VolumeState.OPTIMAL and drive.id in (volume.drive_ids or ()):
        return RaidPlan("rebuild", f"volume {volume.id} is optimal ({health.reason}) with "
                        f"{drive.id} a member: nothing to rebuild", False,
                        volume_id=volume.id, drive_ids=ids)
    if health.state is not VolumeState.DEGRADED:
        raise RefusedOperation("raid.rebuild", [f"volume {volume.id} is {health.state.value} "
                                                f"({health.reason}): nothing to rebuild"],
                               host=raid.host)
    if drive.id in (volume.spare_drive_ids or ()):
        return RaidPlan("rebuild", f"{drive.id} is already a dedicated spare of {volume.id}; "
                        "the controller rebuilds onto it when it starts", False,
                        volume_id=volume.id, drive_ids=ids)
    problems = drive_problems(drive, layout, volume) + spare_fit_problems(
        drive, volume, layout)
    if problems:
        raise RefusedOperation("raid.rebuild", problems, host=raid.host)
    requests = raid.start_rebuild(volume, drive, layout)
    notes = () if volume.spare_drive_ids is not None else (
        "the volume does not list Links.DedicatedSpareDrives (writable since Volume v1.2.0): "
        "the BMC may refuse the spare assignment that starts a generic rebuild",)
    return RaidPlan("rebuild", f"rebuild {volume.id} onto {drive.id} (serial {drive.serial})",
                    True, requests, volume_id=volume.id, drive_ids=ids, notes=notes)


def run_rebuild(raid: RedfishRaid, plan: RaidPlan) -> RaidOutcome:
    """Send what starts the rebuild; the outcome's job follows it (not waited here)."""
    assert plan.volume_id is not None
    sent = _send_all(raid, plan) if plan.changed else None
    if sent is not None and sent.kind != "on-reset":
        sent.wait(raid.poll, raid.poll.deadline())  # the request's own job (a vendor job)
    job = rebuild_job(raid, plan.volume_id, plan.drive_ids[0] if plan.drive_ids else None)
    status = job.status()
    if plan.changed and status.state in (JobState.PENDING, JobState.FAILED) \
            and not _took(raid, plan):
        raise OperationFailed(f"after the request, {plan.drive_ids[0]} is neither rebuilding "
                              f"into {plan.volume_id} nor a spare of it (nor a global spare)",
                              host=raid.host)
    return RaidOutcome(plan, job, status)


def _took(raid: RedfishRaid, plan: RaidPlan) -> bool:
    """Whether the drive now serves the volume (:func:`_serves`: a member, its spare, or a
    global spare, as a rebuild through a global spare leaves it until the controller takes
    it in)."""
    layout = raid.layout()
    volume = layout.find_volume(plan.volume_id or "")
    return volume is not None and bool(_serves(layout, volume, plan.drive_ids[0]))


# -- spares -------------------------------------------------------------------------------

def spare_requests(drive: Drive, volume: Volume | None, layout: RaidLayout, *,
                   remove: bool) -> tuple[PlannedRequest, ...]:
    """The generic :meth:`~hamnhw_drivers.generic.raid.RedfishRaid.assign_spare`."""
    if volume is None:
        assert drive.uri is not None
        return (PlannedRequest("PATCH", drive.uri, {"HotspareType":
                                                    "None" if remove else "Global"}),)
    current = [i for i in volume.spare_drive_ids or () if not (remove and i == drive.id)]
    if not remove:
        current.append(drive.id)
    uris = [layout.uri_of(i) for i in current]
    assert volume.uri is not None
    return (PlannedRequest("PATCH", volume.uri, {"Links": {"DedicatedSpareDrives": [
        {"@odata.id": uri} for uri in uris if uri]}}),)


def _spare_state(drive: Drive, volume: Volume | None) -> bool | None:
    """Whether the drive is now the spare asked about; None when the BMC does not say."""
    if volume is not None:
        return None if volume.spare_drive_ids is None else drive.id in volume.spare_drive_ids
    return None if drive.hotspare is None else drive.hotspare == "Global"


def plan_spare(raid: RedfishRaid, drive_id: str, volume_id: str | None, *,
               remove: bool) -> RaidPlan:
    """Dedicated (``volume_id``) or global spare; unchanged when already so."""
    layout = raid.layout()
    drive = layout.drive(drive_id)
    volume = layout.volume(volume_id) if volume_id is not None else None
    kind = f"dedicated spare of {volume.id}" if volume else "global spare"
    if remove and volume is None:
        _refuse_dedicated(raid, drive, layout)
    now = _spare_state(drive, volume)
    if now is None:
        what = ("Links.DedicatedSpareDrives (Volume v1.2+)" if volume
                else "HotspareType (Drive v1.5+)")
        raise RefusedOperation("raid.spare", [f"the BMC does not report {what}"],
                               host=raid.host)
    verb = "remove" if remove else "make"
    if now is not remove:
        done = f"{drive.id} is not a {kind}" if remove else f"{drive.id} is already a {kind}"
        return RaidPlan("spare", done,
                        False, volume_id=volume.id if volume else None, drive_ids=(drive.id,))
    problems: list[str] = []
    if not remove:
        problems = drive_problems(drive, layout, volume)
        problems += spare_fit_problems(drive, volume, layout) if volume else []
    if problems:
        raise RefusedOperation("raid.spare", problems, host=raid.host)
    requests = raid.assign_spare(drive, volume, layout, remove=remove)
    return RaidPlan("spare", f"{verb} {drive.id} {'no longer ' if remove else ''}a {kind}",
                    True, requests, volume_id=volume.id if volume else None,
                    drive_ids=(drive.id,), context={"remove": remove})


def _refuse_dedicated(raid: RedfishRaid, drive: Drive, layout: RaidLayout) -> None:
    """A dedicated spare is removed from its volume's list, never as a global spare (that
    would say "not a global spare" and leave it)."""
    dedicated = layout.spare_of(drive)
    if dedicated is not None or drive.hotspare == "Dedicated":
        of = dedicated.id if dedicated is not None else "VOLUME"
        raise RefusedOperation("raid.spare", [
            f"{drive.id} is a dedicated spare, not a global one: give --volume {of} to "
            "remove it"], host=raid.host)


def run_spare(raid: RedfishRaid, plan: RaidPlan) -> RaidOutcome:
    """Send, follow, and read back: the drive must now be (or no longer be) the spare."""
    if not plan.changed:
        return RaidOutcome(plan, None, None)
    job = _send_all(raid, plan)
    status = job.wait(raid.poll, raid.poll.deadline()) if job else None
    layout = raid.layout()
    drive = layout.drive(plan.drive_ids[0])
    volume = layout.volume(plan.volume_id) if plan.volume_id else None
    now = _spare_state(drive, volume)
    taken = volume is not None and drive.id in (volume.drive_ids or ())
    if now is plan.context["remove"] and not taken:
        raise OperationFailed(f"read back after the request: {plan.summary} did not hold",
                              host=raid.host)
    notes = (f"{drive.id} was taken into {plan.volume_id} at once (rebuild)",) if taken else ()
    return RaidOutcome(plan, job, status, volume, notes)
