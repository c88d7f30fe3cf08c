"""hamnhw.plan against the simulator: each plan sends nothing, says "already" when the node is
in state, and names exactly the request the real write then sends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import hamnhw
from hamnhw import plan
from hamnhw.errors import ConfigError, OperationFailed
from hamnhw.models import BootSource, PowerRestorePolicy
from hamnhw.node import Node
from hamnhw.plan import PlannedRequest
from hamnhw.poll import PollPolicy
from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

UNSAFE = {"POST", "PATCH", "DELETE", "PUT"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name="plans", power="On")]) as sim:
        yield sim


@pytest.fixture
def server(cluster: SimCluster) -> SimServer:
    sim = cluster["plans"]
    sim.clear_faults()
    return sim


@pytest.fixture
def node(server: SimServer) -> Iterator[Node]:
    with hamnhw.connect(server.url, server.username, server.password,
                        poll=PollPolicy(interval=0.05, timeout=10)) as connected:
        server.clear_requests()
        yield connected


def writes(server: SimServer) -> list[tuple[str, str, object]]:
    """The writes the simulated BMC saw (sessions aside), with their bodies."""
    return [(r.method, r.path, r.body) for r in server.requests
            if r.method in UNSAFE and "SessionService" not in r.path]


def sent(request: PlannedRequest) -> tuple[str, str, object]:
    return (request.method, request.path, dict(request.body or {}))


def test_power_plans_then_the_write_sends_what_was_planned(server: SimServer, node: Node) -> None:
    server.set_power("On")
    on = plan.plan_power(node, "on")
    assert (on.changed, on.summary, on.requests) == (False, "already on", ())
    off = plan.plan_power(node, "off")
    assert off.changed and off.current == "on" and off.wanted == "off"
    assert off.requests is not None and len(off.requests) == 1
    assert off.requests[0].body == {"ResetType": "ForceOff"}
    assert off.summary == "would send ForceOff (now on)"
    assert writes(server) == []
    node.power.off()
    assert writes(server) == [sent(off.requests[0])]


def test_soft_off_with_escalation_plans_both_requests(server: SimServer, node: Node) -> None:
    server.set_power("On")
    soft = plan.plan_power(node, "soft_off", escalate_after=30)
    assert soft.requests is not None
    assert [r.body for r in soft.requests] == [{"ResetType": "GracefulShutdown"},
                                               {"ResetType": "ForceOff"}]
    assert "30 s" in soft.notes[0]
    assert writes(server) == []


def test_cycle_of_an_off_node_is_refused_like_the_write(server: SimServer, node: Node) -> None:
    server.set_power("Off")
    with pytest.raises(OperationFailed, match="node is off"):
        plan.plan_power(node, "cycle")
    assert plan.plan_power(node, "off").summary == "already off"
    server.set_power("On")
    assert plan.plan_power(node, "cycle").changed
    assert writes(server) == []


def test_a_cycle_without_reset_marks_plans_off_then_on() -> None:
    spec = ServerSpec(name="nomarks", power="On", last_reset_time=False, boot_progress=False)
    with SimCluster([spec]) as sim, hamnhw.connect(
            sim["nomarks"].url, "admin", sim["nomarks"].password,
            poll=PollPolicy(interval=0.05, timeout=10)) as node:
        sim["nomarks"].clear_requests()
        cycle = plan.plan_power(node, "cycle")
        assert cycle.requests is not None
        assert [r.body for r in cycle.requests] == [{"ResetType": "ForceOff"},
                                                    {"ResetType": "On"}]
        assert cycle.summary == "would send ForceOff, then On (now on)"
        assert writes(sim["nomarks"]) == []
        node.power.cycle()
        assert writes(sim["nomarks"]) == [sent(r) for r in cycle.requests]


def test_boot_override_check_then_apply_then_already(server: SimServer, node: Node) -> None:
    node.management.set_boot_override(BootSource.NONE)
    server.clear_requests()
    checked = plan.apply_boot_override(node, BootSource.PXE, check=True)
    assert checked.changed and not checked.sent
    assert checked.plan.wanted == "Pxe/Once"
    assert writes(server) == []
    done = plan.apply_boot_override(node, BootSource.PXE)
    assert done.sent and done.readback == "Pxe/Once"
    assert checked.plan.requests is not None
    assert writes(server) == [sent(checked.plan.requests[0])]
    server.clear_requests()
    again = plan.apply_boot_override(node, BootSource.PXE)
    assert (again.changed, again.sent, again.plan.summary) == (False, False, "already Pxe/Once")
    persistent = plan.plan_boot_override(node, BootSource.PXE, persistent=True)
    assert persistent.changed and persistent.wanted == "Pxe/Continuous"
    assert writes(server) == []


def test_boot_override_none_is_already_when_disabled(server: SimServer, node: Node) -> None:
    node.management.set_boot_override(BootSource.NONE)
    assert not plan.plan_boot_override(node, BootSource.NONE).changed
    node.management.set_boot_override(BootSource.HDD)
    cleared = plan.plan_boot_override(node, BootSource.NONE)
    assert cleared.changed and cleared.current == "Hdd/Once"


def test_restore_policy_check_apply_already(server: SimServer, node: Node) -> None:
    node.power.set_restore_policy(PowerRestorePolicy.ALWAYS_OFF)
    server.clear_requests()
    checked = plan.apply_restore_policy(node, PowerRestorePolicy.ALWAYS_ON, check=True)
    assert checked.changed and not checked.sent and writes(server) == []
    assert checked.plan.summary == "would set AlwaysOn (now AlwaysOff)"
    done = plan.apply_restore_policy(node, PowerRestorePolicy.ALWAYS_ON)
    assert done.readback == "AlwaysOn"
    assert checked.plan.requests is not None
    assert writes(server) == [sent(checked.plan.requests[0])]
    assert not plan.apply_restore_policy(node, PowerRestorePolicy.ALWAYS_ON).changed


def test_a_plan_reads_only_even_where_the_write_would_be_refused(server: SimServer,
                                                              node: Node) -> None:
    """A PATCH the BMC would refuse still plans: a plan reads, it never sends."""
    server.inject("refuse_restore_policy")
    current = node.power.get_restore_policy()
    other = next(p for p in PowerRestorePolicy if p is not current)
    assert plan.plan_restore_policy(node, other).changed
    assert writes(server) == []


def test_a_driver_without_request_hooks_plans_without_requests(
        server: SimServer, node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    """The interface default (None): the plan says what, not which requests."""
    server.set_power("On")
    monkeypatch.setattr(node.power, "reset_requests", lambda action: None)
    off = plan.plan_power(node, "off")
    assert off.changed and off.requests is None
    assert off.summary == "would power off (now on)"


def test_unknown_action_is_a_usage_error(node: Node) -> None:
    with pytest.raises(ConfigError, match="unknown power action 'reboot'"):
        plan.plan_power(node, "reboot")
