"""Simulated servers over IPMI too: ``hamnhw sim --ipmi``, :class:`IpmiSim`.

Each :class:`~hamnhw.sim.server.SimServer` gets an IPMI 2.0 (lanplus) endpoint on a
loopback UDP port, served by pyghmi's server-side ``Bmc`` class in a child process
(:mod:`hamnhw.sim.ipmi_bmc`: ``Bmc.listen()`` cannot be stopped, so it runs apart and is
stopped by its PID).  The child asks this process for the chassis state over a socket, and
:class:`SimIpmiBridge` answers from the server's :class:`~hamnhw.sim.state.ServerState`:
one simulated node, one power state, whether it is driven over Redfish or IPMI.  Power
transitions (``power_delay``), the restore policy, the boot override and the identify LED
are shared.  Like a real BMC, the boot flags read invalid (all zero) while no override is
in force: IPMI cannot tell the boot mode then; an override reads back in the mode it was set
in (one set over Redfish: the server's ``boot_mode``).  Its FRU 0 and system GUID show the
server's serial, model and UUID (``fru`` sets other FRU serials).

::

    with SimCluster([ServerSpec(name="primary")]) as cluster, IpmiSim(cluster) as ipmi:
        ipmi["primary"].url          # "ipmi://127.0.0.1:<port>", account admin/SIM_PASSWORD
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from hamnhw.procenv import child_env
from hamnhw.sim import ipmi_bmc
from hamnhw.sim.cluster import SimCluster
from hamnhw.sim.power import OFF, ON, POWERING_OFF, POWERING_ON, ResetConflict
from hamnhw.sim.server import SimServer

START_SECONDS = 20.0
"""How long a child gets to bind and say so."""
STOP_GRACE_SECONDS = 5.0
"""SIGTERM, then SIGKILL after this long."""

_RESTORE_CODES = {"AlwaysOff": 0, "LastState": 1, "AlwaysOn": 2}
_BOOT_DEVICES = {"None": 0, "Pxe": 1, "Hdd": 2, "Cd": 5, "BiosSetup": 6, "Usb": 15}
_RESETS = {0: "ForceOff", 1: "On", 2: "PowerCycle", 3: "ForceRestart", 5: "GracefulShutdown"}


class IpmiStartError(RuntimeError):
    """A child BMC exited or never said where it listens; the message has its stderr."""


class SimIpmiBridge:
    """Answers the child BMC's calls (:class:`hamnhw.sim.ipmi_bmc.RemoteBackend`) from one
    server's state."""

    def __init__(self, server: SimServer) -> None:
        self.state = server.state
        self.uefi = server.state.spec.boot_mode == "UEFI"
        """The UEFI bit of the override in force (set over IPMI, else the server's mode)."""
        self.accepted: list[str] = []
        """The chassis controls that changed the power, as ResetTypes, in order (for tests:
        an IPMI client leaves no request log)."""
        self.user_only = False
        """True: the account has the user privilege level only, and Chassis Control (which
        needs operator) is answered 0xD4, insufficient privilege."""

    def power_state(self) -> str:
        """``on`` while the host has power (On, PoweringOff), else ``off``."""
        return "on" if self.state.power_state in (ON, POWERING_OFF) else "off"

    def control(self, directive: int) -> int:
        """Chassis Control as a ``ComputerSystem.Reset``; the IPMI completion code."""
        if self.user_only:
            return ipmi_bmc.COMPLETION_INSUFFICIENT_PRIVILEGE
        reset = _RESETS.get(directive)
        if reset is None:
            return ipmi_bmc.COMPLETION_INVALID_FIELD
        with self.state.lock:
            now = self.state.power_state
            if (reset == "On" and now in (ON, POWERING_ON)) or (
                    reset in ("ForceOff", "GracefulShutdown") and now in (OFF, POWERING_OFF)):
                return ipmi_bmc.COMPLETION_OK
            try:
                self.state.reset(reset)
            except ResetConflict:
                return ipmi_bmc.COMPLETION_NOT_IN_STATE
            self.accepted.append(reset)
        return ipmi_bmc.COMPLETION_OK

    def chassis(self) -> list[Any]:
        """The restore policy code and the identify LED."""
        with self.state.lock:
            return [_RESTORE_CODES.get(self.state.restore_policy, 3), bool(self.state.led)]

    def set_restore_policy(self, code: int) -> int:
        """Set the restore policy (3: leave it); the mask of supported policies."""
        policies = {c: p for p, c in _RESTORE_CODES.items()}
        if code not in (*policies, 3):
            return -1
        with self.state.lock:
            self.state.restore_policy = policies.get(code, self.state.restore_policy)
        return 0b111

    def boot_flags(self) -> list[int]:
        """Boot option parameter 5 from the Redfish boot override; all zero (invalid, no
        mode) without one, as a real BMC with no override in force answers."""
        with self.state.lock:
            enabled, target = self.state.boot_enabled, self.state.boot_target
        if enabled == "Disabled" or target == "None":
            return [0, 0, 0, 0, 0]
        data1 = 0x80 | (0x40 if enabled == "Continuous" else 0) | (0x20 if self.uefi else 0)
        return [data1, _BOOT_DEVICES.get(target, 0) << 2, 0, 0, 0]

    def set_boot_flags(self, data: list[int]) -> None:
        """The Redfish boot override from boot option parameter 5."""
        data1, device = data[0], (data[1] >> 2) & 0x0F
        target = next((t for t, d in _BOOT_DEVICES.items() if d == device), "None")
        with self.state.lock:
            if not data1 & 0x80 or target == "None":
                self.state.boot_enabled, self.state.boot_target = "Disabled", "None"
                self.uefi = self.state.spec.boot_mode == "UEFI"
            else:
                self.uefi = bool(data1 & 0x20)
                self.state.boot_target = target
                self.state.boot_enabled = "Continuous" if data1 & 0x40 else "Once"

    def set_identify(self, on: bool) -> None:
        """The identify LED."""
        with self.state.lock:
            self.state.led = bool(on)

    def answer(self, line: str) -> str:
        """One call, one reply line."""
        call = json.loads(line)
        op, args = call.get("op"), call.get("args") or []
        if op not in ("power_state", "control", "chassis", "set_restore_policy", "boot_flags",
                      "set_boot_flags", "set_identify"):
            return json.dumps({"result": None}) + "\n"
        return json.dumps({"result": getattr(self, op)(*args)}) + "\n"


