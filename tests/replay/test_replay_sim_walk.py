"""The real transport and generic driver read the simulator's recorded walk."""

from __future__ import annotations

import pytest

import hamnhw
from hamnhw.models import PowerState, RaidType


@pytest.fixture
def node(replay_fixture, no_wait_poll, sim_recordings):
    bmc = replay_fixture(sim_recordings / "walk")
    with hamnhw.connect(bmc.url, "admin", "not-the-password", poll=no_wait_poll) as node:
        yield node


def test_detection_falls_back_to_generic(node):
    assert node.detection.driver == "generic"


def test_system_inventory_reads_scrubbed_identity(node):
    system = node.inventory.system()
    assert system.id == "1"
    assert system.manufacturer == "Contoso"
    assert system.model == "Contoso Server 1000"
    assert system.serial == "FAKE-SN-0001"
    assert system.uuid == "00000000-0000-4000-8000-000000000001"
    assert system.power_state is PowerState.ON


def test_manager(node):
    manager = node.inventory.manager()
    assert manager is not None
    assert (manager.model, manager.firmware) == ("Contoso BMC", "1.00")


def test_host_and_bmc_nics_carry_fake_macs_in_order(node):
    assert [(n.id, n.mac) for n in node.nics.list()] == [
        ("NIC1", "02:00:00:00:00:01"), ("NIC2", "02:00:00:00:00:02")]
    assert [n.mac for n in node.nics.bmc_nics()] == ["02:00:00:00:00:03"]


def test_drives_and_raid1_volume(node):
    drives = node.inventory.drives()
    assert drives is not None
    assert sorted((d.id, d.serial) for d in drives) == [
        ("RAIDController1/Bay1", "FAKE-SN-0002"), ("RAIDController1/Bay2", "FAKE-SN-0003")]
    [volume] = node.raid.volumes()
    assert volume.raid_type is RaidType.RAID1
    assert sorted(volume.drive_ids) == ["RAIDController1/Bay1", "RAIDController1/Bay2"]


def test_power_state_read(node):
    assert node.power.state() is PowerState.ON
