"""The Dell iDRAC samples published in sushy 5.14.0 and sushy-oem-idrac 6.0.0, parsed by the
Dell driver with their values asserted (read from the cache, never copied here)."""

from __future__ import annotations

import json

import pytest
from captures import DELL_DIRS, FakeClient, dell
from hamnhw_drivers.dell import DellIdracDriver, services
from hamnhw_drivers.dell.jobs import is_staged, job_id, job_status
from hamnhw_drivers.dell.raid import dialect_for_firmware
from hamnhw_drivers.generic.resource import Reader, Resource
from hamnhw_drivers.generic.storage import parse_controller

from hamnhw.address import parse_bmc_url
from hamnhw.jobs import JobState
from hamnhw.models import RaidType
from hamnhw.registry import detect
from hamnhw.transport.errormap import http_error

PACKAGES = sorted(DELL_DIRS)


@pytest.mark.parametrize("package", PACKAGES)
def test_scheduled_raid_task_is_a_staged_pending_job(package: str) -> None:
    task = dell(package, "task.json")
    status = job_status(task)
    assert (status.state, status.percent) == (JobState.PENDING, 0)
    assert status.messages == ("Task successfully scheduled.",)
    assert is_staged(task)
    assert job_id(task["@odata.id"]) == "JID_257309938313"


@pytest.mark.parametrize("package", PACKAGES)
def test_job_queue_member_states(package: str) -> None:
    member = dell(package, "job_collection_expanded.json")["Members"][0]
    status = job_status(member)
    assert (status.state, status.percent, status.messages) == (
        JobState.RUNNING, 100, ("Reboot is complete.",))
    assert not is_staged(member)  # JobType RebootForce
    assert job_id(member["@odata.id"]) == "RID_878460711202"


def test_completed_job() -> None:
    status = job_status(dell("sushy-5.14.0", "job.json"))
    assert (status.state, status.percent, status.messages) == (
        JobState.COMPLETED, 100, ("Job completed successfully.",))


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize(("name", "message_id", "meaning"), [
    ("error_pending_job.json", "IDRAC.2.8.LC068", "a configuration job is pending"),
    ("error_running_job.json", "IDRAC.2.8.RAC0679", "a job operation is already running"),
])
def test_busy_controller_refusals_are_named(package: str, name: str, message_id: str,
                                            meaning: str) -> None:
    raw = json.dumps(dell(package, name)).encode()
    exc = http_error(400, raw, host="capture.invalid", method="POST", path="/x")
    reason = services.busy_reason(exc)
    assert reason is not None and reason.startswith(meaning) and message_id in reason


@pytest.mark.parametrize("package", PACKAGES)
def test_raid_service_actions_and_lc_service(package: str) -> None:
    """Targets come from the documents' ``Actions``: the samples are read at another path
    (``/elsewhere/...``), where the conventional fallback would name other targets."""
    service = dell(package, "raid_service.json")
    lc = dell(package, "lifecycle_service.json")
    reader = Reader(FakeClient({"/elsewhere/raid": service, "/elsewhere/lc": lc}))
    base = "/redfish/v1/Systems/System.Embedded.1/Oem/Dell/DellRaidService/Actions/"
    for action in ("ImportForeignConfig", "AssignSpare", "UnassignSpare"):
        assert services.action_target(reader, "/elsewhere/raid",
                                      f"#DellRaidService.{action}") == \
            f"{base}DellRaidService.{action}"
    assert services.action_target(reader, "/elsewhere/lc", services.LC_ACTION) == (
        "/redfish/v1/Dell/Managers/iDRAC.Embedded.1/DellLCService/Actions/"
        "DellLCService.GetRemoteServicesAPIStatus")
    # an action the document does not list, or a document not readable: the convention
    assert services.action_target(reader, "/elsewhere/raid", "#DellRaidService.Nothing") == \
        "/elsewhere/raid/Actions/DellRaidService.Nothing"
    assert services.action_target(reader, "/missing", "#DellRaidService.AssignSpare") == \
        "/missing/Actions/DellRaidService.AssignSpare"


