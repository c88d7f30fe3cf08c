"""A collection's ``Members`` (:mod:`hamnhw.members`, the one reader core code and the drivers
share): null or absent is unknown (None), ``[]`` or a zero count is none, a part (fewer than
counted, or pages not read) is neither; anything else unusable is a typed error."""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamnhw.errors import (
    BmcTimeout,
    BmcUnreachable,
    HamnhwError,
    MalformedResponse,
    ServerSideError,
)
from hamnhw.members import (
    MAX_PAGES,
    MemberList,
    member_uris,
    parse_members,
    read_members,
    require_member_uris,
)

URI = "/redfish/v1/EventService/Subscriptions"
COUNT, NEXT = "Members@odata.count", "Members@odata.nextLink"


def refs(*uris: str) -> list[dict[str, str]]:
    return [{"@odata.id": uri} for uri in uris]


@pytest.mark.parametrize(("doc", "expected"), [
    ({"Members": refs("/a", "/b")}, ["/a", "/b"]),
    ({"Members": []}, []),
    ({COUNT: 0}, []),
    ({COUNT: 0.0}, []),  # a JSON number of integral value is a count
    ({"Members": None, COUNT: 0}, []),
    ({"Members": [], COUNT: 0}, []),
    ({"Members": refs("/a"), COUNT: 1.0}, ["/a"]),
    ({"Members": refs("/a", "/b"), COUNT: 1}, ["/a", "/b"]),  # more than counted: all there
    ({}, None),
    ({"Members": None}, None),
    ({COUNT: 2}, None),
    ({COUNT: None}, None),
    ({"Members": [{"@odata.id": "/a"}, {"Id": "b"}, "c"]}, ["/a"]),  # no @odata.id: skipped
    ({"Members": [{"Id": "b"}, "c"]}, None),  # old: [] (members listed, none usable)
    ({"Members": [{"@odata.id": "/a"}, {"Id": "b"}], COUNT: 2}, ["/a"]),  # ...but counted
])
def test_member_uris_tells_unknown_from_none(doc: dict, expected: list[str] | None) -> None:
    assert member_uris(doc, uri=URI) == expected


def test_require_member_uris_refuses_an_unknown_list_naming_where() -> None:
    with pytest.raises(MalformedResponse, match="its members are unknown") as info:
        require_member_uris({"Members": None}, uri=URI, host="bmc.test")
    assert info.value.uri == URI and info.value.json_path == "$.Members"
    assert "bmc.test" in str(info.value)
    assert require_member_uris({COUNT: 0}, uri=URI) == []


@pytest.mark.parametrize(("doc", "path"), [
    ({"Members": {"@odata.id": "/a"}}, "$.Members"),
    ({"Members": "/a"}, "$.Members"),
    ({COUNT: False}, f"$.{COUNT}"),  # old: None here, [] in vendorhints (False == 0)
    ({COUNT: True, "Members": refs("/a")}, f"$.{COUNT}"),
    ({COUNT: "0"}, f"$.{COUNT}"),  # old: None here
    ({COUNT: -1}, f"$.{COUNT}"),
    ({COUNT: 2.5}, f"$.{COUNT}"),
    ({COUNT: math.inf}, f"$.{COUNT}"),
    ({COUNT: math.nan}, f"$.{COUNT}"),
    ({COUNT: [0]}, f"$.{COUNT}"),
    ({"Members": refs("/a"), NEXT: 7}, f"$.{NEXT}"),
    ({"Members": refs("/a"), NEXT: ""}, f"$.{NEXT}"),
    ({"Members": refs("/a"), NEXT: {"@odata.id": "/b"}}, f"$.{NEXT}"),
])
def test_a_property_of_the_wrong_type_is_malformed_naming_it(doc: dict, path: str) -> None:
    with pytest.raises(MalformedResponse) as info:
        parse_members(doc, uri=URI)
    assert (info.value.uri, info.value.json_path) == (URI, path)


@pytest.mark.parametrize("doc", [[], "x", None, 3])
def test_a_collection_that_is_no_object_is_malformed(doc: Any) -> None:
    with pytest.raises(MalformedResponse, match="not a JSON object"):
        parse_members(doc, uri=URI)


def test_an_empty_array_with_a_count_above_zero_is_unknown_not_none() -> None:
    """Old: ``[]`` in all three readers (the BMC says there are some and lists none)."""
    found = parse_members({"Members": [], COUNT: 2}, uri=URI)
    assert (found.listed, found.every, found.count) == (None, None, 2)
    assert found.incomplete is not None and "0 of the 2" in found.incomplete
    with pytest.raises(MalformedResponse, match="0 of the 2 members it counts"):
        found.require()
    with pytest.raises(MalformedResponse):
        found.part()


