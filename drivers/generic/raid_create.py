"""Creating a volume: plan from a fresh read, validate, send once (one dialect fallback on
a 400 naming the property as unknown), follow the answer, read the volume back.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hamnhw_drivers.generic.raid_dialect import Dialect, names_dialect_as_unknown
from hamnhw_drivers.generic.raid_jobs import (
    ReadJob,
    TaskMonitorJob,
    answer_status,
    task_of,
)
from hamnhw_drivers.generic.raid_layout import RaidLayout, StorageInfo

from hamnhw.errors import (
    BadRequestError,
    ConfigError,
    OperationFailed,
    RefusedOperation,
)
from hamnhw.jobs import CompletedJob, Job, JobState, JobStatus
from hamnhw.log import get_logger
from hamnhw.models import Drive, RaidType, Volume
from hamnhw.raid import (
    WRITE_CACHE_POLICIES,
    ApplyTime,
    CreateRequest,
    RaidOutcome,
    RaidPlan,
)

if TYPE_CHECKING:
    from hamnhw_drivers.generic.raid import RedfishRaid

LOG = get_logger("hamnhw.drivers.generic.raid")


def plan(raid: RedfishRaid, request: CreateRequest) -> RaidPlan:
    """Read, validate and decide; nothing is sent.

    :raises ConfigError: an unknown or repeated drive id.
    :raises RefusedOperation: the drives cannot form the volume, a volume does not list its
        members, or the BMC does not offer what is asked.
    """
    if request.write_cache is not None and request.write_cache not in WRITE_CACHE_POLICIES:
        raise ConfigError(f"write cache policy {request.write_cache!r} is not one of "
                          f"{', '.join(WRITE_CACHE_POLICIES)}")
    layout = raid.layout()
    drives = tuple(layout.drive(drive_id) for drive_id in request.drive_ids)
    if len({d.id for d in drives}) != len(drives):
        raise ConfigError("a drive is given twice in --drives")
    ids = tuple(d.id for d in drives)
    existing = volume_over(layout, drives)
    if existing is not None:
        return _existing_plan(raid, request, existing, ids)
    unlisted = layout.unlisted_members()
    if unlisted:
        raise RefusedOperation("raid.create", [
            f"volume {v.id} does not list its member drives, so hamnhw cannot tell whether "
            f"{', '.join(ids)} already carry a volume; refusing rather than risk a "
            "duplicate" for v in unlisted], host=raid.host)
    storage = raid.volume_collection_for(drives, layout)
    wanted = frozenset(d.uri for d in drives if d.uri)
    staged, running = raid.pending_creates(storage), raid.running_creates(storage)
    if wanted in running:
        return RaidPlan("create", f"a create over {', '.join(ids)} is already running "
                        f"({running[wanted]}); it applies without a reset", False,
                        drive_ids=ids, context={"task": running[wanted], "drives": drives})
    if wanted in staged:
        return RaidPlan("create", f"a create over {', '.join(ids)} is already pending (it "
                        "applies at the next reset)", False, pending=True, drive_ids=ids)
    problems = raid.create_problems(request, drives, layout, storage)
    busy = frozenset().union(*staged, *running)
    problems += [f"drive {d.id} is in another create the BMC has not finished (pending the "
                 "next reset, or running)" for d in drives if d.uri in busy]
    if problems:
        raise RefusedOperation("raid.create", problems, host=raid.host)
    return _send_plan(raid, request, drives, storage)


def _existing_plan(raid: RedfishRaid, request: CreateRequest, volume: Volume,
                   ids: tuple[str, ...]) -> RaidPlan:
    if volume.raid_type not in (request.raid_type, RaidType.UNKNOWN):
        raise RefusedOperation("raid.create", [
            f"{', '.join(ids)} already form volume {volume.id} "
            f"({volume.raid_type.value}), not {request.raid_type.value}"], host=raid.host)
    return RaidPlan("create", f"volume {volume.id} ({volume.raid_type.value}) already exists "
                    f"over {', '.join(ids)}", False, volume_id=volume.id, drive_ids=ids,
                    notes=differences(request, volume))


def differences(request: CreateRequest, volume: Volume) -> tuple[str, ...]:
    """How the volume already over the requested drives differs from the name and size
    asked for, in the notes of the plan that leaves it as it is (its RAID level and drives
    make it the one asked for; the command line and the Ansible module say these).  A name
    or size the BMC does not tell is said to be unconfirmed."""
    found = []
    if request.name is not None and volume.name != request.name:
        found.append(_name_difference(volume, request.name))
    if request.size_bytes is not None and volume.capacity_bytes != request.size_bytes:
        found.append(_size_difference(volume, request.size_bytes))
    return tuple(found)


def _name_difference(volume: Volume, asked: str) -> str:
    if volume.name is None:
        return (f"the BMC does not tell volume {volume.id}'s name, so {asked!r} is not "
                "confirmed: left as it is")
    return f"volume {volume.id} is named {volume.name!r}, not {asked!r}: left as it is"


def _size_difference(volume: Volume, asked: int) -> str:
    if volume.capacity_bytes is None:
        return (f"the BMC does not tell volume {volume.id}'s capacity, so the {asked} bytes "
                "asked for are not confirmed: left as it is")
    return (f"volume {volume.id} holds {volume.capacity_bytes} bytes, not the {asked} asked "
            "for: left as it is (a BMC may round a capacity)")


def _send_plan(raid: RedfishRaid, request: CreateRequest, drives: Sequence[Drive],
               storage: StorageInfo) -> RaidPlan:
    apply_time = raid.apply_time_choice(request.apply_time, storage.capabilities.apply_times)
    dialect = raid.volume_dialect(storage)
    capacity = request.size_bytes or min(d.capacity_bytes or 0 for d in drives)
    body = raid.build_volume_payload(request, drives, dialect, apply_time, capacity, storage)
    fallback = raid.build_volume_payload(request, drives, dialect.other(), apply_time,
                                         capacity, storage)
    if body is None:
        if fallback is None:
            raise RefusedOperation("raid.create", [
                f"no property can name {request.raid_type.value} on this BMC"], host=raid.host)
        body, fallback, dialect = fallback, None, dialect.other()
    ids = tuple(d.id for d in drives)
    name = f" {request.name!r}" if request.name else ""
    when = "at the next reset" if apply_time is ApplyTime.ON_RESET else "immediately"
    summary = (f"create {request.raid_type.value}{name} over {', '.join(ids)} "
               f"({capacity} bytes), applied {when}")
    return RaidPlan(
        "create", summary, True, (raid.create_request(storage, body),),
        drive_ids=ids, apply_time=apply_time,
        notes=(f"dialect {dialect.property}: {dialect.source}",),
        context={"dialect": dialect, "fallback": fallback, "drives": tuple(drives)})


def volume_over(layout: RaidLayout, drives: Sequence[Drive]) -> Volume | None:
    """The volume whose members are exactly these drives."""
    wanted = {d.id for d in drives}
    return next((v for v in layout.volumes if v.drive_ids is not None
                 and set(v.drive_ids) == wanted), None)


def run(raid: RedfishRaid, the_plan: RaidPlan, *, wait: bool,
        timeout: float | None) -> RaidOutcome:
    """Send the plan's POST (one fallback), follow it, read the volume back."""
    if not the_plan.changed:
        if the_plan.context.get("task") and wait:
            return _follow_running(raid, the_plan, timeout)
        volume = raid.layout().find_volume(the_plan.volume_id) if the_plan.volume_id else None
        return RaidOutcome(the_plan, None, None, volume)
    response, notes = _post(raid, the_plan)
    job = raid.follow_create(response, the_plan)
    if the_plan.apply_time is ApplyTime.ON_RESET or not wait:
        return RaidOutcome(the_plan, job, job.status(), None, notes)
    status = job.wait(raid.poll, raid.poll.deadline(timeout))
    volume = created_volume(raid.layout(), the_plan, status.result_uri)
    if volume is None:
        raise OperationFailed(f"the BMC reported the create done ({job.kind} {job.id}), but "
                              "no volume over these drives is listed", host=raid.host)
    if volume.drive_ids is None:
        notes += ("the BMC does not list the new volume's member drives",)
    return RaidOutcome(the_plan, job, status, volume, notes)


