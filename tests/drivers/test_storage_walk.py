"""The storage walk on small synthetic services: what the BMC does not show is None
(unknown), what it positively lists as empty is ``()``, and RAID reads both volumes and
drives in one walk."""

from __future__ import annotations

from typing import Any

import pytest
from driver_fakes import SYSTEM, FakeClient, make_driver, minimal_docs

from hamnhw.errors import ServerSideError
from hamnhw.interfaces import RaidView
from hamnhw.views import volumes_json

STORAGE = f"{SYSTEM}/Storage"
SIMPLE = f"{SYSTEM}/SimpleStorage"
CHASSIS = "/redfish/v1/Chassis/1"


def docs_with(storage: dict[str, Any] | None = None, *, simple: bool = False,
              chassis_drives: list[str] | None = None) -> dict[str, Any]:
    """One system with a Storage collection holding ``storage`` (a Storage document, or no
    member when None), optionally an empty SimpleStorage collection, and a chassis whose
    ``Links.Drives`` lists ``chassis_drives``."""
    links: dict[str, Any] = {"Storage": {"@odata.id": STORAGE},
                             "Links": {"Chassis": [{"@odata.id": CHASSIS}]}}
    if simple:
        links["SimpleStorage"] = {"@odata.id": SIMPLE}
    docs = minimal_docs(links)
    members = [] if storage is None else [{"@odata.id": f"{STORAGE}/1"}]
    docs[STORAGE] = {"Members": members}
    docs[SIMPLE] = {"Members": []}
    if storage is not None:
        docs[f"{STORAGE}/1"] = {"Id": "1", **storage}
    docs[CHASSIS] = {"Id": "1", "Links": {"Drives": [{"@odata.id": u}
                                                     for u in chassis_drives or []]}}
    for uri in chassis_drives or []:
        docs[uri] = {"Id": uri.rsplit("/", 1)[-1], "SerialNumber": f"SER-{uri[-1]}"}
    return docs


def view(docs: dict[str, Any]) -> tuple[Any, Any, Any]:
    inventory = make_driver(FakeClient(docs)).inventory.inventory()
    return inventory.controllers, inventory.drives, inventory.volumes


# -- no storage shown at all: everything unknown --------------------------------------------


def test_empty_collections_and_empty_chassis_drives_are_unknown_not_none() -> None:
    """A BMC showing nothing while the host is off: Members [] and Links.Drives []."""
    docs = docs_with(None, simple=True)

    assert view(docs) == (None, None, None)
    driver = make_driver(FakeClient(docs))
    assert driver.raid.storage() == RaidView(None, None)
    assert (driver.inventory.controllers(), driver.inventory.drives()) == (None, None)


def test_unreadable_storage_collection_is_unknown() -> None:
    docs = docs_with(None)
    del docs[STORAGE]  # the fake answers 404

    assert view(docs) == (None, None, None)


def test_chassis_without_drive_links_and_empty_storage_is_unknown() -> None:
    docs = docs_with(None)
    del docs[CHASSIS]["Links"]["Drives"]

    assert view(docs) == (None, None, None)


# -- something shown: what is shown ---------------------------------------------------------


def test_storage_listing_no_drives_while_chassis_shows_some_reports_the_chassis_drives() -> None:
    docs = docs_with({"Drives": [], "Volumes": {"@odata.id": f"{STORAGE}/1/Volumes"}},
                     chassis_drives=[f"{CHASSIS}/Drives/A"])
    docs[f"{STORAGE}/1/Volumes"] = {"Members": []}

    controllers, drives, volumes = view(docs)

    assert controllers is None  # neither StorageControllers nor Controllers: unknown
    assert drives is not None and [(d.id, d.serial) for d in drives] == [("chassis:1/A", "SER-A")]
    assert volumes == ()  # the storage is shown and its Volumes collection is empty


def test_only_chassis_drives_shown_leaves_controllers_and_volumes_unknown() -> None:
    docs = docs_with(None, chassis_drives=[f"{CHASSIS}/Drives/A", f"{CHASSIS}/Drives/B"])

    controllers, drives, volumes = view(docs)

    assert controllers is None and volumes is None
    assert drives is not None and [d.id for d in drives] == ["chassis:1/A", "chassis:1/B"]


