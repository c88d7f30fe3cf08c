"""sushy-static serving the DMTF public-localstorage and public-tower mockups (read-only,
no auth).

Expected values are read from the mockup files at test time, never copied here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from peerdata import Peer

import hamnhw
from hamnhw.models import RaidType

pytestmark = pytest.mark.peers

ANY_ACCOUNT = ("--username", "hamnhw")
"""sushy-static asks for no credentials; the CLI needs a username all the same (it never
logs in with an empty one), any will do."""


def mockup_doc(mockup: Path, odata_id: str) -> dict[str, Any]:
    """The document the mockup serves at ``odata_id`` (short form: ``/redfish/v1`` left off)."""
    relative = odata_id.split("#")[0].removeprefix("/redfish/v1").strip("/")
    return dict(json.loads((mockup / relative / "index.json").read_text()))


def mockup_members(mockup: Path, odata_id: str) -> list[dict[str, Any]]:
    """The documents of a collection's members."""
    collection = mockup_doc(mockup, odata_id)
    return [mockup_doc(mockup, m["@odata.id"]) for m in collection["Members"]]


def the_system(mockup: Path) -> dict[str, Any]:
    systems = mockup_members(mockup, "/redfish/v1/Systems")
    assert len(systems) == 1
    return systems[0]


def expected_drive_serials(mockup: Path) -> list[str]:
    serials = []
    for storage in mockup_members(mockup, the_system(mockup)["Storage"]["@odata.id"]):
        serials += [mockup_doc(mockup, d["@odata.id"])["SerialNumber"] for d in storage["Drives"]]
    return sorted(serials)


def expected_macs(mockup: Path) -> list[str]:
    nics = mockup_members(mockup, the_system(mockup)["EthernetInterfaces"]["@odata.id"])
    return sorted(nic["MACAddress"].lower() for nic in nics)


def qualified(odata_id: str, member_id: str | None = None) -> str:
    """hamnhw's id of the drive at ``odata_id``: ``<owner id>/<drive id>``, the owner being
    the Storage or Chassis the URI names (a chassis prefixed ``chassis:``)."""
    parts = odata_id.rstrip("/").split("/")
    prefix = "chassis:" if parts[-4] == "Chassis" else ""
    return f"{prefix}{parts[-3]}/{member_id or parts[-1]}"


def expected_raid1_members(mockup: Path) -> list[list[str]]:
    """Drive ids of each RAID1 volume."""
    found = []
    for storage in mockup_members(mockup, the_system(mockup)["Storage"]["@odata.id"]):
        for volume in mockup_members(mockup, storage["Volumes"]["@odata.id"]):
            if volume.get("RAIDType") == "RAID1":
                drives = [mockup_doc(mockup, d["@odata.id"]) for d in volume["Links"]["Drives"]]
                found.append(sorted(qualified(d["@odata.id"], d.get("Id")) for d in drives))
    return found


def test_mockup_expectations_are_what_the_issue_describes(localstorage_mockup: Path) -> None:
    assert len(expected_drive_serials(localstorage_mockup)) == 4
    assert len(expected_macs(localstorage_mockup)) == 2
    assert [len(m) for m in expected_raid1_members(localstorage_mockup)] == [2]


def test_inventory_drives_and_raid1_volume(sushy_static: Peer, localstorage_mockup: Path) -> None:
    with hamnhw.connect(sushy_static.bmc_url) as node:
        inventory = node.inventory.inventory()
    assert inventory.drives is not None and inventory.volumes is not None
    assert sorted(d.serial for d in inventory.drives) == expected_drive_serials(localstorage_mockup)
    raid1 = [sorted(v.drive_ids) for v in inventory.volumes if v.raid_type == RaidType.RAID1]
    assert raid1 == expected_raid1_members(localstorage_mockup)


