"""The recorded power-cycle session replays in order through hamnhw.connect."""

from __future__ import annotations

import json

import pytest

import hamnhw
from hamnhw.errors import HamnhwError
from hamnhw.fixturetools.replay import replay
from hamnhw.models import PowerState

RESET = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"


def _reset_bodies(bmc):
    return [json.loads(call.request.body) for call in bmc.mock.calls
            if call.request.method == "POST" and call.request.url.endswith(RESET)]


def test_power_cycle_replays_every_exchange_in_order(replay_fixture, no_wait_poll,
                                                     sim_recordings):
    bmc = replay_fixture(sim_recordings / "power-cycle")
    with hamnhw.connect(bmc.url, "admin", "not-the-password", poll=no_wait_poll) as node:
        off = node.power.off()
        on = node.power.on()
    assert (off.power_state, off.changed) == (PowerState.OFF, True)
    assert (on.power_state, on.changed) == (PowerState.ON, True)
    assert _reset_bodies(bmc) == [{"ResetType": "ForceOff"}, {"ResetType": "On"}]
    assert bmc.remaining == []


def test_session_logout_is_sent(replay_fixture, no_wait_poll, sim_recordings):
    bmc = replay_fixture(sim_recordings / "power-cycle")
    with hamnhw.connect(bmc.url, "admin", "x", poll=no_wait_poll) as node:
        node.power.off()
        node.power.on()
    assert bmc.mock.calls[-1].request.method == "DELETE"
    assert "/SessionService/Sessions/" in bmc.mock.calls[-1].request.url


def test_replay_refuses_a_different_operation(no_wait_poll, sim_recordings):
    """A ComputerSystem.Reset with another ResetType does not match the recorded
    ForceOff body: the POST fails, and leaving the replay reports the
    exchanges that were never used."""
    with pytest.raises(AssertionError, match="Not all requests have been executed"), \
            replay(sim_recordings / "power-cycle") as bmc, \
            hamnhw.connect(bmc.url, "admin", "x", poll=no_wait_poll) as node, \
            pytest.raises(HamnhwError):
        node.power.cycle()
