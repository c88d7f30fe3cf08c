"""A stateful stand-in for pyghmi's ``Command`` talking to a BMC, to drive the real
:class:`IpmiTransport` and IPMI driver without a network.

Power changes take effect after ``delay_reads`` chassis-status reads; ``script`` overrides
what the next reads say; completion codes and lost replies can be injected per command.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hamnhw_drivers.ipmi import IpmiDriver

from hamnhw.address import parse_bmc_url
from hamnhw.connection import Credentials, Secret
from hamnhw.interfaces import PollPolicy
from hamnhw.models import Detection
from hamnhw.node import Node
from hamnhw.sim.clock import ManualClock
from hamnhw.transport.ipmi import IpmiTransport
from hamnhw.transport.retry import RetryPolicy

DEVICE_ID = bytes([0x20, 0x81, 0x02, 0x15, 0x02, 0xBF, 0xA2, 0x02, 0x00, 0x00, 0x01])  # Dell
MAC = "52:54:00:12:34:56"


@dataclasses.dataclass
class FakeBmc:
    """The chassis state and the injected faults."""

    power: str = "off"
    delay_reads: int = 0
    script: list[str] = dataclasses.field(default_factory=list)
    """Power states the next chassis-status reads report (then the real state)."""
    restore: int = 0
    restore_mode: str = "apply"  # or "ignore", "unsupported"
    boot: list[int] = dataclasses.field(default_factory=lambda: [0, 0, 0, 0, 0])
    """Boot flags data 1-5: invalid (no override, no mode), as a fresh BMC's."""
    boot_apply: bool = True
    identify: bool = False
    lan: dict[int, dict[int, bytes]] = dataclasses.field(default_factory=lambda: {1: {
        3: bytes([10, 0, 0, 5]), 4: b"\x02", 5: bytes.fromhex(MAC.replace(":", "")),
        6: bytes([255, 255, 255, 0]), 12: bytes([10, 0, 0, 1]), 0x14: b"\x64\x80"}})
    inventory: list[Any] = dataclasses.field(default_factory=list)
    faults: dict[tuple[int, int], list[Any]] = dataclasses.field(default_factory=dict)
    """Replies (dicts) or exceptions returned instead of the real answer, in order."""
    controls: list[int] = dataclasses.field(default_factory=list)
    _pending: tuple[str, int] | None = None

    # -- pyghmi Command ------------------------------------------------------------------
    @property
    def ipmi_session(self) -> Any:
        return self

    broken = False

    def logout(self) -> None:
        pass

    def get_inventory(self) -> Any:
        for item in self.inventory:
            if isinstance(item, BaseException):
                raise item
            yield item

    def raw_command(self, netfn: int, command: int, data: tuple[int, ...] = (),
                    **_: Any) -> Any:
        faults = self.faults.get((netfn, command))
        if faults:
            fault = faults.pop(0)
            if isinstance(fault, BaseException):
                raise fault
            return fault
        handler = _HANDLERS.get((netfn, command))
        if handler is None:
            return _reply(code=0xC1)
        return handler(self, bytes(data))

    # -- state ---------------------------------------------------------------------------
    def read_power(self) -> str:
        if self.script:
            return self.script.pop(0)
        if self._pending:
            state, left = self._pending
            self._pending = (state, left - 1) if left > 1 else None
            if left <= 1:
                self.power = state
        return self.power

    def schedule(self, state: str) -> None:
        if self.delay_reads:
            self._pending = (state, self.delay_reads)
        else:
            self.power = state


def _reply(data: bytes | list[int] = b"", code: int = 0) -> dict[str, Any]:
    reply: dict[str, Any] = {"netfn": 1, "command": 0, "code": code, "data": bytearray(data)}
    if code:
        reply["error"] = {0xC1: "Invalid command", 0xCC: "Invalid data field in request",
                          0xD5: "Command not supported in present state",
                          0x80: "Parameter not supported"}.get(code, "error")
    return reply


def _status(bmc: FakeBmc, _data: bytes) -> dict[str, Any]:
    power = 1 if bmc.read_power() == "on" else 0
    return _reply([power | bmc.restore << 5, 0, 0x40 | (0x20 if bmc.identify else 0)])


def _control(bmc: FakeBmc, data: bytes) -> dict[str, Any]:
    bmc.controls.append(data[0])
    if data[0] == 2:
        if bmc.power == "off":
            return _reply(code=0xD5)
        bmc.power = "off"
        bmc.schedule("on")
    else:
        bmc.schedule({0: "off", 1: "on", 5: "off"}[data[0]])
    return _reply()


def _restore(bmc: FakeBmc, data: bytes) -> dict[str, Any]:
    if bmc.restore_mode == "unsupported":
        return _reply(code=0xC1)
    if bmc.restore_mode == "apply" and data[0] != 3:
        bmc.restore = data[0]
    return _reply([0b111])


def _set_boot(bmc: FakeBmc, data: bytes) -> dict[str, Any]:
    if data[0] == 5 and bmc.boot_apply:
        bmc.boot = list(data[1:6])
    return _reply()


def _get_boot(bmc: FakeBmc, _data: bytes) -> dict[str, Any]:
    return _reply([1, 5, *bmc.boot])


def _identify(bmc: FakeBmc, data: bytes) -> dict[str, Any]:
    bmc.identify = bool(data[1] & 1)
    return _reply()


def _channel(bmc: FakeBmc, data: bytes) -> dict[str, Any]:
    if data[0] in bmc.lan:
        return _reply([data[0], 4, 1, 0x80, 0, 0, 0, 0, 0])
    return _reply([data[0], 1, 1, 0, 0, 0, 0, 0, 0]) if data[0] == 2 else _reply(code=0xCC)


def _lan(bmc: FakeBmc, data: bytes) -> dict[str, Any]:
    value = bmc.lan.get(data[0], {}).get(data[1])
    return _reply(code=0x80) if value is None else _reply(bytes([0x11]) + value)


_HANDLERS = {(0x06, 0x01): lambda bmc, _d: _reply(DEVICE_ID), (0x00, 0x01): _status,
             (0x00, 0x02): _control, (0x00, 0x04): _identify, (0x00, 0x06): _restore,
             (0x00, 0x08): _set_boot, (0x00, 0x09): _get_boot, (0x06, 0x42): _channel,
             (0x0C, 0x02): _lan}


def connect_fake(bmc: FakeBmc, clock: ManualClock | None = None, timeout: float = 20.0,
                 boot_mode: str | None = None) -> Node:
    """A :class:`Node` with the IPMI driver over ``bmc``; polls every 1 s of ``clock``;
    ``boot_mode`` as configured for the node."""
    clock = clock or ManualClock()
    transport = IpmiTransport(
        parse_bmc_url("ipmi://127.0.0.1:6231"), Credentials("admin", Secret("pw-1234")),
        pacing=0.0, boot_mode=boot_mode, command_factory=lambda **_: bmc,
        retry=RetryPolicy(jitter=0.0, sleep=clock.sleep, clock=clock))
    transport.open()
    poll = PollPolicy(interval=1.0, timeout=timeout, clock=clock, sleep=clock.sleep)
    driver = IpmiDriver(transport, transport.address, poll)
    return Node("fake", transport.address, driver, Detection("ipmi", "test"))