@pytest.mark.parametrize("package", PACKAGES)
def test_manager_and_system_oem_links(package: str) -> None:
    manager = Resource("/redfish/v1/Managers/iDRAC.Embedded.1", dell(package, "manager.json"))
    system = Resource("/redfish/v1/Systems/System.Embedded.1", dell(package, "system.json"))
    assert services.oem_link(manager, "DellLCService") == \
        "/redfish/v1/Dell/Managers/iDRAC.Embedded.1/DellLCService"
    assert services.oem_link(manager, "Jobs") == "/redfish/v1/Managers/iDRAC.Embedded.1/Jobs"
    assert services.oem_link(system, "DellRaidService") == \
        "/redfish/v1/Systems/System.Embedded.1/Oem/Dell/DellRaidService"
    assert (manager.get("Model", str), manager.get("FirmwareVersion", str)) == (
        "14G Monolithic", "3.34.34.34")
    found = dialect_for_firmware(manager.get("FirmwareVersion", str), manager.get("Model", str))
    assert found is not None and found.property == "VolumeType"  # 14G, before 4.40
    newer = dialect_for_firmware("1.10.50.00", "17G Monolithic")  # iDRAC 10 restarts at 1.x
    assert newer is not None and newer.property == "RAIDType"


@pytest.mark.parametrize("package", PACKAGES)
def test_detected_by_the_root_oem_block(package: str) -> None:
    root = dell(package, "root.json")
    client = FakeClient({}, root=root)
    drivers = {"dell": DellIdracDriver}
    DellIdracDriver.name = "dell"
    found, detection = detect(client, parse_bmc_url("redfish://capture.invalid"), drivers)
    assert found is DellIdracDriver and detection.reason == "ServiceRoot Oem key 'Dell'"


@pytest.mark.parametrize("package", PACKAGES)
def test_detected_by_the_captured_system_without_reading_the_manager(
        package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ServiceRoot stripped of ``Vendor`` and ``Oem`` (as some iDRAC 9 3.x send it):
    the captured System (``Oem.Dell``, ``Manufacturer`` 'Dell Inc.') settles it, with no
    Manager read, ahead of the generic driver."""
    from hamnhw_drivers.generic.driver import GenericRedfishDriver

    root = {key: value for key, value in dell(package, "root.json").items()
            if key not in ("Vendor", "Oem")}
    system = dell(package, "system.json")
    listing = {"Members": [{"@odata.id": system["@odata.id"]}]}
    client = FakeClient({root["Systems"]["@odata.id"]: listing, system["@odata.id"]: system},
                        root=root)
    monkeypatch.setattr(DellIdracDriver, "name", "dell")
    monkeypatch.setattr(GenericRedfishDriver, "name", "generic")
    found, detection = detect(client, parse_bmc_url("redfish://capture.invalid"),
                              {"generic": GenericRedfishDriver, "dell": DellIdracDriver})
    assert found is DellIdracDriver and detection.reason == "System Oem key 'Dell'"
    without_oem = {key: value for key, value in system.items() if key != "Oem"}
    client = FakeClient({root["Systems"]["@odata.id"]: listing,
                         system["@odata.id"]: without_oem}, root=root)
    found, detection = detect(client, parse_bmc_url("redfish://capture.invalid"),
                              {"generic": GenericRedfishDriver, "dell": DellIdracDriver})
    assert found is DellIdracDriver and detection.reason == "System Manufacturer 'Dell Inc.'"


@pytest.mark.parametrize("package", PACKAGES)
def test_storage_controller_and_its_mode(package: str) -> None:
    doc = dell(package, "storage_controller.json")
    resource = Resource(doc["@odata.id"], doc)
    controller = parse_controller(resource, "RAID.Integrated.1-1", 0)
    assert controller.raid_types == (RaidType.RAID0, RaidType.RAID1)
    assert (controller.model, controller.firmware) == ("12Gbs Integrated RAID", "1.0.0.7")
    assert services.controller_mode(resource) == "EnhancedHBA"