def _follow_running(raid: RedfishRaid, the_plan: RaidPlan, timeout: float | None) -> RaidOutcome:
    """A create over these drives already runs: follow its Task to the end (never a reset),
    then read the volume back."""
    task: str = the_plan.context["task"]

    def gone() -> JobStatus:
        volume = created_volume(raid.layout(), the_plan, None)
        return JobStatus(JobState.COMPLETED if volume else JobState.UNKNOWN,
                         messages=() if volume else ("the task is gone and no volume over "
                                                     "the drives is listed",))

    job = TaskMonitorJob(raid.context.client, task, the_plan.summary, on_gone=gone)
    status = job.wait(raid.poll, raid.poll.deadline(timeout))
    volume = created_volume(raid.layout(), the_plan, status.result_uri)
    return RaidOutcome(the_plan, job, status, volume,
                       ("followed the running create to its end",))


def _post(raid: RedfishRaid, the_plan: RaidPlan) -> tuple[Any, tuple[str, ...]]:
    request = the_plan.requests[0]
    dialect: Dialect = the_plan.context["dialect"]
    fallback: Mapping[str, Any] | None = the_plan.context["fallback"]
    try:
        return raid.send(request), ()
    except BadRequestError as exc:
        if fallback is None or not names_dialect_as_unknown(exc, dialect):
            raise
        other = dialect.other().property
        LOG.warning("%s: POST %s refused %s (%s); sending one new POST with %s", raid.host,
                    request.path, dialect.property, exc.redfish_message, other)
        note = f"{dialect.property} refused as unknown ({exc.redfish_message}); sent {other}"
        return raid.send(dataclasses.replace(request, body=fallback)), (note,)


