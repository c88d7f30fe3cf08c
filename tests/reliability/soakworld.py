"""The soak's world: a simulated MN pair on virtual time, its config and journal.

Time is virtual so that thousands of failovers fit in minutes: :class:`SharedClock` is one
clock for the simulated BMCs (power transitions, POST, boot), the coordinator's poller, the
transport's retries and deadlines, and the journal's timestamps.  Every read ticks it by one
microsecond, so request-log times and journal times form one total order (an intent, the
POST it governs, its outcome); a sleep moves it forward at once.  It lives in shared memory,
so a coordinator forked into a child process (to be SIGKILLed) moves the same clock the
simulator in the parent reads.

:func:`virtual_time` patches, for the duration of a block, the three places where hamnhw
reads the wall or monotonic clock without an injection point: the transport's
:class:`~hamnhw.transport.retry.RetryPolicy` default, the journal's ``now`` and nothing else
(the poller gets its clock through :class:`~hamnhw.poll.PollPolicy`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import multiprocessing
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hamnhw.failover.journal import Journal
from hamnhw.poll import PollPolicy
from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.sim.server import SimServer

TICK_S = 1e-6
"""How far one clock read moves virtual time (a total order, never a measurable delay)."""

TIMINGS = {"power_delay": 4.0, "post_time": 8.0, "boot_time": 20.0}
"""Virtual seconds of the simulated hosts' transitions: real-BMC-like, free to wait for."""

FAILOVER = {"graceful_timeout": 30.0, "power_off_timeout": 20.0, "post_timeout": 60.0,
            "boot_timeout": 90.0, "poll_interval": 2.0}
"""The soak's ``[failover]`` table (virtual seconds)."""

NODE_TIMEOUT_S = 30.0
"""``[primary]``/``[standby]`` ``timeout``: each request's deadline (virtual seconds)."""

POWER_ON_RESETS = frozenset({"On", "ForceOn", "PowerCycle", "ForceRestart", "GracefulRestart"})
"""ResetTypes that power a host on (or keep it on through a restart)."""


class SharedClock:
    """Virtual monotonic seconds in shared memory (see the module docstring)."""

    def __init__(self, start: float = 1000.0) -> None:
        self._value = multiprocessing.get_context("fork").Value("d", start)

    def __call__(self) -> float:
        with self._value.get_lock():
            self._value.value += TICK_S
            return float(self._value.value)

    def sleep(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` (never backwards)."""
        with self._value.get_lock():
            self._value.value += max(0.0, float(seconds))

    def policy(self, interval: float, timeout: float) -> PollPolicy:
        """A poll policy on this clock."""
        return PollPolicy(interval=interval, timeout=timeout, clock=self, sleep=self.sleep)


@contextlib.contextmanager
def virtual_time(clock: SharedClock, rng: random.Random) -> Iterator[None]:
    """Transport retries/deadlines and journal timestamps on ``clock`` inside the block."""
    import hamnhw.transport.redfish as redfish_module

    original_policy = redfish_module.RetryPolicy
    original_now = Journal.now
    redfish_module.RetryPolicy = functools.partial(  # type: ignore[misc]
        original_policy, clock=clock, sleep=clock.sleep, rand=rng.random)
    Journal.now = lambda self: clock()  # type: ignore[method-assign]
    try:
        yield
    finally:
        redfish_module.RetryPolicy = original_policy  # type: ignore[misc]
        Journal.now = original_now  # type: ignore[method-assign]


@dataclasses.dataclass
class PowerLog:
    """Every power state a simulated host went through: ``(virtual time, PowerState)``."""

    changes: list[tuple[float, str]]

    def at(self, when: float) -> str:
        """The power state at ``when``."""
        state = self.changes[0][1]
        for at, value in self.changes:
            if at > when:
                break
            state = value
        return state

    def off_throughout(self, start: float, end: float) -> bool:
        """Off at ``start`` and at every change up to ``end``."""
        return self.at(start) == "Off" and all(
            state == "Off" for at, state in self.changes if start < at <= end)


def watch_power(server: SimServer) -> PowerLog:
    """Record every power change of ``server`` from now on (the simulator applies due steps
    lazily but at their own times, so the log is exact once :meth:`settle` ran)."""
    machine = server.state.power
    log = PowerLog([(server.state.clock(), machine.state)])
    notify = machine._on_change

    def on_change(state: str, at: float) -> None:
        log.changes.append((at, state))
        notify(state, at)

    machine._on_change = on_change
    return log


def pair_specs(target_post_detail: bool = True) -> list[ServerSpec]:
    """The primary (On, the MN on its RAID1) and the standby (Off, empty bays)."""
    base: dict[str, Any] = {**TIMINGS, "post_detail": True, "boot_progress_time": True}
    return [ServerSpec(name="primary", power="On", power_restore_policy="AlwaysOn", **base),
            ServerSpec(name="standby", power="Off", drives=(), raid1=False,
                       **{**base, "post_detail": target_post_detail})]


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


@dataclasses.dataclass
class World:
    """A running simulated pair on virtual time with its config file."""

    cluster: SimCluster
    clock: SharedClock
    config_path: Path
    power: dict[str, PowerLog]

    def __getitem__(self, name: str) -> SimServer:
        return self.cluster[name]

    def settle(self) -> None:
        """Apply every power step due by now (the power logs are then complete)."""
        for server in self.cluster:
            server.state.advance()

    def stop(self) -> None:
        self.cluster.stop()


def build_world(workdir: Path, *, target_post_detail: bool = True) -> World:
    """Start the pair (plain HTTP on loopback) and write its config under ``workdir``."""
    clock = SharedClock()
    cluster = SimCluster(pair_specs(target_post_detail), tls=False, clock=clock,
                         sleep=clock.sleep).start()
    power = {server.name: watch_power(server) for server in cluster}
    password = workdir / "bmc.pw"
    password.write_text(cluster["primary"].password + "\n")
    os.chmod(password, 0o600)
    lines = [f"[pair]\nname = \"soak\"\njournal_dir = {_toml(str(workdir / 'journal'))}\n"]
    for name in ("primary", "standby"):
        server = cluster[name]
        lines.append(f"[{name}]\nbmc = {_toml(server.url)}\nusername = {_toml(server.username)}"
                     f"\npassword_file = {_toml(str(password))}\ntimeout = {NODE_TIMEOUT_S}\n")
    lines.append("[failover]\n" + "".join(f"{k} = {v!r}\n" for k, v in FAILOVER.items()))
    config = workdir / "hamnhw.toml"
    config.write_text("\n".join(lines))
    return World(cluster, clock, config, power)
