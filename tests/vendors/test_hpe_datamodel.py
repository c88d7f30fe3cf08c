"""A Smart Array shown both as a SmartStorage ArrayController and as a standard Storage (iLO 5
with RDE or iLO's own DCi copy): the published proliantutils samples of both models read
together by the HPE driver, each controller kept once, whole, from the model it is written
through (``hamnhw_drivers.hpe.datamodel``)."""

from __future__ import annotations

from typing import Any

import pytest
from captures import hpe, hpe_driver, hpe_tree
from hamnhw_drivers.generic.resource import Resource
from hamnhw_drivers.hpe import datamodel
from hamnhw_drivers.hpe.smartstorage import SmartStorageInfo

from hamnhw.errors import RefusedOperation

SMART_SERIAL = "PEYHC0XRH400QI"  # array_controller.json's SerialNumber (without its space)


def twin(source: str | None, **volume: Any) -> dict[str, Any]:
    """The standard Storage sample as the same controller as the Smart Array sample (its
    controller's serial made equal), with ``UnderlyingDataSource`` ``source``."""
    controller = {**hpe("storage.json")["StorageControllers"][0], "SerialNumber": SMART_SERIAL}
    if source:
        controller["Oem"] = {"Hpe": {"UnderlyingDataSource": source}}
    docs = hpe_tree(standard={"StorageControllers": [controller]})
    docs["/redfish/v1/Systems/1/Storage/1/Volumes/1"].update(volume)
    return docs


def owners(items: Any) -> set[str]:
    return {i.id.split("/", 1)[0] for i in items}


def test_two_different_controllers_are_both_kept() -> None:
    raid = hpe_driver(hpe_tree()).raid  # the samples as published: other serials
    view = raid.storage()
    assert owners(view.volumes) >= {"1", "SmartArray.0"}
    assert {"1/35D38F11ACEF7BD3", "1/3F5A8C54207B7233"} <= {d.id for d in view.drives}
    assert {type(s).__name__ for s in raid.layout().storages} == {"StorageInfo",
                                                                  "SmartStorageInfo"}


@pytest.mark.parametrize("source", ["DCi", None])
@pytest.mark.parametrize("links", [True, False])
def test_dci_copy_is_left_out_whole(source: str | None, links: bool) -> None:
    """iLO's copy (DCi, or not said) of a Smart Array: read and written through SmartStorage;
    the copy's controller, drives and volumes all go, a volume without drive links too."""
    volume = {} if links else {"Links": {}}
    raid = hpe_driver(twin(source, **volume)).raid
    view = raid.storage()
    assert owners(view.volumes) == owners(view.drives) == {"SmartArray.0"}
    assert [c.id for c in raid.inventory.storage_view().controllers or ()] == [
        "SmartArray.0"]
    assert [s.capabilities.storage_id for s in raid.layout().storages] == ["SmartArray.0"]


def test_rde_controller_is_used_through_the_standard_storage() -> None:
    raid = hpe_driver(twin("RDE")).raid
    view = raid.storage()
    assert owners(view.volumes) == owners(view.drives) == {"1"}
    layout = raid.layout()
    assert [type(s).__name__ for s in layout.storages] == ["StorageInfo"]
    drives = [layout.drive("1/35D38F11ACEF7BD3"), layout.drive("1/3F5A8C54207B7233")]
    storage = raid.volume_collection_for(drives, layout)
    assert not isinstance(storage, SmartStorageInfo)
    assert storage.volumes_uri == "/redfish/v1/Systems/1/Storage/1/Volumes"


def test_rde_controller_shown_as_ilo5_2_72_shows_it() -> None:
    """As a public iLO 5 2.72 capture shows an SR controller (libredfish tests/mockups/hpe):
    a ``DE`` hash id, no UnderlyingDataSource, its controllers in a ``Controllers``
    collection whose serial has iLO's trailing space."""
    base = "/redfish/v1/Systems/1/Storage/DE081000"
    docs = hpe_tree(storage_id="DE081000")
    storage = docs[base]
    del storage["StorageControllers"]
    storage["Id"] = "DE081000"
    storage["Controllers"] = {"@odata.id": f"{base}/Controllers"}
    docs[f"{base}/Controllers"] = {"Members": [{"@odata.id": f"{base}/Controllers/0"}]}
    docs[f"{base}/Controllers/0"] = {"@odata.id": f"{base}/Controllers/0", "Id": "0",
                                     "SerialNumber": SMART_SERIAL + " "}
    raid = hpe_driver(docs).raid
    assert owners(raid.storage().volumes) == {"DE081000"}
    assert [s.capabilities.storage_id for s in raid.layout().storages] == ["DE081000"]


def test_same_controller_found_by_a_drive_serial() -> None:
    docs = twin(None)
    docs["/redfish/v1/Systems/1/Storage/1"]["StorageControllers"][0]["SerialNumber"] = "X"
    docs["/redfish/v1/Systems/1/Storage/1/Drives/35D38F11ACEF7BD3"]["SerialNumber"] = "KWGER73R"
    assert owners(hpe_driver(docs).raid.storage().volumes) == {"SmartArray.0"}


def test_data_source_from_the_oem_block_or_the_hash_id() -> None:
    def source(uri: str, doc: dict[str, Any]) -> str | None:
        return datamodel.data_source(Resource(uri, doc))
    assert source("/redfish/v1/Systems/1/Storage/DE07C000", {}) == "RDE"
    assert source("/redfish/v1/Systems/1/Storage/DC0A1000", {}) == "DCi"
    assert source("/redfish/v1/Systems/1/Storage/1", {}) is None
    assert source("/redfish/v1/Systems/1/Storage/DE07C000",
                  {"Oem": {"Hpe": {"UnderlyingDataSource": "DCi"}}}) == "DCi"


def test_an_ambiguous_smart_array_is_never_written() -> None:
    """The samples show two disks at 1I:0:1 and two logical drives with one id and one
    VolumeUniqueIdentifier: a settings PUT naming them could hit either."""
    raid = hpe_driver(hpe_tree()).raid
    layout = raid.layout()
    smart = next(s for s in layout.storages if isinstance(s, SmartStorageInfo))
    assert len(smart.ambiguous) == 3
    with pytest.raises(RefusedOperation, match="cannot be written unambiguously"):
        raid._put(smart, {"DataGuard": "Permissive", "LogicalDrives": []})
