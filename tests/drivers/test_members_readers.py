"""The three places that read a collection's ``Members`` (core's :mod:`hamnhw.members`, the
generic driver's :class:`Resource`/:class:`Reader`/:class:`Walk`, the detection hints of
:mod:`hamnhw.vendorhints`) read it alike, by :mod:`hamnhw.members`: each case below was read
differently by at least one of them before (the old answer is noted)."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
from driver_fakes import SYSTEM, FakeClient, make_driver, minimal_docs
from hamnhw_drivers.generic.resource import Reader, Resource
from shape_docs import C1, link, links, service

from hamnhw import raid as raid_rules
from hamnhw.errors import DriverNotFound, MalformedResponse
from hamnhw.members import member_uris, require_member_uris
from hamnhw.vendorhints import _first_member, _member_uris

SYSTEMS = "/redfish/v1/Systems"
COUNT, NEXT = "Members@odata.count", "Members@odata.nextLink"
UNKNOWN = object()
"""Every reader refuses the list (require) / gives None (the lenient ones)."""


def read_all(doc: dict[str, Any]) -> list[Any]:
    """What each reader that needs every member makes of ``doc`` (UNKNOWN: it refused)."""
    readers = [lambda: require_member_uris(doc, uri=SYSTEMS),
               lambda: Resource(SYSTEMS, doc, "bmc.test").require_members(),
               lambda: _member_uris(FakeClient({SYSTEMS: doc, f"{SYSTEMS}?$skip=1": {}}),
                                    SYSTEMS)]  # the next page: it lists nothing
    found: list[Any] = []
    for read in readers:
        try:
            found.append(read())
        except MalformedResponse:
            found.append(UNKNOWN)
    return found


@pytest.mark.parametrize(("doc", "expected"), [
    ({"Members": links("/a", "/b")}, ["/a", "/b"]),
    ({"Members": []}, []),
    ({COUNT: 0}, []),
    ({COUNT: 0.0}, []),
    ({}, UNKNOWN),
    ({"Members": None, COUNT: 2}, UNKNOWN),
    ({COUNT: False}, UNKNOWN),  # old: [] in vendorhints (False == 0)
    ({COUNT: "0"}, UNKNOWN),
    ({"Members": [], COUNT: 2}, UNKNOWN),  # old: [] in all three
    ({"Members": links("/a"), COUNT: 3}, UNKNOWN),  # old: ["/a"] in all three
    ({"Members": links("/a"), COUNT: 2, NEXT: f"{SYSTEMS}?$skip=1"}, UNKNOWN),  # old: ["/a"]
    ({"Members": [{"Id": "a"}]}, UNKNOWN),  # old: [] ([None] in vendorhints)
    ({"Members": [{"@odata.id": "/a"}, {"Id": "b"}]}, ["/a"]),  # old: ["/a", None] in hints
    ({"Members": {"@odata.id": "/a"}}, UNKNOWN),
])
def test_the_readers_that_need_every_member_agree(doc: dict[str, Any], expected: Any) -> None:
    assert read_all(doc) == [expected] * 3


@pytest.mark.parametrize("doc", [{"Members": [], COUNT: 2}, {"Members": links("/a"), COUNT: 3},
                                 {"Members": links("/a"), NEXT: f"{SYSTEMS}?$skip=1"}])
def test_the_lenient_readers_agree_a_part_is_not_all(doc: dict[str, Any]) -> None:
    assert member_uris(doc) is None and Resource(SYSTEMS, doc).members() is None


def paged_docs(*pages: list[str], path: str = SYSTEMS) -> dict[str, Any]:
    """The collection at ``path`` in ``pages`` (each linking the next), its whole count."""
    names = [path, *(f"{path}?$skip={index}" for index in range(1, len(pages)))]
    docs = {name: {"Members": links(*page), COUNT: sum(map(len, pages))}
            for name, page in zip(names, pages, strict=True)}
    docs.update({name: {**docs[name], NEXT: after} for name, after in itertools.pairwise(names)})
    return docs


def test_the_reader_follows_next_links() -> None:
    client = FakeClient({**paged_docs(["/a"], ["/b"]), "/a": {"Id": "a"}, "/b": {"Id": "b"}})
    reader = Reader(client)
    assert reader.require_members(SYSTEMS) == ["/a", "/b"]
    assert [r.id for r in reader.collection(SYSTEMS)] == ["a", "b"]
    assert reader.read(SYSTEMS).members() is None  # one page: not all


def test_the_only_system_of_a_paged_collection_is_not_the_first_page_one() -> None:
    """Old: the Systems collection's first page listed one system, which was driven."""
    docs = {**minimal_docs(), **paged_docs([SYSTEM], ["/redfish/v1/Systems/2"])}
    with pytest.raises(DriverNotFound, match="several systems"):
        make_driver(FakeClient(docs)).power.state()
    docs = {**minimal_docs(), **paged_docs([SYSTEM], [])}  # a last page listing none
    assert make_driver(FakeClient(docs)).power.state() is not None


