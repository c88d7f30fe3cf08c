"""RecordingClient and the breadth-first walk, over an in-memory RedfishClient."""

from __future__ import annotations

import pathlib
import re

import pytest

from hamnhw.errors import ConfigError, NotFoundError
from hamnhw.fixturetools.fixture import load_exchanges, load_meta
from hamnhw.fixturetools.record import RecordingClient, WalkLimits, identify, save, walk
from hamnhw.fixturetools.scrub import Scrubber
from hamnhw.transport.base import RedfishClient, RedfishResponse

ROOT = {"@odata.id": "/redfish/v1/", "Vendor": "Acme",
        "Systems": {"@odata.id": "/redfish/v1/Systems"},
        "Managers": {"@odata.id": "/redfish/v1/Managers"},
        "JsonSchemas": {"@odata.id": "/redfish/v1/JsonSchemas"},
        "Links": {"Sessions": {"@odata.id": "/redfish/v1/SessionService/Sessions"}}}
TREE = {
    "/redfish/v1/Systems": {"Members": [{"@odata.id": "/redfish/v1/Systems/S1"},
                                        {"@odata.id": "/redfish/v1/Systems/gone"}]},
    "/redfish/v1/Managers": {"Members": [{"@odata.id": "/redfish/v1/Managers/M1"}]},
    "/redfish/v1/Systems/S1": {"SerialNumber": "ZX81SPECTRUM", "Self": {
        "@odata.id": "/redfish/v1/Systems/S1"}, "Frag": {"@odata.id": "/redfish/v1/Systems#/x"},
        "MACAddress": "00:1b:21:3a:4f:10"},
    "/redfish/v1/Managers/M1": {"Model": "Acme BMC 9", "FirmwareVersion": "7.1"},
    "/redfish/v1/JsonSchemas": {"Members": []},
}


class FakeClient(RedfishClient):
    host = "bmc.test"

    def __init__(self):
        self.gets: list[str] = []
        self.closed = False

    @property
    def root(self):
        return ROOT

    def get(self, path):
        self.gets.append(path)
        if path not in TREE:
            raise NotFoundError(host=self.host, method="GET", path=path, status=404,
                                redfish_message="no such resource")
        return TREE[path]

    def post(self, path, body=None):
        return RedfishResponse(202, {"Location": "http://bmc.test/redfish/v1/Tasks/1",
                                     "X-Auth-Token": "secret-token-123456"}, None, path)

    def patch(self, path, body, etag=None):
        return RedfishResponse(200, {}, {"ok": True}, path)

    def delete(self, path):
        return RedfishResponse(204, {}, None, path)

    def close(self):
        self.closed = True


def test_walk_is_breadth_first_bounded_and_skips_schemas_and_fragments():
    inner = FakeClient()
    visited = walk(RecordingClient(inner))
    assert visited == ["/redfish/v1/Systems", "/redfish/v1/Managers",
                       "/redfish/v1/SessionService/Sessions", "/redfish/v1/Systems/S1",
                       "/redfish/v1/Systems/gone",
                       "/redfish/v1/Managers/M1"]
    assert walk(RecordingClient(FakeClient()), WalkLimits(max_resources=2)) == visited[:2]


def test_recording_client_logs_answers_and_http_errors():
    recorder = RecordingClient(FakeClient())
    walk(recorder)
    gone = [e for e in recorder.exchanges if e.path.endswith("gone")]
    assert [(e.status, e.response_json["error"]["message"]) for e in gone] == [
        (404, "no such resource")]
    assert recorder.exchanges[0].path == "/redfish/v1/" and recorder.exchanges[0].status == 200


def test_recording_client_logs_writes_once_with_kept_headers_only():
    inner = FakeClient()
    recorder = RecordingClient(inner, record_root=False)
    answer = recorder.post("/redfish/v1/Systems/S1/Actions/ComputerSystem.Reset",
                           {"ResetType": "On"})
    recorder.close()
    assert answer.status == 202 and inner.closed
    [exchange] = recorder.exchanges
    assert exchange.request_json == {"ResetType": "On"}
    assert exchange.headers == {"Location": "/redfish/v1/Tasks/1"}


def test_http_error_is_reraised_after_logging():
    recorder = RecordingClient(FakeClient(), record_root=False)
    with pytest.raises(NotFoundError):
        recorder.get("/redfish/v1/nothing")
    assert [e.status for e in recorder.exchanges] == [404]


def test_identify_defaults_from_root_and_manager_and_honours_overrides():
    identity = identify(FakeClient())
    assert (identity.vendor, identity.model, identity.firmware) == ("Acme", "Acme BMC 9", "7.1")
    assert identify(FakeClient(), "X", "Y", "Z").directory(pathlib.Path("out")) == \
        pathlib.Path("out/x/y_z")
    assert identity.directory(pathlib.Path("f")) == pathlib.Path("f/acme/acme-bmc-9_7.1")


