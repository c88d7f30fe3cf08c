"""A scripted stand-in for pyghmi's ``Command``, and an :class:`IpmiTransport` built on it.

The factory hands out, per login attempt, either an exception to raise or a
:class:`ScriptedCommand`; a command answers ``raw_command`` from a script keyed by
``(netfn, command)``: each entry is a reply dict, an exception to raise, or a callable
returning one of those; the last entry of a key repeats.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from hamnhw.address import parse_bmc_url
from hamnhw.connection import Credentials, Secret, Timeouts
from hamnhw.sim.clock import ManualClock
from hamnhw.transport.ipmi import IpmiTransport
from hamnhw.transport.retry import RetryPolicy

PASSWORD = "ipmi-Secret-4821"
KG = "kg-Secret-93ab71"
URL = "ipmi://127.0.0.1:6230"
# Get Device ID: Lenovo (IANA 19046 = 0x004A66), product 0x1234, firmware 2.15, IPMI 2.0
DEVICE_ID = bytes([0x20, 0x81, 0x02, 0x15, 0x02, 0xBF, 0x66, 0x4A, 0x00, 0x34, 0x12])


def ok(data: bytes | list[int] = b"", netfn: int = 0, command: int = 0) -> dict[str, Any]:
    """A successful reply as pyghmi returns it."""
    return {"netfn": netfn + 1, "command": command, "code": 0, "data": bytearray(data)}


def failed(code: int, error: str) -> dict[str, Any]:
    """A reply carrying a completion code, as pyghmi returns it (no exception)."""
    return {"netfn": 1, "command": 0, "code": code, "data": bytearray(), "error": error}


class FakeSession:
    """``command.ipmi_session``."""

    def __init__(self) -> None:
        self.broken = False
        self.errormsg: str | None = None
        self.logouts = 0

    def logout(self) -> dict[str, bool]:
        self.logouts += 1
        return {"success": True}


class ScriptedCommand:
    """pyghmi's ``Command`` answering from a script."""

    def __init__(self, script: dict[tuple[int, int], list[Any]] | None = None,
                 inventory: list[Any] | None = None) -> None:
        self.script = {(0x06, 0x01): [ok(DEVICE_ID)], **(script or {})}
        self.inventory = inventory or []
        self.calls: list[tuple[int, int, tuple[int, ...]]] = []
        self.ipmi_session = FakeSession()

    def raw_command(self, netfn: int, command: int, data: tuple[int, ...] = (),
                    **_: Any) -> Any:
        self.calls.append((netfn, command, tuple(data)))
        entries = self.script.get((netfn, command)) or [failed(0xC1, "Invalid command")]
        entry = entries.pop(0) if len(entries) > 1 else entries[0]
        if callable(entry):
            entry = entry()
        if isinstance(entry, BaseException):
            raise entry
        return entry

    def sent(self, netfn: int, command: int) -> list[tuple[int, ...]]:
        """The data of every request sent with this netfn and command."""
        return [data for n, c, data in self.calls if (n, c) == (netfn, command)]

    def get_inventory(self) -> Any:
        for item in self.inventory:
            if isinstance(item, BaseException):
                raise item
            yield item


class Factory:
    """Hands out one outcome per login (the last repeats) and remembers the arguments."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes) or [ScriptedCommand()]
        self.logins: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> Any:
        self.logins.append(kwargs)
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if callable(outcome) and not isinstance(outcome, ScriptedCommand):
            outcome = outcome()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def make_transport(factory: Factory, *, clock: ManualClock | None = None,
                   pacing: float = 0.0, operation: float = 120.0, kg: str | None = None,
                   retry: RetryPolicy | None = None, **kwargs: Any) -> IpmiTransport:
    """An :class:`IpmiTransport` over ``factory``; sleeps only advance ``clock`` (a fresh
    :class:`ManualClock` by default), unless a ``retry`` policy of its own is given."""
    clock = clock or ManualClock()
    retry = retry or RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=4.0, jitter=0.0,
                                 sleep=clock.sleep, clock=clock)
    return IpmiTransport(parse_bmc_url(URL), Credentials("admin", Secret(PASSWORD)),
                         Timeouts(operation=operation), kg=Secret(kg) if kg else None,
                         pacing=pacing, command_factory=factory, retry=retry, **kwargs)


def blocking(release: threading.Event, value: Any = None) -> Callable[[], Any]:
    """An outcome that waits for ``release`` (a pyghmi call that does not come back)."""
    def wait() -> Any:
        release.wait(30)
        return value

    return wait
