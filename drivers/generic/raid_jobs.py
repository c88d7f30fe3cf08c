"""RAID operations as :class:`~hamnhw.jobs.Job` objects: a Redfish task monitor (202), and
a job whose state is read from the storage itself (a change applied at the next reset, a
rebuild).  The core poller follows them (``job.wait``).
"""

from __future__ import annotations

import datetime
import email.utils
import time
from collections.abc import Callable, Mapping
from typing import Any

from hamnhw.errors import NotFoundError
from hamnhw.jobs import Job, JobState, JobStatus
from hamnhw.log import get_logger
from hamnhw.transport.base import RedfishClient, RedfishResponse

LOG = get_logger("hamnhw.drivers.generic.raid")

TASK_STATES: Mapping[str, JobState] = {
    "New": JobState.PENDING, "Pending": JobState.PENDING, "Starting": JobState.RUNNING,
    "Running": JobState.RUNNING, "Stopping": JobState.RUNNING, "Suspended": JobState.RUNNING,
    "Interrupted": JobState.RUNNING, "Service": JobState.RUNNING,
    "Completed": JobState.COMPLETED, "Exception": JobState.FAILED, "Killed": JobState.CANCELLED,
    "Cancelling": JobState.RUNNING, "Cancelled": JobState.CANCELLED,
}
"""Redfish ``TaskState`` values as job states."""


MAX_RETRY_AFTER_S = 3600.0
"""The longest ``Retry-After`` honoured: a longer one is cut to it (the deadline still
bounds every wait)."""


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """``Retry-After`` in seconds, either form (RFC 9110): delta seconds, or an HTTP date
    counted from the answer's ``Date`` (the BMC's clock), else from ``now`` (default: this
    host's clock); cut to :data:`MAX_RETRY_AFTER_S`.  None when absent, unparsable or not
    in the future."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value, headers.get("Date"), now)
    if seconds is None or not seconds > 0:
        return None
    return min(seconds, MAX_RETRY_AFTER_S)


def _seconds_until(value: str, date: str | None, now: float | None) -> float | None:
    when = _http_date(value)
    if when is None:
        return None
    sent = _http_date(date) if date else None
    return when - (sent if sent is not None else time.time() if now is None else now)


def _http_date(text: str) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
        if parsed.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses naive
            parsed = parsed.replace(tzinfo=datetime.UTC)
        return parsed.timestamp()
    except (TypeError, ValueError, OverflowError):
        return None


def task_status(doc: Mapping[str, Any], *, location: str | None = None,
                retry: float | None = None) -> JobStatus:
    """A Task document as a job status (``TaskStatus: Critical`` on a completed task is a
    failure; the task's ``Messages`` are kept)."""
    state = TASK_STATES.get(str(doc.get("TaskState")), JobState.UNKNOWN)
    if state is JobState.COMPLETED and doc.get("TaskStatus") == "Critical":
        state = JobState.FAILED
    percent = doc.get("PercentComplete")
    listed = doc.get("Messages")
    messages = tuple(str(m.get("Message")) for m in (listed if isinstance(listed, list) else ())
                     if isinstance(m, Mapping) and m.get("Message"))
    return JobStatus(state, percent if isinstance(percent, int) else None, messages,
                     location, retry)


def answer_status(answer: RedfishResponse) -> JobStatus:
    """What an answer of the operation itself (or of its monitor) says: 202 is running
    (its body may be the Task), a Task body says its state, any other 2xx is done, with
    the created resource from ``Location`` or the body's ``@odata.id``."""
    body = answer.body if isinstance(answer.body, Mapping) else {}
    delay = retry_after(answer.headers)
    if "TaskState" in body:
        status = task_status(body, retry=delay)
        if answer.status == 202 and status.state.terminal:
            return JobStatus(JobState.RUNNING, status.percent, status.messages, None, delay)
        return status
    if answer.status == 202:
        return JobStatus(JobState.RUNNING, retry_after_s=delay)
    created = answer.location or body.get("@odata.id")
    return JobStatus(JobState.COMPLETED, 100, (), created if isinstance(created, str) else None)


def task_of(answer: RedfishResponse) -> str | None:
    """The Task resource of a 202 whose body is the Task (its ``@odata.id``), else None."""
    body = answer.body if isinstance(answer.body, Mapping) else {}
    uri = body.get("@odata.id") if "TaskState" in body else None
    return uri if isinstance(uri, str) and uri else None


class TaskMonitorJob(Job):
    """A Redfish task monitor (the ``Location`` of a 202), read until it stops answering
    202; also a Task resource, read until its ``TaskState`` ends.

    :param on_gone: what the job is when the monitor answers 404 (services drop a monitor
        once its result was read): a read of the resources themselves, since the
        operation's outcome must then be judged from them.
    :param task: the Task resource behind the monitor (the 202's body): when the monitor is
        gone, a Task that says it failed, or still runs, is believed before ``on_gone``.
    """

    def __init__(self, client: RedfishClient, monitor: str, description: str, *,
                 on_gone: Callable[[], JobStatus] | None = None,
                 first: JobStatus | None = None, task: str | None = None) -> None:
        super().__init__(monitor.rstrip("/").rsplit("/", 1)[-1], "task", description,
                         client.host)
        self.client = client
        self.monitor = monitor
        self.on_gone = on_gone
        self.last = first
        self.task = task if task != monitor else None

    def read_status(self) -> JobStatus:
        """One GET of the monitor (and of the Task when the monitor is gone)."""
        try:
            answer = self.client.get_response(self.monitor)
        except NotFoundError:
            if self.on_gone is None:
                raise
            told = self._task_status()
            if told is not None and told.state is not JobState.COMPLETED:
                return told
            LOG.info("%s: task monitor %s is gone; judging from a read", self.host,
                     self.monitor)
            return self.on_gone()
        self.last = answer_status(answer)
        return self.last

    def _task_status(self) -> JobStatus | None:
        """What the Task resource says; None when there is none, or it is gone too."""
        if self.task is None:
            return None
        try:
            answer = self.client.get_response(self.task)
        except NotFoundError:
            return None
        body = answer.body if isinstance(answer.body, Mapping) else {}
        return task_status(body) if "TaskState" in body else None


class ReadJob(Job):
    """A job whose state is computed from a fresh read of the storage (a volume that
    appears after the next reset, a rebuild's progress).

    :param read: returns the status from one read.
    """

    def __init__(self, read: Callable[[], JobStatus], job_id: str, kind: str,
                 description: str, host: str | None) -> None:
        super().__init__(job_id, kind, description, host)
        self._read = read

    def read_status(self) -> JobStatus:
        """One read."""
        return self._read()