def test_a_count_above_the_array_without_a_next_link_is_incomplete() -> None:
    """Old: the one member listed, as if all."""
    found = parse_members({"Members": refs("/a"), COUNT: 3}, uri=URI)
    assert found.listed == ["/a"] and found.part() == ["/a"]
    assert found.every is None
    assert "lists 1 of the 3 members it counts" in (found.incomplete or "")
    with pytest.raises(MalformedResponse, match="1 of the 3"):
        found.require()


def test_one_page_of_a_paged_collection_is_incomplete() -> None:
    """Old: the first page, as if all (a paged Subscriptions collection looked complete)."""
    found = parse_members({"Members": refs("/a"), COUNT: 2, NEXT: f"{URI}?$skip=1"}, uri=URI)
    assert (found.listed, found.every, found.next_link) == (["/a"], None, f"{URI}?$skip=1")
    assert "is paged" in (found.incomplete or "")


class Pages:
    """Serves documents by path and records what was asked."""

    def __init__(self, docs: dict[str, Any]) -> None:
        self.docs = docs
        self.asked: list[str] = []

    def get(self, path: str) -> Any:
        self.asked.append(path)
        return self.docs.get(path)


def paged(*pages: list[str], count: int | None = None) -> dict[str, Any]:
    """A collection at ``URI`` in ``pages``, each linking the next."""
    docs: dict[str, Any] = {}
    total = sum(len(page) for page in pages) if count is None else count
    for index, page in enumerate(pages):
        doc: dict[str, Any] = {"Members": refs(*page), COUNT: total}
        if index + 1 < len(pages):
            doc[NEXT] = f"{URI}?$skip={index + 1}"
        docs[URI if index == 0 else f"{URI}?$skip={index}"] = doc
    return docs


def test_read_members_follows_every_next_link_in_order() -> None:
    pages = Pages(paged(["/a", "/b"], ["/c"], ["/d"]))
    found = read_members(pages.get, URI, host="bmc.test")
    assert (found.listed, found.every, found.incomplete) == (["/a", "/b", "/c", "/d"],) * 2 + (
        None,)
    assert found.require() == ["/a", "/b", "/c", "/d"]
    assert pages.asked == [URI, f"{URI}?$skip=1", f"{URI}?$skip=2"]


def test_read_members_takes_a_first_page_already_read() -> None:
    docs = paged(["/a"], ["/b"])
    pages = Pages(docs)
    assert read_members(pages.get, URI, doc=docs[URI]).require() == ["/a", "/b"]
    assert pages.asked == [f"{URI}?$skip=1"]


def test_pages_listing_fewer_than_the_first_page_counts_are_incomplete() -> None:
    found = read_members(Pages(paged(["/a"], ["/b"], count=5)).get, URI)
    assert found.listed == ["/a", "/b"] and found.every is None
    assert "lists 2 of the 5" in (found.incomplete or "")


def test_a_next_link_back_to_a_page_already_read_stops_incomplete() -> None:
    docs = paged(["/a"], ["/b"])
    docs[f"{URI}?$skip=1"][NEXT] = f"{URI}/"  # the first page again
    pages = Pages(docs)
    found = read_members(pages.get, URI)
    assert found.listed == ["/a", "/b"] and "page already read" in (found.incomplete or "")
    assert pages.asked == [URI, f"{URI}?$skip=1"]


def test_pages_beyond_the_cap_are_not_read_and_the_list_is_incomplete() -> None:
    pages = Pages(paged(*[[f"/m{i}"] for i in range(MAX_PAGES + 5)]))
    found = read_members(pages.get, URI)
    assert len(pages.asked) == MAX_PAGES and found.listed is not None
    assert len(found.listed) == MAX_PAGES and found.next_link == f"{URI}?$skip={MAX_PAGES}"
    assert f"more than {MAX_PAGES} pages" in (found.incomplete or "")
    assert read_members(Pages(paged(["/a"], ["/b"], ["/c"])).get, URI,
                        max_pages=2).every is None


def test_a_page_without_members_leaves_the_list_incomplete() -> None:
    docs = paged(["/a"], ["/b"])
    docs[f"{URI}?$skip=1"] = {"Name": "page 2"}
    found = read_members(Pages(docs).get, URI)
    assert found.listed == ["/a"] and "without a Members array" in (found.incomplete or "")


