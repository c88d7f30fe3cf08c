"""The vendor fixtures (fixtures/redfish/<vendor>/<model>_<fw>/walk), replayed through the
real transport: each vendor's driver is detected and reads its RAID; every fixture names
the public documents it follows and what no public capture confirms."""

from __future__ import annotations

import contextlib
import json
import pathlib
from collections.abc import Iterator

import pytest

import hamnhw
from hamnhw.fixturetools.leaks import find_leaks
from hamnhw.fixturetools.replay import replay
from hamnhw.interfaces import PollPolicy
from hamnhw.models import RaidType
from hamnhw.sim import ManualClock

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "redfish"
WALKS = {
    "dell": FIXTURES / "dell" / "idrac9_6.00.30.00" / "walk",
    "hpe": FIXTURES / "hpe" / "ilo5_2.72-sep-04-2022" / "walk",
    "lenovo": FIXTURES / "lenovo" / "xcc_afbt30y-3.20" / "walk",
    "supermicro": FIXTURES / "supermicro" / "x12_01.01.06" / "walk",
}
VOLUMES = {
    "dell": "RAID.Integrated.1-1/Disk.Virtual.0:RAID.Integrated.1-1",
    "hpe": "SmartArray.0/LogicalDrive.1",
    "lenovo": "RAID_Slot4/0",
    "supermicro": "HA-RAID/HA-RAID.0.Volume.0",
}
MEMBER_SERIALS = {"dell": ["FAKE-SN-0002", "FAKE-SN-0003"],
                  "hpe": ["FAKE-SN-0003", "FAKE-SN-0004"],
                  "lenovo": ["FAKE-SN-0002", "FAKE-SN-0003"],
                  "supermicro": ["FAKE-SN-0002", "FAKE-SN-0003"]}
"""Scrubbed serials of the RAID1's members (the system serial is scrubbed first)."""


@contextlib.contextmanager
def node_of(walk: pathlib.Path) -> Iterator[hamnhw.Node]:
    clock = ManualClock(start=0.0)
    poll = PollPolicy(interval=1.0, timeout=60.0, clock=clock.clock, sleep=clock.sleep)
    with replay(walk) as bmc, hamnhw.connect(bmc.url, "admin", "not-the-password",
                                             poll=poll) as node:
        yield node


@pytest.mark.parametrize("driver", sorted(WALKS))
def test_fixture_names_its_sources_and_is_scrubbed(driver: str) -> None:
    meta = json.loads((WALKS[driver] / "meta.json").read_text())
    assert meta["follows"] and all(isinstance(s, str) and s for s in meta["follows"])
    assert meta["unverified"], "every vendor fixture says what no public capture confirms"
    assert meta["source"].startswith("hamnhw-sim personality")
    assert find_leaks(WALKS[driver]) == []


@pytest.mark.parametrize("driver", sorted(WALKS))
def test_vendor_driver_reads_the_raid1(driver: str) -> None:
    with node_of(WALKS[driver]) as node:
        assert node.detection.driver == driver
        status = node.raid.status()
    volume = next(v for v in status.volumes or () if v.id == VOLUMES[driver])
    assert volume.raid_type is RaidType.RAID1
    assert status.health[volume.id].state.value == "optimal"
    serials = {d.id: d.serial for d in status.drives or ()}
    assert [serials[i] for i in volume.drive_ids or ()] == MEMBER_SERIALS[driver]


def test_dell_fixture_holds_a_staged_job() -> None:
    exchanges = json.loads((WALKS["dell"] / "exchanges.json").read_text())
    jobs = [e["response_json"] for e in exchanges if "/Jobs/JID_" in e["path"]]
    assert [(j["JobState"], j["JobType"]) for j in jobs] == [("Scheduled", "RAIDConfiguration")]


def test_hpe_fixture_holds_pending_settings() -> None:
    with node_of(WALKS["hpe"]) as node:
        layout = node.raid.layout()
        storage = next(s for s in layout.storages if s.capabilities.storage_id ==
                       "SmartArray.0")
        pending = node.raid.pending_creates(storage)
    assert [sorted(p) for p in pending] == [sorted(
        f"/redfish/v1/Systems/1/SmartStorage/ArrayControllers/0/DiskDrives/{n}/"
        for n in (3, 4))]
