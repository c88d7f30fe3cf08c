"""The generic driver end to end over real HTTP on loopback: hamnhw.connect against the
built-in simulator, its clock shared with the driver's poll policy (no real sleeping)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import hamnhw
from hamnhw.interfaces import PollPolicy
from hamnhw.models import BootSource, PowerState, RaidType
from hamnhw.sim import ManualClock, ServerSpec, SimCluster

pytestmark = pytest.mark.e2e


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def cluster(clock: ManualClock) -> Iterator[SimCluster]:
    specs = [ServerSpec(name="primary", power="On", power_delay=5.0),
             ServerSpec(name="hpe", vendor="HPE", power="On")]
    with SimCluster(specs, clock=clock) as running:
        yield running


def connect(server, clock: ManualClock, **kwargs) -> hamnhw.Node:
    poll = PollPolicy(interval=2.0, timeout=60.0, clock=clock, sleep=clock.sleep)
    return hamnhw.connect(server.url, username=server.username, password=server.password,
                          poll=poll, timeout=30.0, **kwargs)


def resets(server) -> list:
    return [r.body["ResetType"] for r in server.requests
            if r.method == "POST" and r.path.endswith("ComputerSystem.Reset")]


def test_power_off_then_on_through_the_transitions(cluster, clock) -> None:
    server = cluster["primary"]
    with connect(server, clock) as node:
        assert node.detection.driver == "generic"
        off = node.power.off()
        assert (off.power_state, off.changed) == (PowerState.OFF, True)
        assert off.elapsed_s >= 5.0  # the simulated PoweringOff delay was waited out
        again = node.power.off()
        assert again.changed is False
        on = node.power.on()
        assert on.power_state is PowerState.ON
    assert resets(server) == ["ForceOff", "On"]


def test_inventory_nics_and_raid_match_the_spec(cluster, clock) -> None:
    server = cluster["primary"]
    spec = cluster.specs[0]
    with connect(server, clock) as node:
        nics = node.nics.list()
        drives = node.raid.drives()
        volumes = node.raid.volumes()
        system = node.inventory.system()

    assert [n.mac for n in nics] == [n.mac for n in spec.nics]
    assert drives is not None
    assert sorted(d.serial for d in drives) == sorted(d.serial for d in spec.drives)
    assert volumes is not None
    raid1 = [v for v in volumes if v.raid_type is RaidType.RAID1]
    assert len(raid1) == 1 and len(raid1[0].drive_ids) == 2
    assert system.serial == spec.serial


def test_boot_override_once_reads_back(cluster, clock) -> None:
    with connect(cluster["primary"], clock) as node:
        override = node.management.set_boot_override(BootSource.PXE)
    assert override.target is BootSource.PXE


def test_vendor_detection_over_http(cluster, clock) -> None:
    with connect(cluster["hpe"], clock) as node:
        assert node.detection.driver == "hpe"
        assert node.power.state() is PowerState.ON
