"""hamnhw's IPMI test BMC: pyghmi's server-side ``Bmc`` class, loopback only.

A standalone script (stdlib and pyghmi only, no hamnhw import) so that it runs both as the
child process of ``hamnhw sim --ipmi`` (:mod:`hamnhw.sim.ipmi`) and as a third-party-style
peer from the pyghmi venv of ``tests/peers``::

    printf 'admin\\tpassword\\n' | python ipmi_bmc.py --port 0 [--power-delay S]
        [--initial-power on|off] [--restore-policy-mode apply|ignore] [--mac M] ...
    -> prints "listening on 127.0.0.1:PORT/udp"

The account comes as ``user<TAB>password`` on the first line of stdin, never in argv.

What it adds to pyghmi's ``Bmc`` (and to its ``fakebmc`` script, which binds every address):

* binds the given address (127.0.0.1 by default) and any free port (``--port 0``);
* works around a pyghmi 1.6 client/server mismatch: the client proposes SHA-256 (cipher
  suite 17) first, pyghmi's server silently answers with SHA-1 and the client then crashes
  with ``struct.error``; here the server refuses SHA-256 (RMCP+ status 0x11, "no cipher
  suite match") so that the client falls back to SHA-1 (suite 3);
* Get Chassis Status with the power restore policy and identify state; Chassis Control
  with power cycle, and ``--power-delay`` seconds before a change takes effect;
* Set Power Restore Policy (pyghmi's class answers 0xC1), or with
  ``--restore-policy-mode ignore`` accepted but not applied (to test read-back);
* System Boot Options parameter 5 stored as sent (persistent and UEFI bits included);
* Chassis Identify; Get Channel Info and Get LAN Configuration Parameters (channel 1), so
  that ``ipmitool lan print 1`` and the BMC NIC work;
* with ``--serial``: FRU 0 (Get FRU Inventory Area Info, Read FRU Data) with the host's
  chassis, board and product areas (``--serial`` the chassis and product serial,
  ``--board-serial`` the board's, the same by default), and Get System GUID (``--uuid``),
  so that ``ipmitool fru print`` and pyghmi's inventory tell the host's identity; the BMC
  then says it has device SDRs and no SDR repository, so the inventory ends at FRU 0;
* ``--backend-fd N``: power, restore policy, boot flags and identify live in the parent
  process (the simulator) and are asked over that socket, one JSON line per call; the BMC
  then ends when its parent does, even one killed without a chance to stop it.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import sys
import threading
import time
import uuid
from typing import Any

import pyghmi.ipmi.bmc as bmc
import pyghmi.ipmi.private.serversession as serversession

_ORIGINAL_OPEN_RESPONSE = serversession.ServerSession.create_open_session_response
NO_CIPHER_SUITE_MATCH = 0x11
COMPLETION_OK, COMPLETION_INVALID_FIELD, COMPLETION_NOT_IN_STATE = 0x00, 0xCC, 0xD5
COMPLETION_INVALID_COMMAND, COMPLETION_PARAMETER_NOT_SUPPORTED = 0xC1, 0x80
COMPLETION_INSUFFICIENT_PRIVILEGE = 0xD4
COMPLETION_NOT_PRESENT = 0xCB
LAN_CHANNEL = 1
FRU_RACK_MOUNT = 0x17


def _open_response_sha1_only(self: Any, request: Any) -> Any:
    """RMCP+ Open Session Response refusing any authentication algorithm but RAKP-HMAC-SHA1.

    The request carries the tag, the privilege, 2 reserved bytes, the console session id
    (4 bytes), then the authentication payload whose algorithm is at offset 4 (byte 12).
    """
    request = bytearray(request)
    if len(request) >= 32 and request[12] not in (0, 1):
        return bytearray([request[0], NO_CIPHER_SUITE_MATCH, 0, 0]) + request[4:8]
    return _ORIGINAL_OPEN_RESPONSE(self, request)


serversession.ServerSession.create_open_session_response = _open_response_sha1_only


class LocalBackend:
    """Chassis state kept in this process."""

    def __init__(self, power_delay: float = 0.0, initial_power: str = "off",
                 restore_policy_mode: str = "apply") -> None:
        self.power_delay = power_delay
        self.power = initial_power
        self.restore_mode = restore_policy_mode
        self.restore_code = 0  # always off
        self.flags = [0, 0, 0, 0, 0]
        self.identify = False
        self._pending: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def power_state(self) -> str:
        """``on`` or ``off``, applying a change whose delay has passed."""
        with self._lock:
            if self._pending and time.monotonic() >= self._pending[1]:
                self.power, self._pending = self._pending[0], None
            return self.power

    def _schedule(self, state: str) -> None:
        with self._lock:
            if self.power_delay:
                self._pending = (state, time.monotonic() + self.power_delay)
            else:
                self.power, self._pending = state, None

    def control(self, directive: int) -> int:
        """Chassis Control: 0 off, 1 on, 2 cycle, 3 reset, 5 soft off; a completion code."""
        current = self.power_state()
        if directive in (2, 3) and current == "off":
            return COMPLETION_NOT_IN_STATE
        if directive == 2:
            with self._lock:
                self.power = "off"
            self._schedule("on")
        elif directive in (0, 5):
            self._schedule("off")
        elif directive == 1:
            self._schedule("on")
        elif directive != 3:
            return COMPLETION_INVALID_FIELD
        return COMPLETION_OK

    def chassis(self) -> tuple[int, bool]:
        """The restore policy code and the identify state."""
        return self.restore_code, self.identify

    def set_restore_policy(self, code: int) -> int:
        """Apply (or, in ``ignore`` mode, only accept) a policy; the supported-policy mask."""
        if code > 3:
            return -1
        if code != 3 and self.restore_mode == "apply":
            self.restore_code = code
        return 0b111

    def boot_flags(self) -> list[int]:
        """The 5 data bytes of boot option parameter 5."""
        return list(self.flags)

    def set_boot_flags(self, data: list[int]) -> None:
        """Store boot option parameter 5 as sent."""
        self.flags = (list(data) + [0] * 5)[:5]

    def set_identify(self, on: bool) -> None:
        """Chassis Identify on (until turned off) or off."""
        self.identify = on


class RemoteBackend:
    """Chassis state kept by the parent process, asked over a socket (JSON lines)."""

    def __init__(self, fd: int) -> None:
        self._socket = socket.socket(fileno=fd)
        self._reader = self._socket.makefile("r", encoding="utf-8")
        self._lock = threading.Lock()

    def _call(self, op: str, *args: Any) -> Any:
        with self._lock:
            self._socket.sendall((json.dumps({"op": op, "args": list(args)}) + "\n").encode())
            line = self._reader.readline()
        if not line:
            raise SystemExit("the simulator closed the backend socket")
        return json.loads(line)["result"]

    def __getattr__(self, op: str) -> Any:
        if op not in ("power_state", "control", "chassis", "set_restore_policy", "boot_flags",
                      "set_boot_flags", "set_identify"):
            raise AttributeError(op)
        return lambda *args: self._call(op, *args)


def _fru_text(text: str) -> bytes:
    """One FRU type/length field: 8-bit ASCII, at most 63 bytes (empty: not given)."""
    data = text.encode("ascii", "replace")[:63]
    return bytes([0xC0 | len(data)]) + data


def _fru_area(body: bytes) -> bytes:
    """A FRU info area: version 1, its length in 8-byte units, ``body``, the end marker,
    padding and the zero checksum."""
    data = bytearray([0x01, 0]) + body + b"\xc1"
    data += bytes(-(len(data) + 1) % 8)
    data[1] = (len(data) + 1) // 8
    return bytes(data) + bytes([-sum(data) & 0xFF])


def fru_image(manufacturer: str, product: str, serial: str, board_serial: str) -> bytes:
    """FRU 0 (Platform Management FRU Information Storage Definition 1.0): the chassis
    (rack mount, ``serial``), board (``board_serial``) and product (``serial``) areas."""
    chassis = _fru_area(bytes([FRU_RACK_MOUNT]) + _fru_text("") + _fru_text(serial))
    board = _fru_area(bytes(4) + b"".join(_fru_text(t) for t in (
        manufacturer, product, board_serial, "", "")))
    item = _fru_area(b"\x00" + b"".join(_fru_text(t) for t in (
        manufacturer, product, "", "", serial, "", "")))
    offsets = [1, 1 + len(chassis) // 8, 1 + (len(chassis) + len(board)) // 8]
    header = bytes([0x01, 0, *offsets, 0, 0])
    return header + bytes([-sum(header) & 0xFF]) + chassis + board + item


class LoopbackBmc(bmc.Bmc):
    """pyghmi's ``Bmc`` with the commands listed in the module docstring."""

    def __init__(self, authdata: dict[str, str], port: int, address: str, backend: Any,
                 lan: dict[int, bytes], manufacturer_id: int, fru: bytes | None = None,
                 system_uuid: str | None = None) -> None:
        super().__init__(authdata, port=port, address=address)
        self.port = self.serversocket.getsockname()[1]  # the bound one, for --port 0
        self.backend = backend
        self.lan = lan
        self.mfgid = manufacturer_id
        self.prodid = 0x0100
        self.fru = fru
        self.system_uuid = system_uuid
        if fru is not None:
            self.revision = 0x80  # device SDRs, no SDR repository: FRU 0 is all there is

    def get_system_guid(self) -> uuid.UUID:
        if self.system_uuid is None:
            raise NotImplementedError  # answered 0xC1, as pyghmi's Bmc does
        return uuid.UUID(self.system_uuid)

    def cold_reset(self) -> int:
        return 0  # never exit on a BMC cold reset

    def handle_raw_request(self, request: dict[str, Any], session: Any) -> Any:
        netfn, command = request["netfn"], request["command"]
        data = bytearray(request.get("data") or b"")
        handler = self._HANDLERS.get((netfn, command))
        if handler is None:
            return super().handle_raw_request(request, session)
        code, reply = handler(self, data)
        return session.send_ipmi_response(code=code, data=reply)

    # -- chassis -------------------------------------------------------------------------
    def _chassis_status(self, _data: bytearray) -> tuple[int, list[int]]:
        policy, identify = self.backend.chassis()
        power = 1 if self.backend.power_state() == "on" else 0
        return COMPLETION_OK, [power | (policy << 5), 0, 0x40 | (0x20 if identify else 0)]

    def _chassis_control(self, data: bytearray) -> tuple[int, list[int]]:
        if not data:
            return COMPLETION_INVALID_FIELD, []
        return int(self.backend.control(data[0])), []

    def _identify(self, data: bytearray) -> tuple[int, list[int]]:
        force = len(data) > 1 and bool(data[1] & 1)
        self.backend.set_identify(force or (bool(data) and data[0] > 0))
        return COMPLETION_OK, []

    def _restore_policy(self, data: bytearray) -> tuple[int, list[int]]:
        mask = self.backend.set_restore_policy(data[0] & 0x07) if data else -1
        return (COMPLETION_INVALID_FIELD, []) if mask < 0 else (COMPLETION_OK, [mask])

    def _set_boot_options(self, data: bytearray) -> tuple[int, list[int]]:
        if not data:
            return COMPLETION_INVALID_FIELD, []
        if data[0] & 0x7F == 5:
            self.backend.set_boot_flags(list(data[1:6]))
        return COMPLETION_OK, []

    def _get_boot_options(self, data: bytearray) -> tuple[int, list[int]]:
        if not data or data[0] & 0x7F != 5:
            return COMPLETION_PARAMETER_NOT_SUPPORTED, []
        return COMPLETION_OK, [1, 5, *self.backend.boot_flags()]

    # -- LAN -----------------------------------------------------------------------------
    def _channel_info(self, data: bytearray) -> tuple[int, list[int]]:
        channel = data[0] & 0x0F if data else LAN_CHANNEL
        if channel not in (LAN_CHANNEL, 0x0E):
            return COMPLETION_INVALID_FIELD, []
        # 802.3 LAN, IPMB-1.0 protocol, multi-session, IANA 7154, no aux info
        return COMPLETION_OK, [LAN_CHANNEL, 4, 1, 0x80, 0xF2, 0x1B, 0x00, 0, 0]

    def _lan_parameter(self, data: bytearray) -> tuple[int, list[int]]:
        if len(data) < 2 or data[0] & 0x0F not in (LAN_CHANNEL, 0x0E):
            return COMPLETION_INVALID_FIELD, []
        value = self.lan.get(data[1])
        if value is None:
            return COMPLETION_PARAMETER_NOT_SUPPORTED, []
        return COMPLETION_OK, [0x11, *value]

    def _set_lan_parameter(self, _data: bytearray) -> tuple[int, list[int]]:
        return COMPLETION_OK, []  # accepted, ignored

    # -- FRU -----------------------------------------------------------------------------
    def _fru_info(self, data: bytearray) -> tuple[int, list[int]]:
        if self.fru is None:
            return COMPLETION_INVALID_COMMAND, []
        if not data or data[0] != 0:
            return COMPLETION_NOT_PRESENT, []
        return COMPLETION_OK, [len(self.fru) & 0xFF, len(self.fru) >> 8, 0]

    def _fru_read(self, data: bytearray) -> tuple[int, list[int]]:
        if self.fru is None:
            return COMPLETION_INVALID_COMMAND, []
        if len(data) < 4 or data[0] != 0:
            return COMPLETION_NOT_PRESENT if data else COMPLETION_INVALID_FIELD, []
        offset = data[1] | data[2] << 8
        chunk = self.fru[offset:offset + data[3]]
        return COMPLETION_OK, [len(chunk), *chunk]

    _HANDLERS: dict[tuple[int, int], Any] = {
        (0x00, 0x01): _chassis_status, (0x00, 0x02): _chassis_control,
        (0x00, 0x04): _identify, (0x00, 0x06): _restore_policy,
        (0x00, 0x08): _set_boot_options, (0x00, 0x09): _get_boot_options,
        (0x06, 0x42): _channel_info, (0x0C, 0x01): _set_lan_parameter,
        (0x0C, 0x02): _lan_parameter, (0x0A, 0x10): _fru_info, (0x0A, 0x11): _fru_read,
    }


