"""``hamnhw.expand``: the levels each kind of resource is read at, and the collections a
Storage's expanded read carries (the walks' side: tests/drivers/test_expand_levels.py)."""

from __future__ import annotations

from typing import Any

import pytest

from hamnhw import expand

R = "/redfish/v1"
STORAGE = f"{R}/Systems/1/Storage/RAID.1"


@pytest.mark.parametrize(("path", "advertised", "levels"), [
    (f"{R}/Chassis/1U", 3, 1),
    (f"{R}/Chassis/1U/", 6, 1),
    (f"{R}/Chassis/1U?$top=2", 3, 1),
    (f"{R}/Chassis", 3, 3),  # the collection: each chassis, then what it lists
    (f"{R}/Chassis/1U/Drives", 3, 3),
    (f"{R}/Chassis/1U/NetworkAdapters", 3, 3),
    (STORAGE, 3, 2),
    (STORAGE, 1, 1),
    (f"{R}/Storage/NVMe", 6, 2),  # a service-level Storage (DSP0266 URI pattern)
    (f"{STORAGE}/Volumes", 3, 3),
    (f"{R}/Systems", 3, 3),
    (f"{R}/Managers", 2, 2),
])
def test_levels_follow_what_the_walks_need_of_each_read(path: str, advertised: int,
                                                        levels: int) -> None:
    assert expand.levels_for(path, advertised) == levels
    assert expand.query_for(path, advertised) == f"$expand=.($levels={levels})"


def storage(**fields: Any) -> dict[str, Any]:
    return {"@odata.id": STORAGE, "@odata.type": "#Storage.v1_15_0.Storage",
            "Drives": [{"@odata.id": f"{R}/Chassis/1/Drives/{n}"} for n in "ab"],
            "Volumes": {"@odata.id": f"{STORAGE}/Volumes"},
            "Controllers": {"@odata.id": f"{STORAGE}/Controllers/"}, **fields}


def test_a_storage_read_two_deep_carries_its_volumes_and_controllers() -> None:
    drives = [f"{R}/Chassis/1/Drives/a", f"{R}/Chassis/1/Drives/b"]

    assert expand.listed_members(storage(), 3) == [*drives, f"{STORAGE}/Volumes",
                                                   f"{STORAGE}/Controllers"]
    assert expand.listed_members(storage(), 2)[2:] == [f"{STORAGE}/Volumes",
                                                       f"{STORAGE}/Controllers"]
    # One level deep its answer brings the collections without their members: no gain.
    assert expand.listed_members(storage(), 1) == drives
    assert expand.listed_members(storage()) == drives


def test_only_a_storage_carries_and_only_references() -> None:
    system = {**storage(), "@odata.id": f"{R}/Systems/1"}
    odd = storage(Volumes={"@odata.id": f"{STORAGE}#/Volumes"},
                  Controllers=[{"@odata.id": f"{STORAGE}/Controllers"}])

    assert expand.listed_members(system, 3) == [f"{R}/Chassis/1/Drives/a",
                                                f"{R}/Chassis/1/Drives/b"]
    assert expand.listed_members(odd, 3) == [f"{R}/Chassis/1/Drives/a",
                                             f"{R}/Chassis/1/Drives/b"]
    assert expand.listed_members({"Volumes": {"@odata.id": f"{STORAGE}/Volumes"}}, 3) == []


@pytest.mark.parametrize(("path", "memo_key"), [
    ("/redfish/v1/Systems/1", "/redfish/v1/Systems/1"),
    ("/redfish/v1/", "/redfish/v1"),
    ("/redfish/v1//", "/redfish/v1"),
    ("/redfish/v1/Systems?$expand=.($levels=2)", "/redfish/v1/Systems"),
    ("/redfish/v1/Systems/?$top=1", "/redfish/v1/Systems"),
    ("/", "/"),
    ("//", "/"),
    ("", "/"),
    ("?only", "/"),
])
def test_a_memo_key_has_no_query_nor_trailing_slash(path: str, memo_key: str) -> None:
    assert expand.key(path) == memo_key