def test_shown_storage_with_empty_drive_list_and_no_chassis_drives_lists_none() -> None:
    controllers, drives, volumes = view(docs_with({"Drives": []}))

    assert (controllers, drives) == (None, ())  # no StorageControllers/Controllers: unknown
    assert volumes is None  # no Volumes link: cannot tell


def test_empty_volumes_collection_is_an_empty_tuple_only_for_a_shown_storage() -> None:
    docs = docs_with({"Drives": [], "Volumes": {"@odata.id": f"{STORAGE}/1/Volumes"}})
    docs[f"{STORAGE}/1/Volumes"] = {"Members": []}
    assert view(docs)[2] == ()

    docs[STORAGE]["Members"] = []
    assert view(docs) == (None, None, None)


def test_unreadable_volumes_is_unknown_and_keeps_the_drives() -> None:
    docs = docs_with({"Drives": [{"@odata.id": f"{STORAGE}/1/Drives/A"}],
                      "Volumes": {"@odata.id": f"{STORAGE}/1/Volumes"}})
    docs[f"{STORAGE}/1/Drives/A"] = {"Id": "A", "SerialNumber": "SER-A"}
    client = FakeClient(docs)
    real_get = client.get

    def failing_get(path: str) -> dict[str, Any]:
        if path.endswith("/Volumes"):
            raise ServerSideError(host=client.host, method="GET", path=path, status=500)
        return real_get(path)

    client.get = failing_get  # type: ignore[method-assign]

    raid = make_driver(client).raid.storage()

    assert raid.volumes is None
    assert raid.drives is not None and [d.serial for d in raid.drives] == ["SER-A"]


# -- volume member drives -------------------------------------------------------------------


@pytest.mark.parametrize(("links", "expected"), [
    (None, None),
    ({}, None),
    ({"Drives": []}, ()),
    ({"Drives": [{"@odata.id": f"{STORAGE}/1/Drives/A"}]}, ("1/A",)),
])
def test_volume_drive_ids_unknown_when_links_drives_absent(links: Any, expected: Any) -> None:
    volume: dict[str, Any] = {"Id": "V", "RAIDType": "RAID1"}
    if links is not None:
        volume["Links"] = links
    docs = docs_with({"Drives": [], "Volumes": {"@odata.id": f"{STORAGE}/1/Volumes"}})
    docs[f"{STORAGE}/1/Volumes"] = {"Members": [{"@odata.id": f"{STORAGE}/1/Volumes/V"}]}
    docs[f"{STORAGE}/1/Volumes/V"] = volume

    volumes = make_driver(FakeClient(docs)).raid.volumes()

    assert volumes is not None and [v.drive_ids for v in volumes] == [expected]
    [shown] = volumes_json(volumes) or []
    assert shown["drives"] == (None if expected is None else list(expected))  # JSON null or []


# -- one walk for volumes and drives -------------------------------------------------------


def test_raid_storage_reads_volumes_and_drives_in_one_walk() -> None:
    docs = docs_with({"Drives": [{"@odata.id": f"{STORAGE}/1/Drives/A"}],
                      "Volumes": {"@odata.id": f"{STORAGE}/1/Volumes"}})
    docs[f"{STORAGE}/1/Drives/A"] = {"Id": "A", "SerialNumber": "SER-A"}
    docs[f"{STORAGE}/1/Volumes"] = {"Members": []}
    client = FakeClient(docs)

    raid = make_driver(client).raid.storage()

    assert raid.volumes == ()
    assert raid.drives is not None and [d.id for d in raid.drives] == ["1/A"]
    assert (client.gets_of(STORAGE), client.gets_of(f"{STORAGE}/1")) == (1, 1)
    assert client.gets_of(f"{STORAGE}/1/Drives/A") == 1


@pytest.mark.parametrize(("storage", "expected"), [
    ({"Drives": []}, None),
    ({"Drives": [], "StorageControllers": []}, ()),
    ({"Drives": [], "Controllers": {"@odata.id": f"{STORAGE}/1/Controllers"}}, ()),
], ids=["neither", "empty-array", "empty-collection"])
def test_controllers_unknown_unless_the_storage_lists_them(storage, expected) -> None:
    docs = docs_with(storage)
    docs[f"{STORAGE}/1/Controllers"] = {"Members": []}

    assert view(docs)[0] == expected