def test_nics_report_both_system_macs(sushy_static: Peer, localstorage_mockup: Path) -> None:
    with hamnhw.connect(sushy_static.bmc_url) as node:
        macs = sorted(nic.mac for nic in node.nics.list() if nic.mac)
    assert macs == expected_macs(localstorage_mockup)


def test_cli_inventory_json(sushy_static: Peer, localstorage_mockup: Path, hamnhw_cli) -> None:
    result = hamnhw_cli("--json", "inventory", *ANY_ACCOUNT, sushy_static.bmc_url,
                        password="unused")
    assert result.returncode == 0, result.stderr
    out = result.json()
    assert sorted(d["serial"] for d in out["drives"]) == expected_drive_serials(localstorage_mockup)
    raid1 = [sorted(v["drives"]) for v in out["volumes"] if v["raid_type"] == "RAID1"]
    assert raid1 == expected_raid1_members(localstorage_mockup)
    # public-localstorage never models bays: whether one is empty is unknown (null), not []
    assert (out["empty_bays"], out["incomplete"], out["warnings"]) == (None, False, [])
    assert all(d["uri"] for d in out["drives"])


def test_cli_nics_json(sushy_static: Peer, localstorage_mockup: Path, hamnhw_cli) -> None:
    result = hamnhw_cli("--json", "nics", *ANY_ACCOUNT, sushy_static.bmc_url,
                        password="unused")
    assert result.returncode == 0, result.stderr
    out = result.json()
    macs = sorted(nic["mac"] for nic in out["nics"] if nic["mac"])
    assert macs == expected_macs(localstorage_mockup)
    assert {nic["source"] for nic in out["nics"]} == {"EthernetInterface"}
    assert (out["incomplete"], out["warnings"]) == (False, [])


# -- public-tower: an add-in card's MACs, and drives with empty bays ----------------------


def tower_adapter_macs(mockup: Path) -> list[str]:
    adapters = mockup_members(mockup, "/redfish/v1/Chassis/Tower/NetworkAdapters")
    macs = []
    for adapter in adapters:
        for function in mockup_members(mockup, adapter["NetworkDeviceFunctions"]["@odata.id"]):
            macs.append(function["Ethernet"]["MACAddress"].lower())
    return macs


def test_cli_nics_tower_adds_the_card_macs(sushy_static_tower: Peer, tower_mockup: Path,
                                           hamnhw_cli) -> None:
    result = hamnhw_cli("--json", "nics", *ANY_ACCOUNT, sushy_static_tower.bmc_url,
                        password="unused")
    assert result.returncode == 0, result.stderr
    nics = result.json()["nics"]
    by_source: dict[str, list[str]] = {}
    for nic in nics:
        by_source.setdefault(nic["source"], []).append(nic["mac"])
    assert sorted(by_source["EthernetInterface"]) == expected_macs(tower_mockup)
    assert by_source["NetworkDeviceFunction"] == tower_adapter_macs(tower_mockup)
    assert len(tower_adapter_macs(tower_mockup)) == 2


def test_cli_inventory_tower_empty_bays_apart(sushy_static_tower: Peer, tower_mockup: Path,
                                              hamnhw_cli) -> None:
    chassis = mockup_doc(tower_mockup, "/redfish/v1/Chassis/Tower")
    docs = [mockup_doc(tower_mockup, d["@odata.id"]) for d in chassis["Links"]["Drives"]]
    absent = sorted(qualified(d["@odata.id"]) for d in docs if d["Status"]["State"] == "Absent")
    present = sorted(qualified(d["@odata.id"]) for d in docs if d["Status"]["State"] != "Absent")

    result = hamnhw_cli("--json", "inventory", *ANY_ACCOUNT, sushy_static_tower.bmc_url,
                        password="unused")

    assert result.returncode == 0, result.stderr
    out = result.json()
    assert sorted(d["id"] for d in out["drives"]) == present
    assert sorted(b["id"] for b in out["empty_bays"]) == absent
    assert len(absent) == 8 and out["incomplete"] is False