class IpmiEndpoint:
    """One simulated server served over IPMI by a child process."""

    def __init__(self, server: SimServer, host: str = "127.0.0.1", port: int = 0,
                 fru: Mapping[str, str] | None = None) -> None:
        self.server = server
        self.host = host
        self.port = port
        self.fru = dict(fru or {})
        """FRU serials other than the server's: ``serial`` (chassis and product),
        ``board_serial`` (one machine's FRU and Redfish serials may differ: a Dell's Redfish
        ``SerialNumber`` is its board's, not its service tag)."""
        self.bridge = SimIpmiBridge(server)
        self.process: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """``ipmi://127.0.0.1:PORT`` (after :meth:`start`)."""
        return f"ipmi://{self.host}:{self.port}"

    def fru_arguments(self) -> list[str]:
        """The child's FRU 0 and system GUID: the server's serial (chassis, board and
        product serials, unless :attr:`fru` says otherwise), model and UUID, as its Redfish
        System shows them."""
        spec = self.server.spec
        serial = self.fru.get("serial") or str(spec.serial)
        return ["--serial", serial, "--board-serial", self.fru.get("board_serial") or serial,
                "--uuid", str(spec.uuid), "--fru-manufacturer", spec.manufacturer,
                "--fru-product", spec.model]

    def start(self) -> IpmiEndpoint:
        """Start the child, give it the account on stdin, wait until it listens."""
        ours, theirs = socket.socketpair()
        self._socket = ours
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        spec = self.server.spec
        argv = [sys.executable, str(Path(ipmi_bmc.__file__)), "--address", self.host,
                "--port", str(self.port), "--mac", spec.bmc_mac,
                "--backend-fd", str(theirs.fileno()), *self.fru_arguments()]
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                pass_fds=[theirs.fileno()], env=child_env(), start_new_session=True)
        finally:
            theirs.close()
        assert self.process.stdin is not None
        account = f"{self.server.username}\t{self.server.password}\n"
        self.process.stdin.write(account.encode())
        self.process.stdin.close()
        self.port = self._read_port()
        self._thread = threading.Thread(target=self._serve, daemon=True,
                                        name=f"hamnhw-sim-ipmi-{self.server.name}")
        self._thread.start()
        return self

    def _read_port(self) -> int:
        process = self.process
        assert process is not None and process.stdout is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            ready, _, _ = select.select([process.stdout], [], [], 0.1)
            if ready:
                line = process.stdout.readline().decode(errors="replace").strip()
                if line.startswith("listening on "):
                    return int(line.rsplit(":", 1)[1].split("/")[0])
        self.stop()
        raise IpmiStartError(f"the IPMI BMC of {self.server.name} did not start: "
                             f"{self._error_tail()}")

    def _error_tail(self) -> str:
        if self._stderr is None:
            return "(no stderr)"
        self._stderr.seek(0)
        return self._stderr.read()[-2000:].decode(errors="replace") or "(no stderr)"

    def _serve(self) -> None:
        assert self._socket is not None
        with contextlib.suppress(OSError, ValueError):
            reader = self._socket.makefile("r", encoding="utf-8")
            for line in reader:
                self._socket.sendall(self.bridge.answer(line).encode())

    def stop(self) -> None:
        """SIGTERM the child by its PID, SIGKILL after a grace period; close the socket."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None and process.stdout is not None:
            process.stdout.close()
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
            self._socket.close()
            self._socket = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


class IpmiSim:
    """IPMI endpoints for every server of a started :class:`SimCluster`; a context manager.

    :param ports: one UDP port per server (0 = any free one); all 0 by default.
    :param fru: FRU serials other than the server's, by server name
        (:attr:`IpmiEndpoint.fru`).
    """

    def __init__(self, cluster: SimCluster, ports: list[int] | None = None,
                 fru: Mapping[str, Mapping[str, str]] | None = None) -> None:
        servers = list(cluster)
        if ports is not None and len(ports) != len(servers):
            raise ValueError("give one port per server")
        self.endpoints = {server.name: IpmiEndpoint(server, port=port,
                                                    fru=(fru or {}).get(server.name))
                          for server, port in zip(servers, ports or [0] * len(servers),
                                                  strict=True)}

    def start(self) -> IpmiSim:
        """Start every child BMC (stopping them all if one fails)."""
        try:
            for endpoint in self.endpoints.values():
                endpoint.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every child BMC."""
        for endpoint in self.endpoints.values():
            endpoint.stop()

    def __getitem__(self, name: str) -> IpmiEndpoint:
        return self.endpoints[name]

    def __iter__(self) -> Iterator[IpmiEndpoint]:
        return iter(self.endpoints.values())

    def __enter__(self) -> IpmiSim:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