def test_a_system_listed_twice_is_one_system_unless_the_count_then_disagrees() -> None:
    """Old: "the BMC manages several systems (1, 1)" (DriverNotFound).  Listed twice beside a
    count of 2, one system is one of the two counted: the other is unknown."""
    docs = minimal_docs()
    docs[SYSTEMS] = {"Members": links(SYSTEM, SYSTEM)}
    assert make_driver(FakeClient(docs)).power.state() is not None
    docs[SYSTEMS][COUNT] = 2
    with pytest.raises(MalformedResponse, match="1 of the 2 members it counts"):
        make_driver(FakeClient(docs)).power.state()


def test_a_systems_collection_counting_more_than_it_lists_is_malformed() -> None:
    """Old: the one system listed was driven, though the BMC counts two."""
    docs = minimal_docs()
    docs[SYSTEMS][COUNT] = 2
    with pytest.raises(MalformedResponse, match="1 of the 2") as info:
        make_driver(FakeClient(docs)).power.state()
    assert info.value.uri == SYSTEMS


def test_detection_reads_every_page_and_skips_members_without_odata_id() -> None:
    client = FakeClient(paged_docs(["/s/1"], ["/s/2"]))
    assert _member_uris(client, SYSTEMS) == ["/s/1", "/s/2"]
    client.docs["/redfish/v1/Managers"] = {"Members": [{"Id": "x"}, {"@odata.id": "/m/1"}]}
    root = {"Managers": link("/redfish/v1/Managers")}
    assert _first_member(client, root, "Managers") == "/m/1"  # old: None
    client.docs["/redfish/v1/Managers"] = {"Members": [], COUNT: 1}
    with pytest.raises(MalformedResponse, match="0 of the 1"):  # old: None, "no Manager"
        _first_member(client, root, "Managers")


# -- what a walk shows: the part read, and that it is incomplete -------------------------------

NICS = f"{SYSTEM}/EthernetInterfaces"


def nic_docs(*pages: list[str]) -> dict[str, Any]:
    docs = service({"EthernetInterfaces": link(NICS)}, {C1: {}})
    docs.update(paged_docs(*pages, path=NICS))
    for number, uri in enumerate((uri for page in pages for uri in page), start=1):
        docs[uri] = {"Id": uri.rsplit("/", 1)[-1], "MACAddress": f"aa:bb:cc:dd:ee:{number:02x}"}
    return docs


def test_nics_of_a_paged_collection_are_all_read_and_complete() -> None:
    """Old: the first page's NICs only, and the view said complete."""
    docs = nic_docs([f"{NICS}/1"], [f"{NICS}/2"], [f"{NICS}/3"])
    view = make_driver(FakeClient(docs)).nics.view()
    assert [n.id for n in view.nics or ()] == ["1", "2", "3"]
    assert not view.incomplete, view.warnings


def test_nics_of_a_collection_counting_more_are_the_part_read_and_incomplete(
        caplog: pytest.LogCaptureFixture) -> None:
    docs = nic_docs([f"{NICS}/1"])
    docs[NICS][COUNT] = 2
    caplog.set_level(logging.WARNING)
    view = make_driver(FakeClient(docs)).nics.view()
    assert [n.id for n in view.nics or ()] == ["1"]
    assert view.incomplete and any(NICS in w and "1 of the 2" in w for w in view.warnings)
    assert any("bmc.test" in r.getMessage() and NICS in r.getMessage() for r in caplog.records)


def test_nics_of_a_collection_whose_pages_loop_are_incomplete() -> None:
    docs = nic_docs([f"{NICS}/1"], [f"{NICS}/2"])
    docs[f"{NICS}?$skip=1"][NEXT] = NICS
    view = make_driver(FakeClient(docs)).nics.view()
    assert [n.id for n in view.nics or ()] == ["1", "2"]
    assert view.incomplete and any("page already read" in w for w in view.warnings)


def volume_docs(volumes: dict[str, Any]) -> dict[str, Any]:
    storage = f"{SYSTEM}/Storage"
    docs = service({"Storage": link(storage)}, {C1: {}})
    docs[storage] = {"Members": links(f"{storage}/1")}
    docs[f"{storage}/1"] = {"Id": "1", "Drives": [], "Volumes": link(f"{storage}/1/Volumes")}
    docs[f"{storage}/1/Volumes"] = volumes
    return docs


def test_volumes_counted_but_not_listed_are_unknown_not_none() -> None:
    """Old: ``Members: []`` beside a count of 1 read as no volume ("none", not UNKNOWN)."""
    status = make_driver(FakeClient(volume_docs({"Members": [], COUNT: 1}))).raid.status()
    assert status.volumes is None and status.incomplete
    assert any("0 of the 1" in w for w in status.warnings)
    verdict = raid_rules.check(status)
    assert (verdict.ok, verdict.state) == (False, "unknown")
