"""The iDRAC job queue and Lifecycle Controller of the ``idrac`` personality.

Shapes follow Dell's iDRAC9 Redfish API Guide and the public samples of sushy-oem-idrac
(``job.json``, ``task.json``, ``lifecycle_service.json``: read, never copied): a job is a
``DellJob`` under ``Managers/iDRAC.Embedded.1/Jobs/JID_<12 digits>`` and the same job is a
``Task`` under ``TaskService/Tasks`` with an ``Oem.Dell`` block.  A realtime job
(``RealTimeNoRebootConfiguration``, PERC 10 and later) runs at once and completes after
``RaidSpec.task_seconds``; a staged job (``RAIDConfiguration``, PERC 9, BOSS, or
``@Redfish.OperationApplyTime: OnReset``) stays ``Scheduled`` until the host resets.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from hamnhw.sim.actions import Response
from hamnhw.sim.documents import ROOT, Json, collection, resource

if TYPE_CHECKING:
    from hamnhw.sim.state import ServerState

JOB_DONE = ("Completed", "Job completed successfully.", "PR19")
JOB_SCHEDULED = ("Scheduled", "Task successfully scheduled.", "JCP001")
JOB_RUNNING = ("Running", "Job in progress.", "PR20")
_COUNTER = itertools.count(878623579002)


@dataclasses.dataclass
class SimJob:
    """One iDRAC job.

    :param apply: makes the change; returns why it failed, or None.
    """

    id: str
    name: str
    job_type: str
    started: float
    due: float | None
    """Clock time it completes (realtime), None: at the next reset (staged)."""
    apply: Callable[[], str | None]
    target: str
    payload: Json | None = None
    outcome: str | None = None
    """None while waiting or running, ``done``, or why it failed."""

    def state(self, now: float) -> tuple[str, str, str, int]:
        """``(JobState, Message, MessageId, PercentComplete)``."""
        if self.outcome == "done":
            return (*JOB_DONE, 100)
        if self.outcome is not None:
            return "Failed", self.outcome, "SYS051", 100
        if self.due is None:
            return (*JOB_SCHEDULED, 0)
        span = max(self.due - self.started, 1e-9)
        return (*JOB_RUNNING, max(0, min(99, int((now - self.started) * 100 / span))))


class JobQueue:
    """The jobs of one simulated iDRAC.

    :param manager: the Manager path (``/redfish/v1/Managers/iDRAC.Embedded.1``).
    """

    def __init__(self, state: ServerState, manager: str) -> None:
        self.state = state
        self.manager = manager
        self.jobs: dict[str, SimJob] = {}

    def add(self, name: str, target: str, apply: Callable[[], str | None], *, staged: bool,
            seconds: float, payload: Json | None = None) -> Response:
        """Queue a job; the 202 answer a Dell action or storage write gives."""
        now = self.state.clock()
        job = SimJob(f"JID_{next(_COUNTER)}", name,
                     "RAIDConfiguration" if staged else "RealTimeNoRebootConfiguration",
                     now, None if staged else now + seconds, apply, target, payload)
        self.jobs[job.id] = job
        location = f"{self.manager}/Jobs/{job.id}"
        return Response(202, None, {"Location": location, "Retry-After": "1"})

    def pending(self, target: str) -> SimJob | None:
        """An unfinished job on the controller ``target``."""
        self.settle()
        return next((j for j in self.jobs.values() if j.target == target
                     and j.outcome is None), None)

    def settle(self) -> None:
        """Complete the realtime jobs whose time came (the host's power steps first: a
        reset that came due runs the staged jobs, whatever the client reads)."""
        self.state.advance()
        now = self.state.clock()
        for job in self.jobs.values():
            if job.outcome is None and job.due is not None and job.due <= now:
                job.outcome = job.apply() or "done"

    def on_reset(self) -> None:
        """The host reset: staged jobs run."""
        now = self.state.clock()
        for job in self.jobs.values():
            if job.outcome is None and job.due is not None and job.due <= now:
                job.outcome = job.apply() or "done"
        for job in self.jobs.values():
            if job.outcome is None and job.due is None:
                job.outcome = job.apply() or "done"

    def dell_job(self, job_id: str, base: str | None = None) -> Json | None:
        """``Managers/iDRAC.Embedded.1/Jobs/<id>`` or, where the Manager links the queue
        (iDRAC 9 6.x), ``.../Oem/Dell/Jobs/<id>``: the same DellJob.  Its fields as in a
        public iDRAC 9 6.00.30.00 capture (libredfish ``tests/mockups/dell``): ``MessageId``
        without a registry prefix (``PR19``), ``EndTime`` ``TIME_NA``."""
        self.settle()
        job = self.jobs.get(job_id)
        if job is None:
            return None
        state, message, message_id, percent = job.state(self.state.clock())
        return resource(f"{base or self.manager + '/Jobs'}/{job.id}",
                        "#DellJob.v1_2_0.DellJob", Name=job.name, Description="Job Instance",
                        JobState=state, JobType=job.job_type, Message=message, MessageArgs=[],
                        MessageId=message_id, PercentComplete=percent,
                        StartTime="TIME_NOW", EndTime="TIME_NA", CompletionTime=None,
                        TargetSettingsURI=None)

    def task(self, job_id: str) -> Json | None:
        """``TaskService/Tasks/<id>``: the job as a DMTF Task with its ``Oem.Dell`` block."""
        dell = self.dell_job(job_id)
        if dell is None:
            return None
        job = self.jobs[job_id]
        task_state = {"Completed": "Completed", "Failed": "Exception",
                      "Running": "Running"}.get(dell["JobState"], "Starting")
        extra = {"Payload": job.payload} if job.payload else {}
        return resource(f"{ROOT}/TaskService/Tasks/{job_id}", "#Task.v1_5_1.Task",
                        Name=job.name, TaskState=task_state,
                        TaskStatus="Critical" if task_state == "Exception" else "OK",
                        PercentComplete=dell["PercentComplete"],
                        Messages=[{"Message": dell["Message"], "MessageId": dell["MessageId"],
                                   "MessageArgs": []}],
                        Oem={"Dell": {**{k: v for k, v in dell.items()
                                         if not k.startswith("@odata.id")}}}, **extra)

    def collection(self, base: str | None = None) -> Json:
        """``Managers/iDRAC.Embedded.1/Jobs`` (or ``base``, ``.../Oem/Dell/Jobs``)."""
        path = base or f"{self.manager}/Jobs"
        return collection(path, "#DellJobCollection.DellJobCollection", "JobQueue",
                          [f"{path}/{i}" for i in self.jobs])


def remote_services_status(state: ServerState, busy: bool) -> Json:
    """The answer of ``DellLCService.GetRemoteServicesAPIStatus``: the Lifecycle Controller
    is not ready during POST, nor while ``busy`` (a test forces it)."""
    power = state.power_state
    in_post = power == "On" and not state._post_done(state.clock())
    server = "PoweredOff" if power != "On" else "InPOST" if in_post else "OutOfPOST"
    lc = "NotReady" if busy or in_post else "Ready"
    return {"@Message.ExtendedInfo": [{"Message": "Successfully Completed Request",
                                       "MessageId": "Base.1.8.Success", "Severity": "OK"}],
            "LCStatus": lc, "RTStatus": lc, "ServerStatus": server,
            "Status": "Ready" if lc == "Ready" else "NotReady", "TelemetryStatus": "Ready"}
