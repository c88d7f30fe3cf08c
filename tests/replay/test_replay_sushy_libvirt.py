"""sushy-emulator on libvirt's ``test:///default`` driver, recorded
(``fixtures/redfish/sushy-tools/libvirt_2.2.0/walk``) and replayed through
``hamnhw.connect`` with the real transport and the generic driver.  No server is started.

libvirt's test driver has one domain, ``test``: running, two CPUs, 8 GiB, one NIC, and no
storage (the emulator answers its Storage collection with HTTP 500).
"""

from __future__ import annotations

import pathlib

import pytest

import hamnhw
from hamnhw.fixturetools.fixture import load_meta
from hamnhw.models import PowerState

WALK = (pathlib.Path(__file__).resolve().parents[2]
        / "fixtures/redfish/sushy-tools/libvirt_2.2.0/walk")
SYSTEM_ID = "00000000-0000-4000-8000-000000000003"


@pytest.fixture
def node(replay_fixture, no_wait_poll):
    bmc = replay_fixture(WALK)
    with hamnhw.connect(bmc.url, "admin", "not-the-password", poll=no_wait_poll) as node:
        yield node


def test_recording_meta_names_the_peer():
    meta = load_meta(WALK)
    assert (meta["source"], meta["vendor"], meta["model"], meta["firmware"], meta["kind"]) == (
        "sushy-tools", "sushy-tools", "libvirt", "2.2.0", "walk")
    assert meta["scrubbed"]["mac"] == 1


def test_detection_picks_the_generic_driver(node):
    assert node.detection.driver == "generic"


def test_its_one_system_is_picked_without_a_path(node):
    system = node.inventory.system()
    assert (system.id, system.uuid) == (SYSTEM_ID, SYSTEM_ID)
    assert (system.manufacturer, system.bios_version) == ("Sushy Emulator", "1.0.0")
    assert system.power_state is PowerState.ON
    assert node.power.state() is PowerState.ON


def test_one_nic_with_the_first_fake_mac(node):
    assert [(n.id, n.mac) for n in node.nics.list()] == [
        ("02:00:00:00:00:01", "02:00:00:00:00:01")]


def test_manager(node):
    manager = node.inventory.manager()
    assert manager is not None
    assert (manager.id, manager.model, manager.firmware) == (SYSTEM_ID, "Joo Janta 200", "1.00")


# -- RAID: the Storage collection answers 500 (review 7, item 4) ----------------------------


def _storage_gets(bmc) -> int:
    return sum(1 for call in bmc.mock.calls
               if call.request.method == "GET" and call.request.url.endswith("/Storage"))


def test_raid_status_is_incomplete_and_reads_the_storage_as_the_inventory_does(
        replay_fixture, no_wait_poll):
    """The emulator's 500 on Storage is a warning and volumes unknown, as in the inventory;
    the collection is asked for once (the transport's GET retries aside), not walked twice."""
    counts = []
    for read in ("inventory", "raid"):
        bmc = replay_fixture(WALK)
        with hamnhw.connect(bmc.url, "admin", "not-the-password", poll=no_wait_poll) as node:
            found = node.inventory.inventory() if read == "inventory" else node.raid.status()
        assert found.volumes is None and found.drives is None
        assert found.incomplete
        assert [w.split(":")[0] for w in found.warnings] == [
            f"storage collection /redfish/v1/Systems/{SYSTEM_ID}/Storage not readable, "
            f"skipped"]
        counts.append(_storage_gets(bmc))
    assert counts[0] >= 1 and counts[1] == counts[0]
