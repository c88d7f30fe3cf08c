"""The resource layer's fast paths keep every answer and every typed error of the slow ones.

:class:`~hamnhw_drivers.generic.resource.Resource` checks parsed JSON objects as plain
``dict`` before falling back to the ``Mapping`` ABC, splits each dotted path once, and
:class:`~hamnhw_drivers.generic.resource.Reader` looks its client's host up once.  What a
BMC sends where an object is expected (a list, a string, a number, null) must still give
:class:`~hamnhw.errors.MalformedResponse` naming the BMC, the resource and the JSON path,
or a skipped member with a warning, never an ``AttributeError`` or ``TypeError``.
"""

from __future__ import annotations

import dataclasses
import logging
import types
from typing import Any

import pytest
from hamnhw_drivers.generic import resource as resource_module
from hamnhw_drivers.generic.resource import Field, Reader, Resource

from hamnhw.errors import MalformedResponse

URI = "/redfish/v1/Systems/1"


def res(doc: Any) -> Resource:
    return Resource(URI, doc, "bmc.test")


@pytest.mark.parametrize("doc", [[], ["Id"], "text", 5, None, True])
def test_a_document_that_is_no_object_is_malformed_naming_the_bmc(doc: Any) -> None:
    with pytest.raises(MalformedResponse) as info:
        res(doc)
    assert info.value.uri == URI and "bmc.test" in str(info.value)


@pytest.mark.parametrize("step", [[], [{"Health": "OK"}], "OK", 3, 2.5, True])
def test_an_intermediate_step_that_is_no_object_is_malformed_at_its_path(step: Any) -> None:
    resource = res({"Status": {"Inner": step}})
    for read in (lambda: resource.get("Status.Inner.Health", str),
                 lambda: resource.get(("Status", "Inner", "Health"), str),
                 lambda: resource.field(Field("Status.Inner.Health", str))):
        with pytest.raises(MalformedResponse) as info:
            read()
        assert info.value.json_path == "$.Status.Inner"
        assert info.value.uri == URI and "bmc.test" in str(info.value)


def test_null_or_absent_steps_read_as_none_and_are_not_confused_with_empty() -> None:
    resource = res({"Status": None, "Links": {"Drives": []}, "Oem": {}})
    assert resource.get("Status.Health", str) is None
    assert resource.get("Oem.Vendor.Thing", str) is None
    assert resource.get("Links.Drives", list) == []
    assert resource.links("Links.Drives") == []
    assert resource.links("Links.Volumes") is None


@pytest.mark.parametrize(("value", "kind", "expected"), [
    (5, int, 5), (5.0, int, 5.0), (5, float, 5), (2.5, float, 2.5),
    (True, bool, True), ("x", str, "x"), ({"a": 1}, dict, {"a": 1}), ([1], list, [1]),
])
def test_values_of_the_right_type_are_returned(value: Any, kind: type, expected: Any) -> None:
    got = res({"P": value}).get("P", kind)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(("value", "kind"), [
    (True, int), (False, float), ("5", int), (5, str), ([], dict), ({}, list), (1, bool),
    ("true", bool), ([], str),
])
def test_values_of_the_wrong_type_are_malformed(value: Any, kind: type) -> None:
    with pytest.raises(MalformedResponse) as info:
        res({"A": {"P": value}}).get("A.P", kind)
    assert info.value.json_path == "$.A.P"


def test_an_int_field_reads_a_json_float_as_int() -> None:
    assert res({"SpeedMbps": 1000.0}).field(Field("SpeedMbps", int)) == 1000
    assert type(res({"SpeedMbps": 1000.0}).field(Field("SpeedMbps", int))) is int


def test_any_mapping_is_an_object_not_only_dict() -> None:
    proxy = types.MappingProxyType
    resource = res(proxy({"Status": proxy({"Health": "OK"}),
                          "Members": [proxy({"@odata.id": "/a"})]}))
    assert resource.get("Status.Health", str) == "OK"
    assert resource.has("Status.Health")
    assert resource.members() == ["/a"]


@pytest.mark.parametrize("member", [[], ["/a"], "/a", None, 7, {"@odata.id": None},
                                    {"@odata.id": 7}, {"@odata.id": ""}, {"@odata.id": ["/a"]}])
def test_a_member_without_a_usable_odata_id_is_skipped_with_a_warning(
        member: Any, caplog: pytest.LogCaptureFixture) -> None:
    collection = res({"Members": [{"@odata.id": "/first"}, member, {"@odata.id": "/last"}]})
    with caplog.at_level(logging.WARNING):
        assert collection.members() == ["/first", "/last"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Members[1]" in warnings[0] and URI in warnings[0]


@pytest.mark.parametrize("members", ["/a", {"@odata.id": "/a"}, 3, True])
def test_members_that_is_no_array_is_malformed(members: Any) -> None:
    with pytest.raises(MalformedResponse) as info:
        res({"Members": members}).members()
    assert info.value.json_path == "$.Members"


@pytest.mark.parametrize("link", [[], "/a", 3])
def test_a_link_that_is_no_object_is_malformed(link: Any) -> None:
    with pytest.raises(MalformedResponse) as info:
        res({"Storage": link}).link("Storage")
    assert info.value.json_path == "$.Storage"


def test_has_tells_present_null_from_absent_through_any_step() -> None:
    resource = res({"Links": {"HostInterface": None}, "List": [1], "Text": "x"})
    assert resource.has("Links.HostInterface")
    assert not resource.has("Links.Other")
    assert not resource.has("List.Item")
    assert not resource.has("Text.Item")


def test_a_field_splits_its_path_once_and_compares_as_before() -> None:
    dotted = Field("Status.Health", str, "health")
    keys = Field(("Actions", "#ComputerSystem.Reset", "target"), str)
    assert dotted.steps == ("Status", "Health")
    assert keys.steps == ("Actions", "#ComputerSystem.Reset", "target")
    assert dotted == Field("Status.Health", str, "health")
    assert hash(dotted) == hash(Field("Status.Health", str, "health"))
    assert dataclasses.replace(dotted, path="A.B").steps == ("A", "B")
    target = {"Actions": {"#ComputerSystem.Reset": {"target": "/reset"}}}
    assert res(target).field(keys) == "/reset"


def test_paths_built_from_data_do_not_grow_the_split_cache_without_end(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource_module, "_STEPS", {})
    monkeypatch.setattr(resource_module, "_STEPS_KEPT", 3)
    resource = res({f"K{n}": {"V": n} for n in range(10)})
    assert [resource.get(f"K{n}.V", int) for n in range(10)] == list(range(10))
    assert len(resource_module._STEPS) == 3


class _Client:
    def __init__(self, host: str) -> None:
        self.host = host

    def get(self, path: str) -> Any:
        return {"@odata.id": path}


def test_a_reader_names_the_host_of_the_client_it_reads_through_now() -> None:
    reader = Reader(_Client("bmc-a"))
    assert reader.read("/x").host == "bmc-a"
    reader.client = _Client("bmc-b")
    assert reader.host == "bmc-b" and reader.read("/x").host == "bmc-b"
    assert Reader(object()).host is None
