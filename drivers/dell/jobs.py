"""Dell iDRAC jobs (``JID_...``) as :class:`~hamnhw.jobs.Job` objects.

Dell, iDRAC 9 (3.x to 7.x), public source: the iDRAC9 Redfish API Guide and
dell/iDRAC-Redfish-Scripting (CreateVirtualDiskREDFISH.py, ImportForeignConfigREDFISH.py,
AssignHotSpareREDFISH.py).  Every RAID write of a PERC answers 202 with ``Location``
naming a job, ``/redfish/v1/Managers/iDRAC.Embedded.1/Jobs/JID_<n>`` (``DellJob``: ``JobState``,
``JobType``, ``Message``, ``PercentComplete``); the same job is a DMTF Task under
``TaskService/Tasks`` with an ``Oem.Dell`` block (sushy-oem-idrac ``task.json``).  A
``RealTimeNoRebootConfiguration`` job runs at once; a ``RAIDConfiguration`` job is staged:
``Scheduled`` until the host resets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.jobs import Job, JobState, JobStatus

JOB_STATES: Mapping[str, JobState] = {
    "New": JobState.PENDING, "Scheduling": JobState.PENDING, "Scheduled": JobState.PENDING,
    "ReadyForExecution": JobState.PENDING, "Waiting": JobState.PENDING,
    "RebootPending": JobState.PENDING, "PendingActivation": JobState.PENDING,
    "Paused": JobState.PENDING,
    "Running": JobState.RUNNING, "Downloading": JobState.RUNNING,
    "Downloaded": JobState.RUNNING, "RebootCompleted": JobState.RUNNING,
    "Completed": JobState.COMPLETED,
    "CompletedWithErrors": JobState.FAILED, "Failed": JobState.FAILED,
    "RebootFailed": JobState.FAILED, "Unknown": JobState.UNKNOWN,
}
"""``DellJob.JobState`` values (sushy-oem-idrac ``taskservice/constants.py``) as job states."""
STAGED_TYPES = frozenset({"RAIDConfiguration"})
"""``JobType`` of a job that waits for the next reset (a realtime one is
``RealTimeNoRebootConfiguration``)."""


def dell_job_block(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """The DellJob properties of a document: the DellJob itself, or the ``Oem.Dell`` block
    of a Task."""
    oem = doc.get("Oem")
    dell = oem.get("Dell") if isinstance(oem, Mapping) else None
    return dell if isinstance(dell, Mapping) and "JobState" in dell else doc


def job_status(doc: Mapping[str, Any]) -> JobStatus:
    """A DellJob (or a Task carrying one in ``Oem.Dell``) as a job status; the job's
    ``Message`` is kept (``Job completed successfully.``, the failure reason...)."""
    job = dell_job_block(doc)
    state = JOB_STATES.get(str(job.get("JobState")), JobState.UNKNOWN)
    percent = job.get("PercentComplete")
    message = job.get("Message")
    return JobStatus(state, percent if isinstance(percent, int) else None,
                     (plain(str(message)),) if message else ())


def plain(text: str) -> str:
    """iDRAC writes some job messages with no-break spaces (U+00A0, sushy-oem-idrac
    ``task.json``: ``Task successfully scheduled.``): plain spaces, so they can be read and
    matched."""
    return text.replace("\xa0", " ")


def is_staged(doc: Mapping[str, Any]) -> bool:
    """True for a job that waits for the next reset (``JobType: RAIDConfiguration``)."""
    return str(dell_job_block(doc).get("JobType")) in STAGED_TYPES


def job_id(location: str) -> str:
    """``JID_878623579002`` out of a ``Location`` path."""
    return location.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class DellJob(Job):
    """One iDRAC job, read from ``Managers/<manager>/Jobs/<JID>``.

    :param client: the connected client.
    :param uri: the job's path (the ``Location`` of the 202).
    :param staged: the job waits for the next reset (kind ``on-reset``).
    """

    def __init__(self, client: Any, uri: str, description: str, *, staged: bool) -> None:
        super().__init__(job_id(uri), "on-reset" if staged else "vendor-job", description,
                         client.host)
        self.client = client
        self.uri = uri

    @classmethod
    def follow(cls, client: Any, location: str, description: str) -> DellJob:
        """The job of a 202 answer, its kind read once from its ``JobType``."""
        try:
            staged = is_staged(client.get(location))
        except (HttpError, MalformedResponse):
            staged = False
        return cls(client, location, description, staged=staged)

    def read_status(self) -> JobStatus:
        """One GET of the job."""
        return job_status(self.client.get(self.uri))


class DellJobGroup(Job):
    """Several jobs followed as one (an import on several controllers): failed or cancelled
    as soon as one is, completed when all are, else the least advanced state.

    :param jobs: the jobs, in the order they were started.
    """

    def __init__(self, jobs: Sequence[Job], description: str, host: str | None) -> None:
        kind = "on-reset" if any(j.kind == "on-reset" for j in jobs) else "vendor-job"
        super().__init__(",".join(j.id for j in jobs), kind, description, host)
        self.jobs = tuple(jobs)

    def read_status(self) -> JobStatus:
        """One read of each job."""
        found = [(job, job.status()) for job in self.jobs]
        for ended in (JobState.FAILED, JobState.CANCELLED):
            failed = [(j, s) for j, s in found if s.state is ended]
            if failed:
                return JobStatus(ended, None, tuple(f"{j.id}: {m}" for j, s in failed
                                                    for m in s.messages or (ended.value,)))
        for state in (JobState.UNKNOWN, JobState.PENDING, JobState.RUNNING, JobState.COMPLETED):
            some = [s for _, s in found if s.state is state]
            if some:
                percents = [s.percent for s in some if s.percent is not None]
                return JobStatus(state, min(percents) if percents else None,
                                 tuple(m for _, s in found for m in s.messages))
        return JobStatus(JobState.UNKNOWN)