def created_volume(layout: RaidLayout, the_plan: RaidPlan,
                   result_uri: str | None) -> Volume | None:
    """The new volume: the one at the answer's URI, else the one over the plan's drives."""
    if result_uri:
        path = urllib.parse.urlsplit(result_uri).path.rstrip("/")
        found = next((v for v in layout.volumes if (v.uri or "").rstrip("/") == path), None)
        if found is not None:
            return found
    return volume_over(layout, the_plan.context["drives"])


def follow(raid: RedfishRaid, response: Any, the_plan: RaidPlan) -> Job:
    """The generic :meth:`~hamnhw_drivers.generic.raid.RedfishRaid.follow_create`."""
    status = answer_status(response)

    def appeared() -> JobStatus:
        volume = created_volume(raid.layout(), the_plan, status.result_uri)
        if volume is not None:
            return JobStatus(JobState.COMPLETED, 100, (), volume.uri)
        waiting = the_plan.apply_time is ApplyTime.ON_RESET
        return JobStatus(JobState.PENDING if waiting else JobState.UNKNOWN,
                         messages=("no volume over the drives is listed yet",))

    monitor = None
    if response.status == 202 and response.location:
        monitor = TaskMonitorJob(raid.context.client, response.location, the_plan.summary,
                                 on_gone=appeared, first=status, task=task_of(response))
    if the_plan.apply_time is ApplyTime.ON_RESET:
        return ReadJob(lambda: _on_reset_status(appeared, monitor),
                       monitor.id if monitor else "-", "on-reset", the_plan.summary, raid.host)
    if monitor is not None:
        return monitor
    return CompletedJob(the_plan.summary, raid.host, result_uri=status.result_uri)


def _on_reset_status(appeared: Any, monitor: TaskMonitorJob | None) -> JobStatus:
    """Completed once the volume is listed; until then the task's state (pending, or a
    failure it reports), else pending."""
    found: JobStatus = appeared()
    if found.state is JobState.COMPLETED or monitor is None:
        return found
    task = monitor.status()
    if task.state in (JobState.FAILED, JobState.CANCELLED):
        return task
    return JobStatus(JobState.PENDING if task.state is not JobState.RUNNING else
                     JobState.RUNNING, task.percent, task.messages)
