"""sushy-emulator's fake driver, recorded (``fixtures/redfish/sushy-tools/fake_2.2.0``) and
replayed through ``hamnhw.connect`` with the real transport and the generic driver.

The recordings come from ``tests/replay/regenerate.py --sushy`` (the peer of
``tests/peers``: two fake systems, node-a Off with two NICs and two SAS drives, node-b On).
Scrubbing made the system ids fake UUIDs and the MACs ``02:00:00:00:00:0n`` in the sorted
order of the originals.  No server is started here.
"""

from __future__ import annotations

import json
import pathlib

import pytest

import hamnhw
from hamnhw.errors import DriverNotFound, HamnhwError
from hamnhw.fixturetools.fixture import load_exchanges
from hamnhw.fixturetools.replay import replay
from hamnhw.models import PowerState

FAKE = pathlib.Path(__file__).resolve().parents[2] / "fixtures/redfish/sushy-tools/fake_2.2.0"
WALK_NODE_A = "/redfish/v1/Systems/00000000-0000-4000-8000-000000000003"
"""node-a in the walk (the Systems collection lists node-a, then node-b)."""
WALK_NODE_B = "/redfish/v1/Systems/00000000-0000-4000-8000-000000000004"
SESSION_NODE_B = "/redfish/v1/Systems/00000000-0000-4000-8000-000000000003"
"""node-b, the system the power-cycle session drove (its own scrubber, its own fakes)."""
RESET = SESSION_NODE_B + "/Actions/ComputerSystem.Reset"
DRIVE_BYTES = 899_527_000_000


@pytest.fixture
def node_a(replay_fixture, no_wait_poll):
    bmc = replay_fixture(FAKE / "walk")
    with hamnhw.connect(bmc.url + WALK_NODE_A, "admin", "not-the-password",
                        poll=no_wait_poll) as node:
        yield node


def test_walk_detection_picks_the_generic_driver(node_a):
    assert node_a.detection.driver == "generic"


def test_walk_node_a_system_is_off_with_a_fake_uuid(node_a):
    system = node_a.inventory.system()
    assert (system.id, system.uuid) == ("00000000-0000-4000-8000-000000000003",) * 2
    assert system.manufacturer == "Sushy Emulator"
    assert system.power_state is PowerState.OFF
    assert node_a.power.state() is PowerState.OFF


def test_walk_manager_of_node_a(node_a):
    manager = node_a.inventory.manager()
    assert manager is not None
    assert (manager.id, manager.model, manager.firmware) == (
        "00000000-0000-4000-8000-000000000003", "Joo Janta 200", "1.00")


def test_walk_node_a_has_two_nics_with_the_first_fake_macs(node_a):
    nics = node_a.nics.list()
    assert sorted((n.id, n.mac, n.permanent_mac) for n in nics) == [
        ("02:00:00:00:00:01", "02:00:00:00:00:01", "02:00:00:00:00:01"),
        ("02:00:00:00:00:02", "02:00:00:00:00:02", "02:00:00:00:00:02")]


def test_walk_node_a_drives_capacity_and_protocol(node_a):
    drives = node_a.inventory.drives()
    assert drives is not None
    assert sorted((d.id, d.capacity_bytes, d.protocol, d.media) for d in drives) == [
        ("1/32ADF365C6C1B7BD", DRIVE_BYTES, "SAS", "HDD"),
        ("1/58CFF987G8J2V9KL", DRIVE_BYTES, "SAS", "HDD")]
    assert {d.serial for d in drives} == {"FAKE-SN-0005"}  # the emulator gives both one serial


def test_walk_node_a_volumes_unreadable_are_unknown_not_fatal(node_a):
    # sushy's fake driver answers Storage/1/Volumes with HTTP 500: volumes are unknown (None),
    # and the drives beside them still read.
    inventory = node_a.inventory.inventory()
    assert inventory.volumes is None
    assert inventory.drives is not None and len(inventory.drives) == 2
    assert inventory.incomplete  # and says what it could not read
    assert any("Volumes" in w and "500" in w for w in inventory.warnings), inventory.warnings


