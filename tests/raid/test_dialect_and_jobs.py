"""The create dialect (RAIDType or VolumeType) from each source in order, the 400 that
allows one fallback, and task monitors followed through the core poller."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import pytest
from hamnhw_drivers.generic.raid_dialect import (
    RAID_TYPE,
    VOLUME_TYPE,
    Dialect,
    detect_dialect,
    names_dialect_as_unknown,
    raid_level_value,
    schema_version,
)
from hamnhw_drivers.generic.raid_jobs import (
    MAX_RETRY_AFTER_S,
    TaskMonitorJob,
    answer_status,
    retry_after,
)
from hamnhw_drivers.generic.raid_layout import StorageInfo
from hamnhw_drivers.generic.resource import Reader, Resource

from hamnhw.errors import BadRequestError, JobFailed, NotFoundError, http_error_class
from hamnhw.interfaces import PollPolicy
from hamnhw.jobs import JobState
from hamnhw.models import RaidType
from hamnhw.raid import RaidCapabilities
from hamnhw.sim import ManualClock
from hamnhw.transport.base import RedfishClient, RedfishResponse

VOLUMES = "/redfish/v1/Systems/1/Storage/1/Volumes"
CAPS = f"{VOLUMES}/Capabilities"
MONITOR = "/redfish/v1/TaskService/TaskMonitors/9"


class DocsClient(RedfishClient):
    """GETs from a dict; ``answers`` scripts successive ``get_response`` answers."""

    host = "bmc.test"

    def __init__(self, docs: Mapping[str, Any], answers: list[Any] | None = None) -> None:
        self.docs, self.answers, self.gets = copy.deepcopy(dict(docs)), list(answers or []), []

    @property
    def root(self) -> Mapping[str, Any]:
        return self.docs.get("/redfish/v1/", {})

    def get(self, path: str) -> dict[str, Any]:
        self.gets.append(path)
        if path not in self.docs:
            raise http_error_class(404)(host=self.host, method="GET", path=path, status=404)
        return copy.deepcopy(self.docs[path])

    def get_response(self, path: str) -> RedfishResponse:
        self.gets.append(path)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def post(self, path: str, body: Any = None) -> RedfishResponse:
        raise AssertionError("nothing is sent here")

    patch = delete = post  # type: ignore[assignment]

    def close(self) -> None:
        pass


def storage_info(collection: dict[str, Any]) -> StorageInfo:
    caps = RaidCapabilities("1", "/redfish/v1/Systems/1/Storage/1", None, VOLUMES, None, None)
    return StorageInfo(Resource("/s", {}), (), Resource(VOLUMES, collection), caps)


def creation(uri: str = CAPS) -> dict[str, Any]:
    return {"@Redfish.CollectionCapabilities": {"Capabilities": [
        {"UseCase": "VolumeCreation", "CapabilitiesObject": {"@odata.id": uri}}]}}


@pytest.mark.parametrize("text,version", [
    ("#Volume.v1_3_1.Volume", (1, 3, 1)), ("Volume.v1_10_2", (1, 10, 2)),
    ("#StorageVolume.v1_9_0.X", None), ("#Volume.Volume", None), (None, None)])
def test_schema_version(text: str | None, version: tuple[int, int, int] | None) -> None:
    assert schema_version(text) == version


def test_capabilities_object_decides_first() -> None:
    client = DocsClient({CAPS: {"VolumeType@Redfish.AllowableValues": ["Mirrored"]},
                         f"{VOLUMES}/1": {"@odata.type": "#Volume.v1_9_0.Volume"}})
    collection = {**creation(), "Members": [{"@odata.id": f"{VOLUMES}/1"}]}
    dialect = detect_dialect(Reader(client), storage_info(collection))
    assert dialect.property == VOLUME_TYPE and CAPS in dialect.source
    assert f"{VOLUMES}/1" not in client.gets


@pytest.mark.parametrize("odata_type,expected", [
    ("#Volume.v1_3_1.Volume", RAID_TYPE), ("#Volume.v1_3_0.Volume", VOLUME_TYPE),
    ("#Volume.v1_0_3.Volume", VOLUME_TYPE)])
def test_existing_volume_odata_type_decides_next(odata_type: str, expected: str) -> None:
    client = DocsClient({f"{VOLUMES}/1": {"@odata.type": odata_type}})
    collection = {"Members": [{"@odata.id": f"{VOLUMES}/1"}]}
    assert detect_dialect(Reader(client), storage_info(collection)).property == expected


def test_json_schemas_decide_when_no_volume_exists() -> None:
    client = DocsClient({
        "/redfish/v1/": {"JsonSchemas": {"@odata.id": "/redfish/v1/JsonSchemas"}},
        "/redfish/v1/JsonSchemas": {"Members": [
            {"@odata.id": "/redfish/v1/JsonSchemas/Volume.v1_2_0"},
            {"@odata.id": "/redfish/v1/JsonSchemas/Volume.v1_6_0"},
            {"@odata.id": "/redfish/v1/JsonSchemas/VolumeCollection"}]}})
    dialect = detect_dialect(Reader(client), storage_info({"Members": []}))
    assert dialect.property == RAID_TYPE and "v1.6.0" in dialect.source


def test_json_schemas_member_without_version_in_its_name() -> None:
    client = DocsClient({
        "/redfish/v1/": {"JsonSchemas": {"@odata.id": "/redfish/v1/JsonSchemas"}},
        "/redfish/v1/JsonSchemas": {"Members": [{"@odata.id": "/redfish/v1/JsonSchemas/Volume"}]},
        "/redfish/v1/JsonSchemas/Volume": {"Schema": "#Volume.v1_1_0.Volume"}})
    assert detect_dialect(Reader(client), storage_info({})).property == VOLUME_TYPE


@pytest.mark.parametrize("first,expected", [("Volume.v1_2_0", VOLUME_TYPE),
                                            ("Volume.v1_6_0", RAID_TYPE)])
def test_json_schemas_whose_later_page_fails_decide_only_for_raid_type(
        first: str, expected: str) -> None:
    """A later page that cannot be read may list a newer Volume schema: the part read
    proves RAIDType (v1.3.1+) but never VolumeType (it was "JsonSchemas ... v1.2.0", the
    part taken for the list)."""
    client = DocsClient({
        "/redfish/v1/": {"JsonSchemas": {"@odata.id": "/redfish/v1/JsonSchemas"}},
        "/redfish/v1/JsonSchemas": {
            "Members": [{"@odata.id": f"/redfish/v1/JsonSchemas/{first}"}],
            "Members@odata.nextLink": "/redfish/v1/JsonSchemas?page=2"}})
    dialect = detect_dialect(Reader(client), storage_info({"Members": []}))
    assert dialect.property == expected
    assert ("JsonSchemas" in dialect.source) is (expected == RAID_TYPE), dialect.source
    assert "/redfish/v1/JsonSchemas?page=2" in client.gets


def test_nothing_answers_volume_type_and_an_unreadable_source_is_skipped() -> None:
    client = DocsClient({"/redfish/v1/": {"JsonSchemas": {"@odata.id": "/gone"}}})
    dialect = detect_dialect(Reader(client), storage_info(creation("/gone-too")))
    assert dialect.property == VOLUME_TYPE and "no capability" in dialect.source


def test_volume_type_words_and_levels_it_cannot_name() -> None:
    old = Dialect(VOLUME_TYPE, "test")
    assert raid_level_value(old, RaidType.RAID1) == "Mirrored"
    assert raid_level_value(old, RaidType.RAID6) is None
    assert raid_level_value(old.other(), RaidType.RAID6) == "RAID6"


def refused(message_id: str, args: list[str], message: str) -> BadRequestError:
    info = [{"MessageId": message_id, "MessageArgs": args, "Message": message}]
    return BadRequestError(host="h", method="POST", path=VOLUMES, status=400,
                           redfish_message=message, extended_info=info)


def test_only_a_400_naming_the_property_unknown_allows_the_fallback() -> None:
    raid = Dialect(RAID_TYPE, "test")
    assert names_dialect_as_unknown(
        refused("Base.1.16.0.PropertyUnknown", ["RAIDType"], "The property RAIDType is not "
                "in the list of valid properties"), raid)
    assert not names_dialect_as_unknown(
        refused("Base.1.16.0.ResourceInUse", ["Bay1"], "The drive Bay1 is in use."), raid)
    assert not names_dialect_as_unknown(
        refused("Base.1.16.0.PropertyUnknown", ["Foo"], "The property Foo is unknown"), raid)


# -- jobs -----------------------------------------------------------------------------------

def answer(status: int, body: Any = None, **headers: str) -> RedfishResponse:
    return RedfishResponse(status, headers, body, MONITOR)


def test_answer_status_of_each_shape() -> None:
    assert answer_status(answer(202, None, **{"Retry-After": "5"})).retry_after_s == 5.0
    running = answer_status(answer(202, {"TaskState": "Running", "PercentComplete": 30}))
    assert (running.state, running.percent) == (JobState.RUNNING, 30)
    done = answer_status(answer(201, None, Location=f"{VOLUMES}/7"))
    assert (done.state, done.result_uri) == (JobState.COMPLETED, f"{VOLUMES}/7")
    body = answer_status(answer(200, {"@odata.id": f"{VOLUMES}/8"}))
    assert body.result_uri == f"{VOLUMES}/8"
    failed = answer_status(answer(200, {"TaskState": "Completed", "TaskStatus": "Critical",
                                        "Messages": [{"Message": "drive in use"}]}))
    assert (failed.state, failed.messages) == (JobState.FAILED, ("drive in use",))
    assert answer_status(answer(200, {"TaskState": "Pending"})).state is JobState.PENDING


def policy(clock: ManualClock) -> PollPolicy:
    return PollPolicy(interval=2.0, timeout=100.0, clock=clock, sleep=clock.sleep)


def test_task_monitor_followed_with_retry_after_and_progress() -> None:
    client = DocsClient({}, [answer(202, {"TaskState": "Running", "PercentComplete": 10},
                                    **{"Retry-After": "7"}),
                             answer(202, {"TaskState": "Running", "PercentComplete": 60}),
                             answer(200, {"@odata.id": f"{VOLUMES}/3"})])
    clock = ManualClock()
    final = TaskMonitorJob(client, MONITOR, "create").wait(policy(clock))
    assert (final.state, final.result_uri) == (JobState.COMPLETED, f"{VOLUMES}/3")
    assert clock.sleeps == [7.0, 2.0]


def test_task_that_ends_in_exception_is_job_failed() -> None:
    client = DocsClient({}, [answer(200, {"TaskState": "Exception",
                                          "Messages": [{"Message": "no space"}]})])
    with pytest.raises(JobFailed, match="no space"):
        TaskMonitorJob(client, MONITOR, "create").wait(policy(ManualClock()))


def test_a_monitor_gone_is_judged_by_the_read_it_was_given() -> None:
    gone = NotFoundError(host="h", method="GET", path=MONITOR, status=404)
    client = DocsClient({}, [gone])
    job = TaskMonitorJob(client, MONITOR, "create",
                         on_gone=lambda: answer_status(answer(201, None, Location="/v")))
    assert job.status().result_uri == "/v"
    with pytest.raises(NotFoundError):
        TaskMonitorJob(client, MONITOR, "create").status()


SENT = "Wed, 21 Oct 2015 07:28:00 GMT"
"""The ``Date`` of the answers below (the BMC's clock)."""


@pytest.mark.parametrize("value,expected", [
    ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),          # IMF-fixdate, from the answer's Date
    ("Wednesday, 21-Oct-15 07:29:00 GMT", 60.0),      # obsolete RFC 850 form
    ("Wed Oct 21 07:28:45 2015", 45.0),               # obsolete asctime form
    ("Wed, 21 Oct 2015 07:27:00 GMT", None),          # in the past
    ("Thu, 22 Oct 2015 07:28:00 GMT", MAX_RETRY_AFTER_S),  # a day: bounded
    ("soon", None), ("", None), ("0", None), ("-3", None), ("12", 12.0),
    ("86400", MAX_RETRY_AFTER_S)])
def test_retry_after_delta_or_http_date_bounded(value: str, expected: float | None) -> None:
    assert retry_after({"Retry-After": value, "Date": SENT}) == expected


def test_retry_after_date_without_a_date_header_counts_from_now() -> None:
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:20 GMT"}, now=now) == 20.0


def test_task_monitor_sleeps_until_a_retry_after_date() -> None:
    date = {"Retry-After": "Wed, 21 Oct 2015 07:28:40 GMT", "Date": SENT}
    client = DocsClient({}, [answer(202, {"TaskState": "Running"}, **date),
                             answer(200, {"@odata.id": f"{VOLUMES}/3"})])
    clock = ManualClock()
    TaskMonitorJob(client, MONITOR, "create").wait(policy(clock))
    assert clock.sleeps == [40.0]


@pytest.mark.parametrize("state", ["Completed", "Exception", "Killed"])
def test_a_202_whose_task_body_says_finished_still_runs(state: str) -> None:
    """A 202 means the operation is not done, whatever the Task body it carries says: the
    monitor is read again rather than the create taken as done (or failed) at once."""
    status = answer_status(answer(202, {"TaskState": state, "PercentComplete": 100}))
    assert (status.state, status.percent) == (JobState.RUNNING, 100)
