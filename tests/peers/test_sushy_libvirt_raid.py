"""RAID create against sushy-emulator on libvirt's test driver: the dialect an old Volume
service wants (VolumeType), its 201 + Location, what it keeps of the request (Name,
VolumeType, CapacityBytes: nothing more, no member list), and a re-run refused because the
volume does not list its drives.

sushy-emulator (2.2.0) cannot give a drive that is not a global hot spare: its drive
template (``sushy_tools/emulator/templates/drive.json``) writes ``HotspareType: Global`` for
every drive whatever the config says (the config only sets Id, Name, CapacityBytes and
Protocol), and its Drive resource is read-only (GET only).  So a create through the CLI
never succeeds there, and hamnhw says why (review 8, item 11): ``raid show`` lists both
drives under ``spares`` (none ``unassigned``); ``raid create`` refuses, exit 1, naming each
drive as a global hot spare, before any POST; ``raid spare --remove`` (what an operator
would try next) is answered 405 by the emulator, exit 1 ``MethodNotAllowedError``, and the
drive stays a spare.  The create itself (dialect, 201 + Location, what the emulator keeps)
is then run through the library with that one finding dropped through the
``create_problems`` hook, as a vendor override would.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Sequence
from typing import Any

import pytest
from hamnhw_drivers.generic.raid import RedfishRaid
from hamnhw_drivers.generic.raid_layout import RaidLayout, StorageInfo
from peerdata import FAKE_DRIVES, LIBVIRT_TEST_DOMAIN_UUID, STORAGE_CONTROLLER, Peer

import hamnhw
from hamnhw.models import Drive, RaidType
from hamnhw.raid import CreateRequest, VolumeState

pytestmark = pytest.mark.peers

ANY_ACCOUNT = ("--username", "hamnhw")
"""An account for the no-auth peers: hamnhw asks for a username before sending anything."""
VOLUMES = (f"/redfish/v1/Systems/{LIBVIRT_TEST_DOMAIN_UUID}/Storage/"
           f"{STORAGE_CONTROLLER['Id']}/Volumes")
DRIVE_IDS = [d["Id"] for d in FAKE_DRIVES]
SIZE = 10**9
"""Bytes asked for: the emulator backs a volume in the test driver's 100 GB pool."""


class SparesIgnored(RedfishRaid):
    """The generic RAID interface, minus the finding that the drives are global spares
    (sushy-emulator's drive template claims HotspareType Global for every drive)."""

    def create_problems(self, request: CreateRequest, drives: Sequence[Drive],
                        layout: RaidLayout, storage: StorageInfo) -> list[str]:
        found = super().create_problems(request, drives, layout, storage)
        return [p for p in found if "global hot spare" not in p]


def get(peer: Peer, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(peer.http_url + path, timeout=10) as answer:
        return dict(json.loads(answer.read()))


def test_every_drive_is_a_global_spare_that_cannot_be_freed(sushy_libvirt: Peer,
                                                              hamnhw_cli) -> None:
    url = sushy_libvirt.bmc_url
    show = hamnhw_cli("--json", "raid", "show", *ANY_ACCOUNT, url, password="unused")
    assert show.returncode == 0, show.stderr
    ids = [f"{STORAGE_CONTROLLER['Id']}/{i}" for i in DRIVE_IDS]
    assert [d["hotspare"] for d in show.json()["drives"]] == ["Global", "Global"]
    assert show.json()["spares"] == ids
    # [] before the create test below; null after it (its volume lists no members)
    assert show.json()["unassigned"] == ([] if show.json()["volumes"] == [] else None)

    freed = hamnhw_cli("--json", "raid", "spare", *ANY_ACCOUNT, url, "--drive", DRIVE_IDS[0],
                       "--remove", password="unused")
    error = freed.json()["error"]
    assert (freed.returncode, error["type"]) == (1, "MethodNotAllowedError"), freed.stdout
    assert "PATCH" in error["message"] and "405" in error["message"]
    again = hamnhw_cli("--json", "raid", "show", *ANY_ACCOUNT, url, password="unused")
    assert again.json()["spares"] == ids


def test_create_dialect_201_what_is_kept_and_a_rerun_refused(sushy_libvirt: Peer,
                                                             hamnhw_cli) -> None:
    url = sushy_libvirt.bmc_url
    args = ("--json", "raid", "create", *ANY_ACCOUNT, url, "--level", "1",
            "--drives", ",".join(DRIVE_IDS), "--name", "mn", "--size", str(SIZE))
    refused = hamnhw_cli(*args, password="unused")
    assert refused.returncode == 1, refused.stderr
    assert refused.json()["error"]["type"] == "RefusedOperation"
    for drive in DRIVE_IDS:
        assert (f"drive {STORAGE_CONTROLLER['Id']}/{drive} is a global hot spare"
                in refused.json()["error"]["message"])
    assert get(sushy_libvirt, VOLUMES)["Members"] == []

    request = CreateRequest(RaidType.RAID1, tuple(DRIVE_IDS), name="mn", size_bytes=SIZE)
    with hamnhw.connect(url) as node:
        node.driver.raid = SparesIgnored(node.driver.inventory)
        plan = node.raid.plan_create(request)
        assert plan.requests[0].body == {
            "VolumeType": "Mirrored", "CapacityBytes": SIZE,
            "Name": "mn", "Links": {"Drives": [
                {"@odata.id": f"{VOLUMES.rsplit('/', 1)[0]}/Drives/{i}"} for i in DRIVE_IDS]}}
        assert "no capability, volume or schema says" in plan.notes[0]
        outcome = node.raid.create(request)
    assert outcome.job is not None and outcome.job.kind == "completed"
    assert outcome.status is not None and outcome.status.result_uri
    assert outcome.volume is not None and outcome.volume.uri == outcome.status.result_uri
    assert (outcome.volume.raid_type, outcome.volume.drive_ids) == (RaidType.RAID1, None)

    [member] = get(sushy_libvirt, VOLUMES)["Members"]
    kept = get(sushy_libvirt, member["@odata.id"])
    assert (kept["Name"], kept["VolumeType"], kept["CapacityBytes"]) == ("mn", "Mirrored", SIZE)
    assert not {"Links", "RAIDType", "WriteCachePolicy"} & set(kept)

    again = hamnhw_cli(*args, password="unused")
    assert again.returncode == 1
    assert "does not list its member drives" in again.json()["error"]["message"]
    assert len(get(sushy_libvirt, VOLUMES)["Members"]) == 1

    show = hamnhw_cli("--json", "raid", "show", *ANY_ACCOUNT, url, password="unused")
    assert show.returncode == 0, show.stderr
    [volume] = show.json()["volumes"]
    assert (volume["drives"], volume["raid_health"]["state"]) == (None,
                                                                  VolumeState.OPTIMAL.value)
    assert "members not listed" in volume["raid_health"]["reason"]
    assert show.json()["unassigned"] is None
