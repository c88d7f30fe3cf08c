"""Long operations as :class:`Job` objects: a Redfish task monitor (202), a vendor job
(Dell ``JID_...``), a change staged until the next reset, or one the BMC completed at
once (201/200).  A driver returns a Job; :meth:`Job.wait` follows it through the one
core poller, :func:`hamnhw.poll.poll_until`, with progress.

A driver subclasses :class:`Job` and implements :meth:`Job.status` (one read); nothing
else about waiting is written twice.
"""

from __future__ import annotations

import dataclasses
import enum

from hamnhw import readmemo
from hamnhw.deadline import Deadline
from hamnhw.errors import JobFailed
from hamnhw.poll import PollPolicy, poll_until


class JobState(enum.StrEnum):
    """Where a long operation stands."""

    PENDING = "pending"
    """Accepted and scheduled, not started (a change applied at the next reset)."""
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"
    """The BMC's answer did not say (never taken for done)."""

    @property
    def terminal(self) -> bool:
        """True for completed, failed and cancelled."""
        return self in (JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED)


@dataclasses.dataclass(frozen=True)
class JobStatus:
    """One read of a job."""

    state: JobState
    """Where it stands."""
    percent: int | None = None
    """Percent complete, when the BMC says."""
    messages: tuple[str, ...] = ()
    """The BMC's messages (already free of secrets)."""
    result_uri: str | None = None
    """The resource the job created (a new Volume), when known."""
    retry_after_s: float | None = None
    """When the BMC asked to be polled again (``Retry-After``), seconds."""

    def describe(self) -> str:
        """Short text for progress lines: ``running 41%``."""
        return f"{self.state.value} {self.percent}%" if self.percent is not None else \
            self.state.value


class Job:
    """A long operation on one BMC.

    :param job_id: the BMC's id (task id, ``JID_...``, or a local description).
    :param kind: ``task``, ``vendor-job``, ``on-reset`` or ``completed``.
    :param description: what it does ("create RAID1 over 2 drives").
    :param host: the BMC, for messages.
    """

    def __init__(self, job_id: str, kind: str, description: str, host: str | None) -> None:
        self.id = job_id
        self.kind = kind
        self.description = description
        self.host = host

    def status(self) -> JobStatus:
        """Read the job's state once, from the BMC: nothing a command read earlier
        (:mod:`hamnhw.readmemo`) stands in for it."""
        readmemo.new_epoch()
        return self.read_status()

    def read_status(self) -> JobStatus:
        """Read the job's state once (what a driver's job implements; callers use
        :meth:`status`).  A job written for an earlier hamnhw, which overrides :meth:`status`
        itself, keeps working (without the fresh read it then takes care of)."""
        raise NotImplementedError(f"{type(self).__name__} implements neither read_status() "
                                  "nor status()")

    def wait(self, policy: PollPolicy, deadline: Deadline | None = None, *,
             until_started: bool = False) -> JobStatus:
        """Follow the job to its end (or, with ``until_started``, until it leaves
        ``pending``), reporting progress; return the final status.

        :raises JobFailed: when it ends failed or cancelled.
        :raises WaitTimeout: when ``deadline`` passes first.
        """
        def reached(status: JobStatus) -> bool:
            return status.state.terminal or (until_started and
                                             status.state is not JobState.PENDING)

        final = poll_until(self.status, reached, deadline, policy,
                           what=f"{self.description} ({self.kind} {self.id})", host=self.host,
                           describe=JobStatus.describe, percent=lambda s: s.percent,
                           next_delay=lambda s: s.retry_after_s)
        if final.state in (JobState.FAILED, JobState.CANCELLED):
            raise JobFailed(host=self.host, job_id=self.id, state=final.state.value,
                            detail="; ".join(final.messages) or None)
        return final

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r}, {self.kind!r}, {self.description!r})"


class CompletedJob(Job):
    """An operation the BMC finished within its answer (201 Created, 200 OK)."""

    def __init__(self, description: str, host: str | None, *,
                 result_uri: str | None = None, messages: tuple[str, ...] = ()) -> None:
        super().__init__("-", "completed", description, host)
        self._status = JobStatus(JobState.COMPLETED, 100, messages, result_uri)

    def read_status(self) -> JobStatus:
        """Always completed; sends nothing."""
        return self._status
