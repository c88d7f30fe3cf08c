"""When the walks read a chassis' drive list and the Chassis collection (docs/conformance.md,
"Where a system's hardware is"): the collection only when the system links no chassis, when
nothing else shows a drive (storage) or a NIC (nics), or when a driver's hook asks; a drive
only a chassis lists (an HBA/JBOD drive behind no controller) is never lost.  Over DMTF
public-localstorage (the benchmark tree of docs/performance.md) reshaped, and hand-written
documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from driver_fakes import SYSTEM, FakeClient, make_driver
from driver_mockups import mockup_dir
from shape_docs import C1, CHASSIS, adapter, drive, link, links, service

LOCAL_SYSTEM = "/redfish/v1/Systems/437XR1138R2"
LOCAL_CHASSIS = "/redfish/v1/Chassis/1U"
COLLECTION = "/redfish/v1/Chassis"
JBOD = f"{LOCAL_CHASSIS}/Drives/JBOD0"


def localstorage() -> dict[str, Any]:
    """Every document of public-localstorage by its ``@odata.id``."""
    folder = mockup_dir("public-localstorage")
    docs: dict[str, Any] = {}
    for file in folder.rglob("index.json"):
        doc = json.loads(file.read_text())
        uri = doc.get("@odata.id")
        if isinstance(uri, str):
            docs[uri] = doc
    docs["/redfish/v1/"] = docs.pop("/redfish/v1/", None) or docs.pop("/redfish/v1")
    return docs


def with_jbod_drive(docs: dict[str, Any]) -> dict[str, Any]:
    """A fifth drive in the chassis' Drives collection that no Storage lists (an HBA or
    JBOD drive behind no RAID controller)."""
    docs[f"{LOCAL_CHASSIS}/Drives"]["Members"].append(link(JBOD))
    docs[JBOD] = {"@odata.id": JBOD, "@odata.type": "#Drive.v1_17_0.Drive", "Id": "JBOD0",
                  **drive("JBOD-SERIAL")}
    return docs


def storage_drives(docs: dict[str, Any], cls: Any = None) -> tuple[list[str], FakeClient]:
    client = FakeClient(docs)
    driver = make_driver(client, cls=cls) if cls else make_driver(client)
    view = driver.raid.storage()
    return sorted(d.serial or "" for d in view.drives or ()), client


@pytest.fixture(scope="module")
def mockup_serials() -> list[str]:
    docs = localstorage()
    return sorted(docs[d["@odata.id"]]["SerialNumber"]
                  for d in docs[f"{LOCAL_SYSTEM}/Storage/1"]["Drives"])


def test_the_benchmark_tree_reads_no_chassis_collection(mockup_serials: list[str]) -> None:
    """The system links its chassis and the Storage shows every drive: the collection is
    not read; the chassis' drive list is (nothing else says whether it holds more)."""
    client = FakeClient(localstorage())
    driver = make_driver(client)

    nics = driver.nics.list()
    serials = sorted(d.serial or "" for d in driver.raid.storage().drives or ())

    assert len(nics or ()) == 2 and serials == mockup_serials
    assert client.gets_of(COLLECTION) == 0
    assert client.gets_of(f"{LOCAL_CHASSIS}/Drives") == 1
    drive_reads = [p for m, p, _ in client.requests if m == "GET" and "/Drives/" in p]
    assert len(drive_reads) == len(set(drive_reads)) == 4  # listed twice, read once


def test_a_drive_only_the_chassis_lists_is_kept(mockup_serials: list[str]) -> None:
    """The failover's "standby sees exactly the moved drives" needs every drive: one behind
    no controller, shown only by the chassis, is in ``raid.storage()``."""
    serials, client = storage_drives(with_jbod_drive(localstorage()))

    assert serials == sorted([*mockup_serials, "JBOD-SERIAL"])
    assert client.gets_of(COLLECTION) == 0


def test_a_system_linking_no_chassis_finds_it_through_the_collection(
        mockup_serials: list[str]) -> None:
    """``Chassis/1U`` names the system in ``Links.ComputerSystems`` though the system links
    no chassis: the collection is searched, the chassis-only drive and an adapter's NIC
    found."""
    docs = with_jbod_drive(localstorage())
    del docs[LOCAL_SYSTEM]["Links"]["Chassis"]
    card = f"{LOCAL_CHASSIS}/NetworkAdapters/Card"
    docs[LOCAL_CHASSIS]["NetworkAdapters"] = link(f"{LOCAL_CHASSIS}/NetworkAdapters")
    docs[f"{LOCAL_CHASSIS}/NetworkAdapters"] = {"Members": links(card)}
    docs.update(adapter(card, ports={"0": {"PortId": "0", "Ethernet": {
        "AssociatedMACAddresses": ["0C:42:A1:00:00:09"]}}}))

    serials, client = storage_drives(docs)
    nics = make_driver(client).nics.list()

    assert serials == sorted([*mockup_serials, "JBOD-SERIAL"])
    assert client.gets_of(COLLECTION) == 2  # once per walk: storage, then NICs
    assert "0c:42:a1:00:00:09" in [n.mac for n in nics or ()]


def test_nothing_else_showing_a_drive_searches_the_collection() -> None:
    """The Storage lists no drive and the linked chassis none: a chassis claiming the
    system (linked from nothing) is looked for, and its drives are the node's."""
    de = f"{CHASSIS}/DE"
    docs = service({"Storage": link(f"{SYSTEM}/Storage")},
                   {C1: {}, de: {"Id": "DE", "Links": {"ComputerSystems": links(SYSTEM),
                                                       "Drives": links(f"{de}/Drives/0")}}})
    docs[f"{SYSTEM}/Storage"] = {"Members": links(f"{SYSTEM}/Storage/1")}
    docs[f"{SYSTEM}/Storage/1"] = {"Id": "1"}
    docs[f"{de}/Drives/0"] = drive("DE-0")

    serials, client = storage_drives(docs)

    assert serials == ["DE-0"]
    assert client.gets_of(CHASSIS) == 1


def test_a_nic_shown_elsewhere_spares_the_collection_none_shown_searches_it() -> None:
    claiming = f"{CHASSIS}/Blade"
    card = f"{claiming}/NetworkAdapters/Card"
    docs = service({"EthernetInterfaces": link(f"{SYSTEM}/EthernetInterfaces")},
                   {C1: {}, claiming: {"Links": {"ComputerSystems": links(SYSTEM)},
                                       "NetworkAdapters": link(f"{claiming}/NetworkAdapters")}})
    docs[f"{claiming}/NetworkAdapters"] = {"Members": links(card)}
    docs.update(adapter(card, ports={"0": {"PortId": "0", "Ethernet": {
        "AssociatedMACAddresses": ["0C:42:A1:00:00:07"]}}}))
    docs[f"{SYSTEM}/EthernetInterfaces"] = {"Members": links(f"{SYSTEM}/EthernetInterfaces/1")}
    docs[f"{SYSTEM}/EthernetInterfaces/1"] = {"Id": "1", "MACAddress": "AA:00:00:00:00:01"}
    shown = FakeClient(docs)

    assert [n.mac for n in make_driver(shown).nics.list() or ()] == ["aa:00:00:00:00:01"]
    assert shown.gets_of(CHASSIS) == 0

    docs[f"{SYSTEM}/EthernetInterfaces"] = {"Members": []}
    none_shown = FakeClient(docs)

    assert [n.mac for n in make_driver(none_shown).nics.list() or ()] == ["0c:42:a1:00:00:07"]
    assert none_shown.gets_of(CHASSIS) == 1

