"""A set of simulated servers sharing one drive-bay model (and one TLS certificate)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from hamnhw.sim.bays import BayError, DriveBays, VolumeSpec
from hamnhw.sim.server import SimServer, Sleep
from hamnhw.sim.spec import DriveSpec, ServerSpec
from hamnhw.sim.state import Clock
from hamnhw.sim.tls import SelfSignedCert


class SimCluster:
    """Simulated BMCs on loopback, one port each; a context manager.

    :param specs: one :class:`ServerSpec` per server; names must be unique.
    :param tls: serve HTTPS with one generated self-signed certificate.
    :param host: the address to bind (loopback).
    :param ports: one port per server (0 = any free); all 0 by default.
    :param clock: the time source for power transitions, boot progress and flaps
        (``time.monotonic`` by default); inject a fake one to step time in tests.
    :param sleep: how latency and byte-drip faults wait (``sleep(s)``); by default a wait that
        ends early when the server stops.
    """

    def __init__(self, specs: Iterable[ServerSpec], tls: bool = False, host: str = "127.0.0.1",
                 ports: Sequence[int] | None = None, clock: Clock | None = None,
                 sleep: Sleep | None = None) -> None:
        self.specs = list(specs)
        names = [spec.name for spec in self.specs]
        if len(set(names)) != len(names):
            raise ValueError(f"server names must be unique, got {names}")
        if ports is not None and len(ports) != len(self.specs):
            raise ValueError("give one port per server")
        self.bays = DriveBays()
        self.clock: Clock = clock or time.monotonic
        self.cert: SelfSignedCert | None = None
        self._tls, self._host, self._sleep = tls, host, sleep
        self._ports = list(ports) if ports is not None else [0] * len(self.specs)
        self.servers: dict[str, SimServer] = {}

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> SimCluster:
        """Make the certificate (with ``tls``), build every server and start serving."""
        if self.servers:
            return self
        try:
            if self._tls:
                self.cert = SelfSignedCert()
            for spec, port in zip(self.specs, self._ports, strict=True):
                self._add_server(spec, port)
        except BaseException:
            self.stop()
            raise
        return self

    def _add_server(self, spec: ServerSpec, port: int) -> None:
        self._place(spec)
        server = SimServer(spec, self.bays, self.clock, self._host, port, self.cert, self._sleep)
        server.peers = self.servers
        self.servers[spec.name] = server
        server.start()

    def _place(self, spec: ServerSpec) -> None:
        """The server's bays, its initial drives and (``raid1``) their volume."""
        drives = spec.drives or ()
        self.bays.add_server(spec.name, spec.bay_names, drives)
        if spec.raid1 and len(drives) >= 2:
            members = (drives[0].serial, drives[1].serial)
            capacity = min(drives[0].capacity_bytes, drives[1].capacity_bytes)
            self.bays.add_volume(VolumeSpec(self.bays.new_volume_id(), f"RAID1 {spec.name}",
                                            "RAID1", members, capacity, home=spec.name))

    def reset(self) -> None:
        """Put every server back as its spec describes it (drives in their first bays and
        volumes, power, restore policy, boot override, identify, sessions), with no fault
        and an empty request log, on the same ports: one cluster for many runs (the
        failover's kill-point matrix).  Call it while no client talks to the servers."""
        self.bays = DriveBays()
        for spec in self.specs:
            self._place(spec)
        for server in self.servers.values():
            server.reset(self.bays)

    def stop(self) -> None:
        """Stop every server and remove the certificate."""
        for server in self.servers.values():
            server.stop()
        if self.cert is not None:
            self.cert.cleanup()

    def __enter__(self) -> SimCluster:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- access --------------------------------------------------------------------------
    def __getitem__(self, name: str) -> SimServer:
        return self.servers[name]

    def __iter__(self) -> Iterator[SimServer]:
        return iter(self.servers.values())

    def __len__(self) -> int:
        return len(self.servers)

    @property
    def cert_file(self) -> str | None:
        """The shared self-signed certificate (PEM) with ``tls``."""
        return self.cert.cert_file if self.cert else None

    @property
    def fingerprint(self) -> str | None:
        """SHA-256 of the shared certificate (DER), lower-case hex, with ``tls``."""
        return self.cert.fingerprint if self.cert else None

    # -- drive bays ----------------------------------------------------------------------
    def _settle(self) -> None:
        """Apply due power steps and RAID changes (a rebuild that ended) everywhere before a
        bay changes, so views stay exact."""
        for server in self.servers.values():
            server.state.advance()
            server.state.raid.settle()

    def move_drive(self, serial: str, src: str, dst: str, bay: str | None = None) -> DriveSpec:
        """Move a drive from server ``src`` to server ``dst`` (first free bay by default)."""
        self._settle()
        placed = self.bays.move(serial, src, dst, bay)
        self._settle()  # a rebuild onto the moved drive stops now
        return placed

    def pull_drive(self, serial: str, src: str) -> DriveSpec:
        """Pull a drive out of server ``src``; it is held until inserted."""
        self._settle()
        drive = self.bays.pull(serial, src)
        self._settle()  # a rebuild onto the pulled drive stops now
        return drive

    def insert_drive(self, drive: DriveSpec | str, dst: str, bay: str | None = None) -> DriveSpec:
        """Insert a drive (spec, or serial of a pulled drive) into server ``dst``."""
        self._settle()
        placed = self.bays.insert(drive, dst, bay)
        self.servers[dst].state.raid.settle()
        return placed

    def fail_drive(self, serial: str) -> None:
        """Fail a drive wherever it sits: its volume degrades."""
        place = self.bays.locate(serial)
        if place is None:
            raise BayError(f"no drive with serial {serial!r} in a bay")
        self.servers[place[0]].fail_drive(serial)
