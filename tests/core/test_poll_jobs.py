"""The one poller and the Job abstraction, on a manual clock."""

from __future__ import annotations

import pytest

from hamnhw import progress
from hamnhw.errors import JobFailed, WaitTimeout
from hamnhw.jobs import CompletedJob, Job, JobState, JobStatus
from hamnhw.poll import PollPolicy, poll_until
from hamnhw.sim import ManualClock


class Recorder:
    def __init__(self) -> None:
        self.updates: list[progress.WaitUpdate] = []
        self.finished: list[tuple[progress.WaitUpdate, bool]] = []

    def update(self, update: progress.WaitUpdate) -> None:
        self.updates.append(update)

    def finish(self, update: progress.WaitUpdate, ok: bool) -> None:
        self.finished.append((update, ok))


def policy(clock: ManualClock, interval: float = 2.0) -> PollPolicy:
    return PollPolicy(interval=interval, clock=clock, sleep=clock.sleep)


def test_poll_until_returns_the_reached_value_and_reports_each_read() -> None:
    clock = ManualClock()
    values = iter(["a", "b", "c"])
    pol = policy(clock)
    with progress.reporting(Recorder()) as rec:
        got = poll_until(lambda: next(values), lambda v: v == "c", pol.deadline(60), pol,
                         what="thing")
    assert got == "c"
    assert [u.state for u in rec.updates] == ["a", "b", "c"]
    assert rec.finished[-1][1] is True
    assert clock() == pytest.approx(1004.0)


def test_poll_until_raises_wait_timeout_at_the_deadline_without_oversleeping() -> None:
    clock = ManualClock()
    pol = policy(clock, interval=3.0)
    with progress.reporting(Recorder()) as rec, pytest.raises(WaitTimeout) as info:
        poll_until(lambda: "stuck", lambda v: False, pol.deadline(7), pol, what="x", host="h")
    assert info.value.last_state == "stuck"
    assert "h: x" in str(info.value)
    assert clock() == pytest.approx(1007.0)
    assert rec.finished[-1][1] is False


def test_poll_until_honours_next_delay_and_custom_timeout_error() -> None:
    clock = ManualClock()
    pol = policy(clock, interval=2.0)
    with pytest.raises(KeyError):
        poll_until(lambda: 1, lambda v: False, pol.deadline(10), pol, what="x",
                   next_delay=lambda v: 5.0, on_timeout=lambda v, e: KeyError(e))
    assert clock.sleeps[:2] == [5.0, 5.0]


class ScriptedJob(Job):
    def __init__(self, statuses: list[JobStatus]) -> None:
        super().__init__("JID_1", "vendor-job", "create RAID1", "bmc")
        self.statuses = iter(statuses)

    def read_status(self) -> JobStatus:
        return next(self.statuses)


def test_job_wait_follows_to_completion_with_percent() -> None:
    clock = ManualClock()
    job = ScriptedJob([JobStatus(JobState.PENDING), JobStatus(JobState.RUNNING, 50),
                       JobStatus(JobState.COMPLETED, 100, result_uri="/v")])
    with progress.reporting(Recorder()) as rec:
        final = job.wait(policy(clock), policy(clock).deadline(100))
    assert final.result_uri == "/v"
    assert [u.percent for u in rec.updates] == [None, 50, 100]


def test_job_wait_until_started_stops_after_pending() -> None:
    clock = ManualClock()
    job = ScriptedJob([JobStatus(JobState.PENDING), JobStatus(JobState.RUNNING, 5)])
    assert job.wait(policy(clock), None, until_started=True).state is JobState.RUNNING


def test_failed_job_raises_job_failed_with_messages() -> None:
    clock = ManualClock()
    job = ScriptedJob([JobStatus(JobState.FAILED, messages=("drive in use",))])
    with pytest.raises(JobFailed, match="JID_1 ended failed: drive in use"):
        job.wait(policy(clock))


def test_completed_job_sends_nothing() -> None:
    job = CompletedJob("delete volume 2", "bmc", result_uri="/x")
    assert job.status().state.terminal
    assert job.wait(PollPolicy()).result_uri == "/x"


def test_job_status_reads_the_bmc_again_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """``status()`` starts a new read epoch, so that a second status of one command is not
    answered from the read memo with the first one."""
    from hamnhw import readmemo
    epochs: list[int] = []
    job = ScriptedJob([JobStatus(JobState.PENDING, 0), JobStatus(JobState.FAILED, 100)])
    monkeypatch.setattr(job, "read_status",
                        lambda original=job.read_status: (epochs.append(readmemo.epoch()),
                                                          original())[1])
    assert [job.status().state, job.status().state] == [JobState.PENDING, JobState.FAILED]
    assert epochs[1] > epochs[0]


def test_a_job_overriding_status_itself_still_works_and_one_with_neither_says_so() -> None:
    class OldStyle(Job):
        def status(self) -> JobStatus:
            return JobStatus(JobState.COMPLETED, 100)

    class Neither(Job):
        pass

    assert OldStyle("1", "task", "old", "bmc").status().state is JobState.COMPLETED
    with pytest.raises(NotImplementedError, match="Neither implements neither"):
        Neither("2", "task", "none", "bmc").status()
