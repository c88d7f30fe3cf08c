"""A collection that does not list its ``Members`` is unknown, not empty.

``null`` means the BMC did not tell, ``[]`` that it said there are none: a collection document
without ``Members`` (or with ``"Members": null``) says nothing about what it holds, unless its
``Members@odata.count`` is ``0`` (docs/conformance.md, "Unknown is not none").
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from driver_fakes import SYSTEM, FakeClient, make_driver, minimal_docs
from hamnhw_drivers.generic.resource import Reader, Resource
from shape_docs import C1, link, links, service

from hamnhw import raid as raid_rules
from hamnhw.errors import MalformedResponse
from hamnhw.vendorhints import _member_uris

COLLECTION = f"{SYSTEM}/EthernetInterfaces"


def res(doc: dict[str, Any]) -> Resource:
    return Resource(COLLECTION, doc, "bmc.test")


@pytest.mark.parametrize("doc", [{"Name": "x"}, {"Members": None},
                                 {"Members@odata.count": 2}, {"Members@odata.count": None}])
def test_a_collection_without_members_is_unknown(doc: dict[str, Any]) -> None:
    assert res(doc).members() is None
    with pytest.raises(MalformedResponse) as info:
        res(doc).require_members()
    assert info.value.uri == COLLECTION and info.value.json_path == "$.Members"
    assert "bmc.test" in str(info.value)


@pytest.mark.parametrize("doc", [{"Members": []}, {"Members@odata.count": 0},
                                 {"Members": None, "Members@odata.count": 0}])
def test_an_empty_array_or_a_count_of_zero_is_none(doc: dict[str, Any]) -> None:
    assert res(doc).members() == [] and res(doc).require_members() == []


def test_members_of_the_wrong_type_are_malformed() -> None:
    with pytest.raises(MalformedResponse):
        res({"Members": {"@odata.id": "/x"}}).members()


def test_reader_collection_refuses_a_collection_without_members() -> None:
    client = FakeClient({**minimal_docs(), COLLECTION: {"Name": "x"}})
    with pytest.raises(MalformedResponse):
        Reader(client).collection(COLLECTION)


# -- NICs --------------------------------------------------------------------------------------

def nic_docs(collection: dict[str, Any]) -> dict[str, Any]:
    docs = service({"EthernetInterfaces": link(COLLECTION)}, {C1: {}})
    docs[COLLECTION] = collection
    return docs


@pytest.mark.parametrize("collection", [{"Name": "x"}, {"Members": None}])
def test_nics_of_a_collection_without_members_are_unknown_and_incomplete(
        collection: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    view = make_driver(FakeClient(nic_docs(collection))).nics.view()
    assert view.nics is None
    assert view.incomplete
    [warning] = view.warnings
    assert COLLECTION in warning and "no Members" in warning
    assert any("bmc.test" in r.getMessage() and COLLECTION in r.getMessage()
               for r in caplog.records)  # the log names the BMC


def test_nics_of_a_collection_counting_zero_members_are_none() -> None:
    view = make_driver(FakeClient(nic_docs({"Members@odata.count": 0}))).nics.view()
    assert (view.nics, view.incomplete) == ((), False)


def test_bmc_nics_of_a_manager_collection_without_members_are_unknown() -> None:
    manager = "/redfish/v1/Managers/1"
    docs = nic_docs({"Members": []})
    docs[SYSTEM]["Links"]["ManagedBy"] = links(manager)
    docs[manager] = {"Id": "1", "EthernetInterfaces": link(f"{manager}/EthernetInterfaces")}
    docs[f"{manager}/EthernetInterfaces"] = {"Name": "x"}
    view = make_driver(FakeClient(docs)).nics.view()
    assert view.nics == () and view.bmc_nics is None
    assert view.incomplete and "BMC NICs not readable" in view.warnings[-1]


# -- storage and RAID --------------------------------------------------------------------------

STORAGE = f"{SYSTEM}/Storage"


def raid_docs(volumes: dict[str, Any], drives: int = 2) -> dict[str, Any]:
    st = f"{STORAGE}/1"
    docs = service({"Storage": link(STORAGE)}, {C1: {}})
    docs[STORAGE] = {"Members": links(st)}
    docs[st] = {"Id": "1", "Drives": links(*(f"{st}/Drives/{i}" for i in range(drives))),
                "Volumes": link(f"{st}/Volumes")}
    for i in range(drives):
        docs[f"{st}/Drives/{i}"] = {"Id": str(i), "SerialNumber": f"SN{i}",
                                    "Status": {"State": "Enabled", "Health": "OK"}}
    docs[f"{st}/Volumes"] = volumes
    return docs


def test_volumes_of_a_collection_without_members_are_unknown_and_checked_unknown() -> None:
    status = make_driver(FakeClient(raid_docs({"Name": "Volume Collection"}))).raid.status()
    assert status.volumes is None and status.incomplete
    assert any(f"{STORAGE}/1/Volumes" in w for w in status.warnings)
    verdict = raid_rules.check(status)
    assert (verdict.ok, verdict.state) == (False, "unknown")
    assert "no RAID volume" not in verdict.reason


def test_volumes_of_an_empty_collection_are_none() -> None:
    status = make_driver(FakeClient(raid_docs({"Members": []}))).raid.status()
    assert status.volumes == () and not status.incomplete
    assert raid_rules.check(status).state == "none"


def test_a_storage_collection_without_members_leaves_storage_unknown() -> None:
    docs = raid_docs({"Members": []})
    docs[STORAGE] = {"Name": "Storage Collection"}
    driver = make_driver(FakeClient(docs))
    status = driver.raid.status()
    assert (status.volumes, status.drives) == (None, None)
    assert status.incomplete and any(STORAGE in w for w in status.warnings)


def test_with_no_drive_there_is_no_spare() -> None:
    status = make_driver(FakeClient(raid_docs({"Members": []}, drives=0))).raid.status()
    assert status.drives == () and status.spares == ()


def test_with_drives_that_do_not_tell_spares_stay_unknown() -> None:
    status = make_driver(FakeClient(raid_docs({"Members": []}))).raid.status()
    assert len(status.drives or ()) == 2 and status.spares is None


def test_a_chassis_drive_collection_without_members_is_a_warning() -> None:
    docs = raid_docs({"Members": []})
    docs[C1] = {"Drives": link(f"{C1}/Drives")}
    docs[f"{C1}/Drives"] = {"Name": "x"}
    view = make_driver(FakeClient(docs)).raid.storage()
    assert len(view.drives or ()) == 2  # the Storage's drives are kept
    assert view.incomplete and any(f"{C1}/Drives" in w for w in view.warnings)


# -- systems and detection ---------------------------------------------------------------------

def test_a_systems_collection_without_members_is_malformed_not_systemless() -> None:
    docs = minimal_docs()
    docs["/redfish/v1/Systems"] = {"Name": "Computer System Collection"}
    with pytest.raises(MalformedResponse) as info:
        make_driver(FakeClient(docs)).power.state()
    assert info.value.uri == "/redfish/v1/Systems"


def test_detection_reads_a_collection_without_members_as_a_problem() -> None:
    client = FakeClient({**minimal_docs(), "/redfish/v1/Systems": {"Name": "x"}})
    with pytest.raises(MalformedResponse, match="members are unknown"):
        _member_uris(client, "/redfish/v1/Systems")
    client.docs["/redfish/v1/Systems"] = {"Members@odata.count": 0}
    assert _member_uris(client, "/redfish/v1/Systems") == []
