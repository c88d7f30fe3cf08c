"""``hamnhw raid show`` over sushy-static serving the DMTF public-localstorage and
public-tower mockups: every RAID1 volume with its members and health, ``--check``, and a
create refused from what was read (the server is read-only; nothing is sent).

Expected values are read from the mockup files at test time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from peerdata import Peer
from test_sushy_static import ANY_ACCOUNT, expected_raid1_members, mockup_members, the_system

pytestmark = pytest.mark.peers


def mockup_volumes(mockup: Path) -> list[dict[str, Any]]:
    """Every volume the Storage resources link, once (public-tower's HAFiberChannel links
    NVMeSecondary's Volumes collection)."""
    found: dict[str, dict[str, Any]] = {}
    for storage in mockup_members(mockup, the_system(mockup)["Storage"]["@odata.id"]):
        if "Volumes" in storage:
            found.update((v["@odata.id"], v)
                         for v in mockup_members(mockup, storage["Volumes"]["@odata.id"]))
    return list(found.values())


@pytest.fixture(params=["localstorage", "tower"])
def served(request: pytest.FixtureRequest) -> tuple[Peer, Path]:
    name = "sushy_static" if request.param == "localstorage" else "sushy_static_tower"
    mockup = f"{request.param}_mockup" if request.param == "tower" else "localstorage_mockup"
    return request.getfixturevalue(name), request.getfixturevalue(mockup)


def test_raid1_volumes_read_with_members_and_health(served, hamnhw_cli) -> None:
    peer, mockup = served
    result = hamnhw_cli("--json", "raid", "show", "--check", *ANY_ACCOUNT, peer.bmc_url,
                        password="unused")
    payload = result.json()
    raid1 = [v for v in payload["volumes"] if v["raid_type"] == "RAID1"]
    assert sorted(sorted(v["drives"]) for v in raid1) == sorted(expected_raid1_members(mockup))
    assert raid1 and all(v["raid_health"]["state"] == "optimal" for v in raid1)
    assert len(payload["volumes"]) == len(mockup_volumes(mockup))
    every_ok = all(v["Status"]["Health"] == "OK" for v in mockup_volumes(mockup))
    assert (result.returncode, payload["check"]["ok"]) == ((0, True) if every_ok else (5, False))
    assert payload["foreign"] is None


def test_create_over_drives_in_use_is_refused_from_the_read(sushy_static: Peer,
                                                            localstorage_mockup: Path,
                                                            hamnhw_cli) -> None:
    [members] = expected_raid1_members(localstorage_mockup)
    plan = hamnhw_cli("--json", "raid", "create", *ANY_ACCOUNT, sushy_static.bmc_url,
                      "--level", "1", "--drives", ",".join(members), "--dry-run",
                      password="unused")
    assert plan.returncode == 0, plan.stderr
    assert (plan.json()["changed"], plan.json()["requests"]) == (False, [])
    assert "already exists" in plan.json()["summary"]
    other = [v for v in mockup_volumes(localstorage_mockup) if v.get("RAIDType") == "RAID0"]
    drive = other[0]["Links"]["Drives"][0]["@odata.id"].rsplit("/", 1)[-1]
    refused = hamnhw_cli("--json", "raid", "create", *ANY_ACCOUNT, sushy_static.bmc_url,
                         "--level", "1", "--drives", f"{members[0]},{drive}", "--dry-run",
                         password="unused")
    assert refused.returncode == 1
    assert "is a member of volume" in refused.json()["error"]["message"]
