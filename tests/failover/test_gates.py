"""The old-node checks read by read: Off must be read exactly twice in a row, a failed read
is read again, and only a BMC that never answers for the whole budget is unreachable."""

from __future__ import annotations

import types
from collections.abc import Iterable

from hamnhw.errors import BmcUnreachable
from hamnhw.failover.gates import NOT_OFF, OFF, UNREACHABLE, poll_power
from hamnhw.failover.powerops import wait_off
from hamnhw.models import PowerState
from hamnhw.poll import PollPolicy

ON_, OFF_ = PowerState.ON, PowerState.OFF
DOWN = object()
"""A read that fails (the BMC does not answer)."""


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Node:
    """A node whose BMC answers the given reads, then repeats the last one."""

    def __init__(self, reads: Iterable[object]) -> None:
        self.reads = list(reads)
        self.address = types.SimpleNamespace(netloc="bmc:443")
        self.power = self

    def state(self) -> PowerState:
        value = self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]
        if value is DOWN:
            raise BmcUnreachable("no answer", host="bmc:443")
        assert isinstance(value, PowerState)
        return value


def context(node: Node) -> types.SimpleNamespace:
    clock = FakeClock()
    return types.SimpleNamespace(
        node=lambda _name: node, settings=types.SimpleNamespace(power_off_timeout=20.0),
        poll=PollPolicy(interval=1.0, timeout=20.0, clock=clock, sleep=clock.sleep))


def test_off_between_on_reads_is_never_off() -> None:
    ctx = context(Node([OFF_, ON_] * 40))
    assert poll_power(ctx, "primary", "off?") == (NOT_OFF, ON_)
    flicker = Node([OFF_, PowerState.POWERING_OFF] * 40)
    assert poll_power(context(flicker), "primary", "off?")[0] == NOT_OFF
    assert not wait_off(context(flicker), flicker, 20.0, "off?")


def test_off_read_twice_in_a_row_is_off() -> None:
    assert poll_power(context(Node([PowerState.POWERING_OFF, OFF_, OFF_])), "p", "off?") == (
        OFF, OFF_)
    node = Node([OFF_, PowerState.UNKNOWN, OFF_, OFF_])
    assert wait_off(context(node), node, 20.0, "off?")


def test_a_failed_read_is_read_again_and_unreachable_needs_the_whole_budget() -> None:
    assert poll_power(context(Node([DOWN, OFF_, OFF_])), "p", "off?") == (OFF, OFF_)
    assert poll_power(context(Node([OFF_, DOWN, OFF_, OFF_])), "p", "off?") == (OFF, OFF_)
    assert poll_power(context(Node([DOWN])), "p", "off?") == (UNREACHABLE,
                                                               PowerState.UNKNOWN)
    assert poll_power(context(Node([DOWN, PowerState.POWERING_OFF, DOWN])), "p",
                      "off?")[0] == NOT_OFF
