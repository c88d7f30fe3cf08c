"""Dell rules checked without a BMC: the Lifecycle Controller's readiness, detection by the
Manager ``Model`` of a published capture, the firmware boundary of the create dialect, and the
order of the foreign imports on several controllers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from captures import FakeClient, dell
from hamnhw_drivers.dell import DellIdracDriver, services
from hamnhw_drivers.dell.jobs import DellJobGroup
from hamnhw_drivers.dell.raid import DellRaid, dialect_for_firmware
from hamnhw_drivers.generic import GenericRedfishDriver

from hamnhw.address import parse_bmc_url
from hamnhw.interfaces import PollPolicy
from hamnhw.jobs import Job, JobState, JobStatus
from hamnhw.raid import PlannedRequest
from hamnhw.registry import detect


@pytest.mark.parametrize(("answer", "ready"), [
    ({"LCStatus": "Ready"}, True), ({"LCStatus": "NotReady"}, False),
    ({"LCStatus": "Unknown"}, False), ({"LCStatus": "InUse"}, False), ({}, False),
    (None, True)])  # None: the iDRAC offers no GetRemoteServicesAPIStatus (iDRAC 8, old 3.x)
def test_only_a_ready_lifecycle_controller_takes_a_write(answer: Any, ready: bool) -> None:
    assert services.lc_ready(answer) is ready


@pytest.mark.parametrize(("firmware", "named"), [
    ("4.40.00.00", "RAIDType"), ("4.40.10.00", "RAIDType"), ("4.39.99.99", "VolumeType"),
    ("7.00.00.00", "RAIDType"), ("3.30.30.30", "VolumeType")])
def test_raid_type_from_firmware_4_40_on(firmware: str, named: str) -> None:
    found = dialect_for_firmware(firmware, "15G Monolithic")
    assert found is not None and found.property == named


def test_detected_by_the_manager_model_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ServiceRoot without Vendor or Oem and no System to read (some iDRAC 9 3.x lack the
    first two; their System, whose ``Oem.Dell`` or ``Manufacturer`` would settle it, is
    left out here): the Manager ``Model`` of the published sample, ``14G Monolithic``,
    picks the Dell driver over the generic one."""
    manager = dell("sushy-oem-idrac-6.0.0", "manager.json")
    managers = {"Members": [{"@odata.id": "/redfish/v1/Managers/iDRAC.Embedded.1"}]}
    root = {"@odata.id": "/redfish/v1/", "Managers": {"@odata.id": "/redfish/v1/Managers"}}
    client = FakeClient({"/redfish/v1/Managers": managers,
                         "/redfish/v1/Managers/iDRAC.Embedded.1": manager}, root=root)
    # the names the entry points give (restored after: other tests read them)
    monkeypatch.setattr(DellIdracDriver, "name", "dell")
    monkeypatch.setattr(GenericRedfishDriver, "name", "generic")
    found, detection = detect(client, parse_bmc_url("redfish://capture.invalid"),
                              {"generic": GenericRedfishDriver, "dell": DellIdracDriver})
    assert found is DellIdracDriver
    assert detection.reason == "Manager Model '14G Monolithic'"


class FakeJob(Job):
    """A job whose waits and reads are recorded in ``events``."""

    def __init__(self, job_id: str, kind: str, events: list[str],
                 state: JobState = JobState.COMPLETED) -> None:
        super().__init__(job_id, kind, f"job {job_id}", "capture.invalid")
        self.events, self.state = events, state

    def read_status(self) -> JobStatus:
        return JobStatus(self.state, 100 if self.state is JobState.COMPLETED else 0)

    def wait(self, policy: Any, deadline: Any = None, *,
             until_started: bool = False) -> JobStatus:
        self.events.append(f"wait {self.id}")
        return self.status()


class TwoControllers(DellRaid):
    """A DellRaid whose BMC has foreign drives on two controllers; what it sends is recorded
    (the order of the imports is the point, not the reads)."""

    def __init__(self, kind: str, states: dict[str, JobState] | None = None) -> None:
        self.events: list[str] = []
        self.kind, self.states = kind, states or {}
        self.host = "capture.invalid"
        self.poll = PollPolicy()

    def layout(self) -> Any:
        owner = {"d1": "RAID.Integrated.1-1", "d2": "RAID.Slot.3-1"}
        return SimpleNamespace(drives=tuple(owner), storage_of_drive=lambda d: SimpleNamespace(
            capabilities=SimpleNamespace(storage_id=owner[d])))

    def foreign_of(self, drives: Any) -> Any:
        return tuple(drives)

    def _raid_action(self, name: str, body: dict[str, object]) -> PlannedRequest:
        return PlannedRequest("POST", f"/{name}", body)

    def send(self, request: PlannedRequest) -> Any:
        assert request.body is not None
        self.events.append(f"POST {request.body['TargetFQDD']}")
        return request.body["TargetFQDD"]

    def follow_write(self, response: Any, description: str) -> Job:
        return FakeJob(f"JID_{response}", self.kind, self.events,
                       self.states.get(str(response), JobState.COMPLETED))


def test_realtime_imports_run_one_controller_after_the_other() -> None:
    raid = TwoControllers("vendor-job")
    job = raid.import_foreign()
    assert raid.events == ["POST RAID.Integrated.1-1", "wait JID_RAID.Integrated.1-1",
                           "POST RAID.Slot.3-1"]
    assert isinstance(job, DellJobGroup)
    assert [j.id for j in job.jobs] == ["JID_RAID.Integrated.1-1", "JID_RAID.Slot.3-1"]


def test_staged_imports_all_wait_for_the_same_reset() -> None:
    """A staged job completes only at the reset: waiting for it before the next controller's
    import would never end."""
    raid = TwoControllers("on-reset", {"RAID.Slot.3-1": JobState.PENDING})
    job = raid.import_foreign()
    assert raid.events == ["POST RAID.Integrated.1-1", "POST RAID.Slot.3-1"]
    assert job.kind == "on-reset" and job.status().state is JobState.PENDING


def test_a_group_fails_when_one_import_fails() -> None:
    raid = TwoControllers("on-reset", {"RAID.Slot.3-1": JobState.FAILED})
    status = raid.import_foreign().status()
    assert status.state is JobState.FAILED
    assert status.messages == ("JID_RAID.Slot.3-1: failed",)