def lan_parameters(mac: str, ip: str, netmask: str, gateway: str, vlan: int) -> dict[int, bytes]:
    """The LAN configuration parameters of channel 1 (IPMI 2.0 table 23-4)."""
    vlan_bytes = (0x8000 | vlan).to_bytes(2, "little") if vlan else b"\x00\x00"
    return {
        0: b"\x00", 1: b"\x14", 3: ipaddress.IPv4Address(ip).packed, 4: b"\x01",
        5: bytes(int(part, 16) for part in mac.split(":")),
        6: ipaddress.IPv4Address(netmask).packed, 12: ipaddress.IPv4Address(gateway).packed,
        13: b"\x00" * 6, 14: b"\x00" * 4, 15: b"\x00" * 6, 0x14: vlan_bytes, 0x15: b"\x00",
    }


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mac", default="52:54:00:aa:bb:02")
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--netmask", default="255.0.0.0")
    parser.add_argument("--gateway", default="0.0.0.0")  # noqa: S104 - a LAN parameter value
    parser.add_argument("--vlan", type=int, default=0)
    parser.add_argument("--manufacturer-id", type=int, default=0)
    parser.add_argument("--power-delay", type=float, default=0.0)
    parser.add_argument("--initial-power", choices=["on", "off"], default="off")
    parser.add_argument("--restore-policy-mode", choices=["apply", "ignore"], default="apply")
    parser.add_argument("--backend-fd", type=int, default=None)
    parser.add_argument("--serial", default=None)
    parser.add_argument("--board-serial", default=None)
    parser.add_argument("--uuid", default=None)
    parser.add_argument("--fru-manufacturer", default="Contoso")
    parser.add_argument("--fru-product", default="Contoso Server 1000")
    return parser.parse_args(argv)


def _exit_with_parent(parent: int) -> None:
    """End this process once its parent (the simulator) is gone, however it ended."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def main(argv: list[str] | None = None) -> int:
    """Read the account from stdin, bind, print the address, serve until killed."""
    args = _arguments(argv)
    user, _, password = sys.stdin.readline().rstrip("\n").partition("\t")
    if not user or not password:
        print("expected 'user<TAB>password' on the first line of stdin", file=sys.stderr)
        return 2
    backend: Any = (RemoteBackend(args.backend_fd) if args.backend_fd is not None else
                    LocalBackend(args.power_delay, args.initial_power, args.restore_policy_mode))
    if args.backend_fd is not None:
        _exit_with_parent(os.getppid())
    lan = lan_parameters(args.mac, args.ip, args.netmask, args.gateway, args.vlan)
    fru = None if args.serial is None else fru_image(
        args.fru_manufacturer, args.fru_product, args.serial, args.board_serial or args.serial)
    server = LoopbackBmc({user: password}, args.port, args.address, backend, lan,
                         args.manufacturer_id, fru, args.uuid)
    print(f"listening on {args.address}:{server.port}/udp", flush=True)
    server.listen()
    return 0


if __name__ == "__main__":
    sys.exit(main())
