"""A collection's ``Members`` in core code (:mod:`hamnhw.members`): null or absent is
unknown (None), ``[]`` or a zero count is none; requiring the list refuses the unknown."""

from __future__ import annotations

import pytest

from hamnhw.errors import MalformedResponse
from hamnhw.members import member_uris, require_member_uris

URI = "/redfish/v1/EventService/Subscriptions"


@pytest.mark.parametrize(("doc", "expected"), [
    ({"Members": [{"@odata.id": "/a"}, {"@odata.id": "/b"}]}, ["/a", "/b"]),
    ({"Members": []}, []),
    ({"Members@odata.count": 0}, []),
    ({"Members": None, "Members@odata.count": 0}, []),
    ({}, None),
    ({"Members": None}, None),
    ({"Members@odata.count": 2}, None),
    ({"Members@odata.count": False}, None),  # not a count of 0
    ({"Members": [{"@odata.id": "/a"}, {"Id": "b"}, "c"]}, ["/a"]),  # no @odata.id: skipped
])
def test_member_uris_tells_unknown_from_none(doc: dict, expected: list[str] | None) -> None:
    assert member_uris(doc, uri=URI) == expected


def test_require_member_uris_refuses_an_unknown_list_naming_where() -> None:
    with pytest.raises(MalformedResponse, match="its members are unknown") as info:
        require_member_uris({"Members": None}, uri=URI, host="bmc.test")
    assert info.value.uri == URI and info.value.json_path == "$.Members"
    assert require_member_uris({"Members@odata.count": 0}, uri=URI) == []


def test_members_of_the_wrong_type_are_malformed() -> None:
    with pytest.raises(MalformedResponse, match="expected an array, got dict"):
        member_uris({"Members": {"@odata.id": "/a"}}, uri=URI)