def test_identify_refuses_managers_counted_but_not_listed(monkeypatch):
    """Old: ``Members: []`` beside a count of 1 read as "no Manager", recorded under a
    made-up ``unknown_unknown`` another BMC's recording may write over."""
    monkeypatch.setitem(TREE, "/redfish/v1/Managers", {"Members": [], "Members@odata.count": 1})
    with pytest.raises(ConfigError, match="lists no Members") as info:
        identify(FakeClient())
    assert "0 of the 1" in info.value.message and "--model, --firmware" in info.value.message
    assert identify(FakeClient(), model="M", firmware="F").model == "M"


def test_save_writes_scrubbed_files_and_meta_counts(tmp_path):
    recorder = RecordingClient(FakeClient())
    walk(recorder)
    out = save(recorder, tmp_path / "walk", source="unit", kind="walk",
               identity=identify(FakeClient()))
    text = (out / "exchanges.json").read_text()
    assert "ZX81SPECTRUM" not in text and "00:1b:21" not in text
    system = next(e for e in load_exchanges(out) if e.path == "/redfish/v1/Systems/S1")
    assert system.response_json["SerialNumber"] == "FAKE-SN-0001"
    assert system.response_json["MACAddress"] == "02:00:00:00:00:01"
    meta = load_meta(out)
    assert meta["scrubbed"] == {"mac": 1, "serial": 1}
    assert (meta["kind"], meta["source"], meta["vendor"]) == ("walk", "unit", "Acme")
    assert "ZX81SPECTRUM" not in (out / "meta.json").read_text()


def test_save_refuses_when_the_leak_check_still_finds_something(tmp_path):
    recorder = RecordingClient(FakeClient(), record_root=False)
    recorder.patch("/redfish/v1/Systems/S1", {"IndicatorLED": "Lit"})
    recorder.exchanges[0].response_json = {"@odata.type": "#Session.v1_0_0",
                                           "Oem": {"Handle": "0f1e2d3c4b5a69788796a5b4"}}
    with pytest.raises(ValueError, match="suspicious"):
        save(recorder, tmp_path / "x", source="unit", kind="walk",
             identity=identify(FakeClient()))
    assert not (tmp_path / "x").exists()


def test_save_refuses_when_the_scrubber_misses_a_secret_key(tmp_path, monkeypatch):
    """A scrub gap on a secret key (here: the scrubber made blind to them) fails the
    recording: the leak check knows the keys on its own, and nothing is written."""
    monkeypatch.setattr("hamnhw.fixturetools.scrub.is_secret_key", lambda _key: False)
    recorder = RecordingClient(FakeClient(), record_root=False)
    recorder.patch("/redfish/v1/Systems/S1", {"IndicatorLED": "Lit"})
    recorder.exchanges[0].response_json = {"SNMP": {"AuthenticationKey": "kX9f2LqP7wZ1"}}
    with pytest.raises(ValueError, match="secret at"):
        save(recorder, tmp_path / "x", source="unit", kind="walk",
             identity=identify(FakeClient()))
    assert not (tmp_path / "x").exists()


def test_save_refuses_when_a_known_original_survives_scrubbing(tmp_path, monkeypatch):
    """Defence in depth: a scrubber bug that leaves a learned serial in free text is caught."""
    recorder = RecordingClient(FakeClient(), record_root=False)
    recorder.get("/redfish/v1/Systems/S1")
    recorder.exchanges[0].response_json = {"SerialNumber": "ZX81SPECTRUM",
                                           "Description": "board ZX81SPECTRUM"}
    monkeypatch.setattr(Scrubber, "_replace_literals", lambda self, text: text)
    with pytest.raises(ValueError, match=re.escape("original at $[0].response_json.Description")):
        save(recorder, tmp_path / "x", source="unit", kind="walk",
             identity=identify(FakeClient()))
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("vendor", ["..", ".", "...", "../..", "./..", "/", " .. "])
def test_dot_only_vendor_names_stay_inside_the_output_directory(tmp_path, vendor):
    out = tmp_path / "out"
    directory = identify(FakeClient(), vendor, "..", "..").directory(out)
    assert directory == out / "unknown" / "unknown_unknown"
    assert directory.resolve().is_relative_to(out.resolve())


def test_directory_names_keep_ordinary_dots():
    identity = identify(FakeClient(), "Dell Inc.", "iDRAC 9", "7.00.00.171")
    assert identity.directory(pathlib.Path("o")) == pathlib.Path("o/dell-inc./idrac-9_7.00.00.171")


def test_directory_names_are_never_hidden():
    identity = identify(FakeClient(), ".hidden", "..model", "1.0")
    assert identity.directory(pathlib.Path("o")) == pathlib.Path("o/hidden/model_1.0")