def test_walk_node_a_drive_documents_parsed_by_the_generic_driver(node_a):
    """The drives read one by one (Storage/1 -> Drives links), as the generic driver's
    inventory reads and parses them, without the Volumes collection the fake driver fails."""
    inventory = node_a.inventory
    storage = inventory.reader.read(WALK_NODE_A + "/Storage/1")
    drives = [inventory.parse_drive(inventory.reader.read(uri))
              for uri in storage.links("Drives") or []]
    assert [(d.id, d.capacity_bytes, d.protocol, d.media) for d in drives] == [
        ("1/32ADF365C6C1B7BD", DRIVE_BYTES, "SAS", "HDD"),
        ("1/58CFF987G8J2V9KL", DRIVE_BYTES, "SAS", "HDD")]


def test_walk_node_b_is_on_with_the_third_fake_mac(replay_fixture, no_wait_poll):
    bmc = replay_fixture(FAKE / "walk")
    with hamnhw.connect(bmc.url + WALK_NODE_B, "admin", "x", poll=no_wait_poll) as node:
        assert node.power.state() is PowerState.ON
        assert [n.mac for n in node.nics.list()] == ["02:00:00:00:00:03"]


def test_walk_without_a_system_path_names_both_systems(replay_fixture, no_wait_poll):
    bmc = replay_fixture(FAKE / "walk")
    with pytest.raises(DriverNotFound) as raised:
        hamnhw.connect(bmc.url, "admin", "x", poll=no_wait_poll)  # refused at connect
    assert raised.value.usage
    assert WALK_NODE_A.rsplit("/", 1)[1] in str(raised.value)
    assert WALK_NODE_B.rsplit("/", 1)[1] in str(raised.value)


def _reset_bodies(bmc):
    return [json.loads(call.request.body) for call in bmc.mock.calls
            if call.request.method == "POST" and call.request.url.endswith(RESET)]


def _recorded_requests(fixture_dir: pathlib.Path) -> list[tuple[str, str]]:
    return [(e.method, e.path) for e in load_exchanges(fixture_dir)
            if e.path != "/redfish/v1/"]


def test_power_cycle_replays_force_off_then_on_in_order(replay_fixture, no_wait_poll):
    bmc = replay_fixture(FAKE / "power-cycle")
    with hamnhw.connect(bmc.url + SESSION_NODE_B, "admin", "x", poll=no_wait_poll) as node:
        assert node.detection.driver == "generic"
        off = node.power.off()
        assert (off.power_state, off.changed) == (PowerState.OFF, True)
        on = node.power.on()
        assert (on.power_state, on.changed) == (PowerState.ON, True)
    assert _reset_bodies(bmc) == [{"ResetType": "ForceOff"}, {"ResetType": "On"}]
    assert bmc.remaining == []


def test_power_cycle_polls_exactly_as_recorded(replay_fixture, no_wait_poll):
    """However many polls the emulator's random delay took, the replay asks the same."""
    bmc = replay_fixture(FAKE / "power-cycle")
    with hamnhw.connect(bmc.url + SESSION_NODE_B, "admin", "x", poll=no_wait_poll) as node:
        node.power.off()
        node.power.on()
    recorded = _recorded_requests(FAKE / "power-cycle")
    sent = [(c.request.method, c.request.url.removeprefix(bmc.base_url))
            for c in bmc.mock.calls
            if "/SessionService/" not in c.request.url
            and c.request.url.rstrip("/") != bmc.base_url + "/redfish/v1"]
    assert sent == recorded
    polls_after_off = recorded.index(("POST", RESET), recorded.index(("POST", RESET)) + 1)
    assert polls_after_off > recorded.index(("POST", RESET)) + 1  # at least one poll recorded


def test_power_cycle_replay_fails_when_the_driver_sends_another_reset(no_wait_poll):
    """A GracefulShutdown does not match the recorded ForceOff body: the POST fails,
    and leaving the replay reports the exchanges never used."""
    with pytest.raises(AssertionError, match="Not all requests have been executed"), \
            replay(FAKE / "power-cycle") as bmc, \
            hamnhw.connect(bmc.url + SESSION_NODE_B, "admin", "x", poll=no_wait_poll) as node, \
            pytest.raises(HamnhwError):
        node.power.soft_off()


def test_power_cycle_replay_fails_when_on_comes_first(no_wait_poll):
    """The recording starts with node-b On: asking On first sends no ForceOff, so the
    recorded exchanges are left unused and the replay fails."""
    with pytest.raises(AssertionError, match="Not all requests have been executed"), \
            replay(FAKE / "power-cycle") as bmc, \
            hamnhw.connect(bmc.url + SESSION_NODE_B, "admin", "x", poll=no_wait_poll) as node:
        result = node.power.on()
        assert (result.power_state, result.changed) == (PowerState.ON, False)
