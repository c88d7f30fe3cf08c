"""The RAID read (:func:`~hamnhw_drivers.generic.raid_layout.read_layout`) over a service
whose storage answers 5xx in places: what the storage walk gave up on is left out, with the
walk's warning, and never asked for a second time (review 7, item 4: a Storage collection
answering 500 made ``raid status`` fail after reading it twice)."""

from __future__ import annotations

from typing import Any

from driver_fakes import SYSTEM, FakeClient, make_driver
from shape_docs import storage_docs

from hamnhw.errors import ServerSideError

STORAGE = f"{SYSTEM}/Storage"


class FailingClient(FakeClient):
    """Answers HTTP 500 for the paths in ``failing``."""

    def __init__(self, docs: dict[str, Any], failing: set[str]) -> None:
        super().__init__(docs)
        self.failing = failing

    def get(self, path: str) -> dict[str, Any]:
        if path in self.failing:
            self.requests.append(("GET", path, None))
            raise ServerSideError(host=self.host, method="GET", path=path, status=500)
        return super().get(path)


def with_volumes(docs: dict[str, Any], storage: str) -> dict[str, Any]:
    """``storage`` with an empty Volumes collection."""
    volumes = f"{STORAGE}/{storage}/Volumes"
    docs[f"{STORAGE}/{storage}"]["Volumes"] = {"@odata.id": volumes}
    docs[volumes] = {"Members": []}
    return docs


def test_an_unreadable_storage_collection_is_an_incomplete_status_read_once() -> None:
    client = FailingClient(storage_docs("A"), {STORAGE})

    status = make_driver(client).raid.status()

    assert (status.capabilities, status.volumes, status.drives) == (None, None, None)
    assert status.incomplete
    assert status.warnings == (f"storage collection {STORAGE} not readable, skipped: GET "
                               f"{STORAGE} returned HTTP 500",)
    assert client.gets_of(STORAGE) == 1


def test_an_unreadable_storage_is_left_out_of_the_layout_and_read_once() -> None:
    client = FailingClient(with_volumes(storage_docs("A", "B"), "A"), {f"{STORAGE}/B"})

    layout = make_driver(client).raid.layout()

    assert [s.capabilities.storage_id for s in layout.storages] == ["A"]
    assert [d.id for d in layout.drives] == ["A/0", "A/1"]
    assert layout.view.volumes == ()
    assert layout.view.incomplete
    assert client.gets_of(f"{STORAGE}/B") == 1


def test_an_unreadable_volumes_collection_is_read_once_and_leaves_the_volumes_unknown() -> None:
    volumes = f"{STORAGE}/A/Volumes"
    client = FailingClient(with_volumes(storage_docs("A"), "A"), {volumes})

    status = make_driver(client).raid.status()

    assert status.volumes is None and status.incomplete
    assert [d.id for d in status.drives or ()] == ["A/0", "A/1"]
    assert status.capabilities is not None
    assert [c.volumes_uri for c in status.capabilities] == [volumes]
    assert client.gets_of(volumes) == 1


def test_a_storage_collection_whose_later_page_fails_gives_its_first_page_incomplete() -> None:
    """The layout keeps the Storage resources of the pages read (as the walk does, whose
    view says incomplete with a warning naming the collection); the failed page is asked
    for once."""
    page2 = f"{STORAGE}?$skip=1"
    docs = with_volumes(storage_docs("A", "B"), "A")
    docs[STORAGE] = {"Members": docs[STORAGE]["Members"][:1], "Members@odata.count": 2,
                     "Members@odata.nextLink": page2}
    client = FailingClient(docs, {page2})

    layout = make_driver(client).raid.layout()

    assert [s.capabilities.storage_id for s in layout.storages] == ["A"]
    assert [d.id for d in layout.drives] == ["A/0", "A/1"]
    assert layout.view.incomplete
    assert any(STORAGE in w and "page" in w for w in layout.view.warnings), \
        layout.view.warnings
    assert client.gets_of(page2) == 1