def test_a_first_page_without_members_is_unknown_and_its_next_link_not_followed() -> None:
    pages = Pages({URI: {COUNT: 0, NEXT: f"{URI}?$skip=1"}})
    found = read_members(pages.get, URI)
    assert (found.listed, found.every) == (None, None) and pages.asked == [URI]


# -- properties -----------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)
LINKS = st.sampled_from([URI, f"{URI}?$skip=1", f"{URI}?$skip=2", "", "/elsewhere"])
MEMBER = st.one_of(JSON, st.fixed_dictionaries({"@odata.id": st.one_of(LINKS, JSON)}))
COLLECTION = st.fixed_dictionaries({}, optional={
    "Members": st.one_of(JSON, st.lists(MEMBER, max_size=5)),
    COUNT: st.one_of(JSON, st.integers(-1, 6), st.floats(-1, 6)),
    NEXT: st.one_of(JSON, LINKS),
})
DOCUMENT = st.one_of(COLLECTION, JSON)


def check_invariants(found: MemberList) -> None:
    assert found.listed is None or all(type(u) is str and u for u in found.listed)
    assert found.listed != [] or found.incomplete is None  # an empty list means none
    assert found.listed is not None or found.incomplete is not None
    assert found.every == (found.listed if found.incomplete is None else None)
    if found.every is None:
        with pytest.raises(MalformedResponse):
            found.require()
    else:
        assert found.require() == found.every


@settings(max_examples=200, deadline=None, database=None)
@given(DOCUMENT)
def test_any_json_gives_a_member_list_or_a_malformed_response(doc: Any) -> None:
    try:
        found = parse_members(doc, uri=URI, host="bmc.test")
    except MalformedResponse as exc:
        assert exc.uri == URI
        return
    check_invariants(found)
    if found.listed == []:  # none: the BMC said so
        assert isinstance(doc, dict)
        members, count = doc.get("Members"), doc.get(COUNT)
        assert members == [] or (members is None and count == 0)
        assert doc.get(NEXT) is None and not (count or 0)


@settings(max_examples=200, deadline=None, database=None)
@given(st.dictionaries(LINKS, DOCUMENT, max_size=4), st.integers(1, 4))
def test_any_pages_give_a_member_list_or_a_malformed_response_within_the_cap(
        docs: dict[str, Any], cap: int) -> None:
    pages = Pages(docs)
    try:
        found = read_members(pages.get, URI, host="bmc.test", max_pages=cap)
    except MalformedResponse:
        return
    finally:
        assert len(pages.asked) <= cap
    check_invariants(found)


# -- one deadline for the walk, repeats, a later page that fails ------------------------------

class Scoped(Pages):
    """Pages read through a client whose ``deadline_scope`` is recorded: each GET notes
    whether it ran inside the scope."""

    def __init__(self, docs: dict[str, Any]) -> None:
        super().__init__(docs)
        self.entered = 0
        self.depth = 0
        self.inside: list[bool] = []

    @contextlib.contextmanager
    def deadline_scope(self) -> Iterator[str]:
        self.entered += 1
        self.depth += 1
        try:
            yield "the walk's deadline"
        finally:
            self.depth -= 1

    def get(self, path: str) -> Any:
        self.inside.append(self.depth > 0)
        return super().get(path)


def test_every_page_of_a_walk_is_read_under_one_deadline_scope() -> None:
    """Old: no scope at all, each page GET got a default deadline of its own (64 pages: 64
    times the default)."""
    pages = Scoped(paged(["/a"], ["/b"], ["/c"]))
    found = read_members(pages.get, URI, scope=pages.deadline_scope)
    assert found.require() == ["/a", "/b", "/c"]
    assert (pages.entered, pages.inside) == (1, [True, True, True])


def timeout(path: str, *, passed: bool = True) -> BmcTimeout:
    return BmcTimeout(f"GET {path}: operation deadline exceeded", host="bmc.test",
                      elapsed_s=120.0, deadline_passed=passed)


def test_a_deadline_passing_on_a_later_page_is_a_timeout_naming_collection_and_pages() -> None:
    docs = paged(["/a"], ["/b"], ["/c"])
    pages = Pages(docs)
    late = f"{URI}?$skip=2"

    def get(path: str) -> Any:
        if path == late:
            raise timeout(path)
        return pages.get(path)

    with pytest.raises(BmcTimeout) as info:
        read_members(get, URI, host="bmc.test")
    error = info.value
    assert error.deadline_passed and error.host == "bmc.test" and error.elapsed_s == 120.0
    assert f"collection {URI}" in error.message and f"page 3 ({late})" in error.message
    assert "after 2 pages" in error.message and "2 members read" in error.message
    assert str(error).count("after 120.0s") == 1  # the elapsed time said once


