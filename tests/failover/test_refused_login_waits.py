"""A BMC account refused during the failover's power waits (its password rotated, the account
disabled) stops the wait at once with the stop naming what to fix: the refused credentials
are not sent again read after read toward the account's lockout (review: a re-login every
``relogin_interval`` for the fence's graceful and force-off waits, about 14 refused logins;
with basic auth, one refused request per poll)."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable

import pytest
from pairsim import PairSim

from hamnhw.config import load_config
from hamnhw.failover.engine import Stop
from hamnhw.failover.powerops import wait_off, wait_steady_on
from hamnhw.failover.states import State
from hamnhw.pair import connect_node
from hamnhw.poll import PollPolicy
from hamnhw.sim import ManualClock
from hamnhw.sim.faults import make_fault


def rotate_password(sim: PairSim, name: str) -> None:
    server = sim[name]
    server.state.spec = dataclasses.replace(server.state.spec, password="rotated-elsewhere")


def refused(sim: PairSim, name: str, since: int) -> list[str]:
    """Every request ``name`` answered 401 from request ``since`` on: refused logins and
    refused basic-auth reads."""
    return [f"{r.method} {r.path}" for r in sim[name].requests[since:] if r.status == 401]


def logins(sim: PairSim, name: str) -> int:
    return sum(1 for r in sim[name].requests
               if r.method == "POST" and r.path.rstrip("/").endswith("Sessions"))


@pytest.mark.parametrize("auth", ["session", "basic"])
def test_a_refused_account_stops_the_power_waits_without_sending_it_again(
        start_pair: Callable[..., PairSim], auth: str) -> None:
    sim = start_pair(primary={} if auth == "session" else {"session_service": False})
    config = load_config(str(sim.config_path))
    node = connect_node(config, "primary")
    clock = ManualClock()
    ctx = types.SimpleNamespace(state=State.FENCE, config=config, poll=PollPolicy(
        interval=2.0, timeout=300.0, clock=clock, sleep=clock.sleep))
    try:
        rotate_password(sim, "primary")
        since = len(sim["primary"].requests)
        if auth == "session":
            sim["primary"].faults.add(make_fault("expire_session", count=1))

        with pytest.raises(Stop) as graceful:
            wait_off(ctx, node, 300.0, "primary: graceful shutdown")  # type: ignore[arg-type]
        first = refused(sim, "primary", since)
        with pytest.raises(Stop) as force:
            wait_off(ctx, node, 120.0, "primary: force off")  # type: ignore[arg-type]
        with pytest.raises(Stop):
            wait_steady_on(ctx, node, 120.0, "primary: on?")  # type: ignore[arg-type]
    finally:
        node.close()

    # basic auth too: a 401 after the credentials worked is their refusal (a rotation), not
    # a missing right
    assert ("check [primary] username and the password hamnhw reads for it (password_file "
            f"{sim.config_path.with_name('bmc.pw')}; after a password change on the BMC, put "
            "the new one there): refused credentials are not sent again, and refused logins "
            "can lock the account") in graceful.value.reason
    assert "the right" not in graceful.value.reason and "tried once" not in graceful.value.reason
    assert "primary cannot be confirmed off" in graceful.value.reason
    assert "`hamnhw failover resume`" in graceful.value.reason
    assert graceful.value.needs is None, "no acknowledgement stands for a BMC that answers"
    assert force.value.reason == graceful.value.reason
    if auth == "basic":  # one refused read, then the run stops (basic auth is per request)
        assert first == ["GET /redfish/v1/Systems/1"]
        return
    assert [r for r in first if r.startswith("POST ")] == [
        "POST /redfish/v1/SessionService/Sessions"], "one refused re-login"
    assert refused(sim, "primary", since) == first, "nothing sent with the refused account again"
    assert logins(sim, "primary") == 2, "the first login and one refused re-login"
