"""The MN address checks: only silence tells that no host holds an MN address.

A refused connection is a host answering (its kernel sent the reset): the gate before a
power-on must stop on it as on an accepted one.  The simulator's MN stand-in is silent when
the MN is down (never refusing), so the failover tests see what a real network shows.
"""

from __future__ import annotations

import socket
import time

import pytest
from doubles import OperatorDouble
from runs import coordinator, move, ready, standby_posts

from hamnhw import noanswer
from hamnhw.errors import ConfigError
from hamnhw.failover.probes import ACCEPTED, not_silent, probe
from hamnhw.pairconfig import parse_failover
from hamnhw.sim.mnservice import MnService


def closed_port() -> str:
    """A loopback address nothing listens on: the kernel refuses connections to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def wait_for(condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "the MN stand-in did not change in time"
        time.sleep(0.02)


def test_a_refused_connection_is_not_silence() -> None:
    address = closed_port()
    assert probe(address, 0.5) == noanswer.REFUSED
    assert not_silent([address], 0.5) == {
        address: "refused a connection (a host holds the address)"}


def test_the_mn_stand_in_is_silent_when_down_and_accepts_when_up() -> None:
    up = {"now": False}
    with MnService(None, (), up=lambda: up["now"]) as mn:  # type: ignore[arg-type]
        assert probe(mn.address, 0.3) == noanswer.CONNECT_TIMEOUT
        assert not_silent([mn.address], 0.3) == {}
        up["now"] = True
        wait_for(lambda: mn.listening)
        assert probe(mn.address, 1.0) == ACCEPTED
        assert not_silent([mn.address], 1.0) == {mn.address: "accepted a connection"}
        up["now"] = False
        wait_for(lambda: not mn.listening)
        assert probe(mn.address, 0.3) == noanswer.CONNECT_TIMEOUT


def test_probe_timeout_is_a_failover_budget() -> None:
    assert parse_failover({"probe_timeout": 1.5}, "c.toml").probe_timeout == 1.5
    assert parse_failover({}, "c.toml").probe_timeout == 2.0
    for short in (0, 0.5):  # under TCP's first SYN retry: a slow host could look gone
        with pytest.raises(ConfigError, match="probe_timeout"):
            parse_failover({"probe_timeout": short}, "c.toml")


@pytest.mark.e2e
def test_an_mn_address_refusing_blocks_the_power_on(start_pair) -> None:
    address = closed_port()
    sim = start_pair(failover={"mn_addresses": [address], "probe_timeout": 1})
    ready(sim)
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "stopped"
    assert address in report.stop_reason and "refused a connection" in report.stop_reason
    assert standby_posts(sim) == []


@pytest.mark.e2e
def test_a_silent_mn_address_lets_the_failover_finish(start_pair) -> None:
    with MnService(None, (), up=lambda: False) as silent:  # type: ignore[arg-type]
        sim = start_pair(failover={"mn_addresses": [silent.address], "probe_timeout": 1})
        ready(sim)
        report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "done", report.stop_reason