@pytest.mark.parametrize("error", [
    ServerSideError(host="bmc.test", method="GET", path=f"{URI}?$skip=1", status=503),
    MalformedResponse("Expecting value: line 1 column 1", host="bmc.test",
                      uri=f"{URI}?$skip=1"),
    BmcUnreachable(f"GET {URI}?$skip=1: connection reset", host="bmc.test"),
    timeout(f"{URI}?$skip=1", passed=False),  # one read too slow, the deadline not passed
])
def test_a_later_page_that_fails_keeps_the_part_read_and_says_why(error: HamnhwError) -> None:
    """Old: the error, and the members of the pages read were lost."""
    docs = paged(["/a", "/b"], ["/c"], ["/d"])

    def get(path: str) -> Any:
        if path == f"{URI}?$skip=1":
            raise error
        return docs[path]

    found = read_members(get, URI, host="bmc.test")
    assert (found.listed, found.every, found.failure) == (["/a", "/b"], None, error)
    assert found.part() == ["/a", "/b"]
    why = found.incomplete or ""
    assert f"page 2 {URI}?$skip=1" in why and error.message in why and "after page 1" in why
    with pytest.raises(type(error)) as info:  # what needs every member gets the error itself
        found.require()
    assert info.value is error


def test_a_wrongly_typed_later_page_keeps_the_part_read_and_require_names_that_page() -> None:
    docs = paged(["/a"], ["/b"])
    docs[f"{URI}?$skip=1"]["Members"] = "b"
    found = read_members(Pages(docs).get, URI)
    assert found.listed == ["/a"] and "expected an array" in (found.incomplete or "")
    with pytest.raises(MalformedResponse) as info:
        found.require()
    assert info.value.uri == f"{URI}?$skip=1"


def test_a_first_page_that_fails_is_the_error_as_before() -> None:
    def get(path: str) -> Any:
        raise ServerSideError(host="bmc.test", method="GET", path=path, status=503)

    with pytest.raises(ServerSideError):
        read_members(get, URI)


def test_a_member_listed_twice_on_one_page_is_kept_once(caplog: pytest.LogCaptureFixture) -> None:
    """Old: ``["/a", "/b", "/a"]``: a caller read (or drove) ``/a`` twice."""
    caplog.set_level(logging.WARNING, "hamnhw.members")
    found = parse_members({"Members": refs("/a", "/b", "/a/"), COUNT: 3}, uri=URI,
                          host="bmc.test")
    assert found.listed == ["/a", "/b"] and found.repeated == 1
    assert "lists 2 of the 3 members it counts" in (found.incomplete or "")
    assert "1 more listed twice" in (found.incomplete or "")
    [record] = caplog.records
    assert "bmc.test" in record.getMessage() and URI in record.getMessage()
    assert "/a" in record.getMessage()
    assert member_uris({"Members": refs("/a", "/b", "/a")}) == ["/a", "/b"]  # no count: all


def test_a_member_listed_again_on_a_later_page_is_kept_once() -> None:
    """The list changed between two page reads (a member moved from page 1 to page 2)."""
    found = read_members(Pages(paged(["/a", "/b"], ["/b", "/c"], count=3)).get, URI)
    assert found.require() == ["/a", "/b", "/c"] and found.repeated == 1


def test_a_repeat_hiding_a_member_gone_makes_the_list_incomplete() -> None:
    """Old: complete: 3 entries for a count of 3, ``/b`` among them twice (``/c`` was
    removed and ``/x`` inserted in front between the two reads)."""
    found = read_members(Pages(paged(["/a", "/b"], ["/b"], count=3)).get, URI)
    assert found.listed == ["/a", "/b"] and found.every is None
    assert "lists 2 of the 3" in (found.incomplete or "")


def test_a_member_listed_twice_is_warned_once_per_bmc_and_collection(caplog) -> None:
    """An exporter reads such a BMC again and again: one warning, not one per read."""
    doc = {"Members": [{"@odata.id": "/redfish/v1/Systems/1"}] * 2}
    with caplog.at_level(logging.WARNING, logger="hamnhw"):
        for _ in range(3):
            assert parse_members(doc, uri="/redfish/v1/Systems", host="bmc-a").listed == [
                "/redfish/v1/Systems/1"]
        parse_members(doc, uri="/redfish/v1/Systems", host="bmc-b")
    said = [r.getMessage() for r in caplog.records if "more than once" in r.getMessage()]
    assert [line.split(":")[0] for line in said] == ["bmc-a", "bmc-b"]
