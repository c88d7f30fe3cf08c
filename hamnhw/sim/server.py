"""One simulated BMC: an HTTP(S) server on a loopback port around a :class:`ServerState`."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import ssl
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from hamnhw.sim import personalities
from hamnhw.sim.bays import DriveBays
from hamnhw.sim.cords import PowerCords
from hamnhw.sim.events import EventService
from hamnhw.sim.faults import Fault, FaultSet, make_fault
from hamnhw.sim.handler import SimRequestHandler
from hamnhw.sim.spec import DriveSpec, ServerSpec
from hamnhw.sim.state import Clock, ServerState

#: ``sleep(seconds)``; a true result means "stop now" (the server is shutting down).
Sleep = Callable[[float], Any]


@dataclasses.dataclass(frozen=True)
class RequestRecord:
    """One request as the simulated BMC saw it.

    :param body: parsed JSON with every ``Password`` value replaced by ``***`` (never a token).
    :param time: the simulator clock when the request arrived.
    :param status: the status answered, ``None`` for a request that got no answer (hang).
    :param authenticated: whether valid credentials came with it.
    :param auth: ``"session"``, ``"basic"`` or ``None``.
    """

    method: str
    path: str
    body: Any
    time: float
    status: int | None
    authenticated: bool
    auth: str | None = None


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], sim: SimServer,
                 tls: ssl.SSLContext | None) -> None:
        self.sim = sim
        self._tls = tls
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, SimRequestHandler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Per connection, in its own thread: TLS handshake here, not in the accept loop."""
        raw = request
        with self._open_lock:
            self._open.add(raw)
        try:
            if self._tls is not None:
                try:
                    request = self._tls.wrap_socket(raw, server_side=True)
                except (ssl.SSLError, OSError):
                    return
            super().finish_request(request, client_address)
        except (ConnectionError, ssl.SSLError, TimeoutError):
            pass
        finally:
            with self._open_lock:
                self._open.discard(raw)

    def close_connections(self) -> None:
        """Shut down every open client connection (idle keep-alives, hangs)."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class SimServer:
    """A simulated BMC serving one :class:`ServerSpec` on ``host:port``."""

    def __init__(self, spec: ServerSpec, bays: DriveBays, clock: Clock, host: str = "127.0.0.1",
                 port: int = 0, tls: Any = None, sleep: Sleep | None = None) -> None:
        self.spec = spec
        self.state = ServerState(spec, bays, clock)
        personalities.attach(self.state)
        self.cluster_bays = bays
        self.faults = FaultSet()
        self.events = EventService(self)
        """The EventService: subscriptions, SSE streams, the storage-event hook."""
        self.state.event_sink = self.events.storage_about
        self.stop_event = threading.Event()
        self.sleep: Sleep = sleep or self.stop_event.wait
        self._host, self._requested_port, self._tls = host, port, tls
        self._records: list[RequestRecord] = []
        self._records_lock = threading.Condition(threading.Lock())
        self._in_flight = 0
        self._gathered = 0
        """Groups of gathered requests let go so far."""
        self._held = 0
        """Requests a ``gather`` fault holds now."""
        self.peak_in_flight = 0
        """Most requests this server was answering at once (how a test sees a client's
        parallel requests without timing them)."""
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self.cords = PowerCords()
        """The node's power cords (:meth:`pull_cords`)."""
        self._cords_lock = threading.Lock()
        self.peers: dict[str, SimServer] = {spec.name: self}
        """The servers of its simulator by name, itself included (a :class:`SimCluster
        <hamnhw.sim.cluster.SimCluster>` gives them all one dict): the control API of any of
        them acts on another, whose own port may be silent (:mod:`hamnhw.sim.control`)."""

    def reset(self, bays: DriveBays) -> None:
        """A fresh state from the spec over ``bays`` (see :meth:`SimCluster.reset
        <hamnhw.sim.cluster.SimCluster.reset>`); faults and the request log cleared, the
        cords plugged in."""
        self.plug_cords()
        self.state = ServerState(self.spec, bays, self.state.clock)
        self.state.event_sink = self.events.storage_about
        self.cluster_bays = bays
        self.faults.clear()
        self.clear_requests()

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> SimServer:
        """Bind and serve in a background thread."""
        context = self._tls.server_context() if self._tls is not None else None
        self._httpd = _HttpServer((self._host, self._requested_port), self, context)
        self._serve(self._httpd)
        return self

    def _serve(self, httpd: _HttpServer) -> None:
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"hamnhw-sim-{self.spec.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving; hung and dripping requests are released, connections closed.  The
        port then refuses connections (a BMC whose web server is down, as hamnhw sees it:
        something answers there); :meth:`pull_cords` is the silent BMC."""
        self.stop_event.set()
        self.events.stop()
        self.cords.stop()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    # -- power cords ---------------------------------------------------------------------
    def pull_cords(self) -> bool:
        """Pull the node's power cords: the host is off at once and the BMC falls silent
        (:mod:`hamnhw.sim.cords`): new connections time out, requests on connections
        opened before get no answer (nothing is sent, not even a reset).  Also a fault,
        ``pull_cords`` (the cords pulled as a request arrives).

        :returns: False when they were pulled already (or the server is not started)."""
        with self._cords_lock:
            httpd = self._httpd
            if httpd is None or not self.cords.pull(self.power_state):
                return False
            self.state.set_power("Off")
            httpd.shutdown()  # the accept loop stops; the port stays bound
            self.cords.silence(httpd.socket)
            return True

    def plug_cords(self) -> bool:
        """Plug the cords back in: the BMC answers again, as after its boot (connections
        opened before are gone); the host powers on as its restore policy says (AlwaysOn;
        LastState: as it was when the cords were pulled), else stays off.

        :returns: False when they were plugged in already."""
        with self._cords_lock:
            httpd = self._httpd
            if not self.cords.pulled:
                return False
            self.cords.plug_in(httpd.socket if httpd else None,
                               httpd.request_queue_size if httpd else 0)
            if httpd is None:
                return True
            httpd.close_connections()
            self._serve(httpd)
            policy = self.state.restore_policy
            if policy == "AlwaysOn" or (policy == "LastState"
                                        and self.cords.power_before == "On"):
                self.state.set_power("On")
            return True

    # -- addresses and credentials -------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._httpd is None:
            raise RuntimeError(f"simulated server {self.spec.name!r} is not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``redfish+http://127.0.0.1:PORT`` or ``redfish+https://...``."""
        scheme = "redfish+https" if self._tls is not None else "redfish+http"
        return f"{scheme}://{self._host}:{self.port}"

    @property
    def http_url(self) -> str:
        """Plain ``http(s)://host:port`` for HTTP clients."""
        return f"{'https' if self._tls is not None else 'http'}://{self._host}:{self.port}"

    @property
    def cert_file(self) -> str | None:
        """The self-signed certificate (PEM) when serving HTTPS."""
        return self._tls.cert_file if self._tls is not None else None

    @property
    def fingerprint(self) -> str | None:
        """SHA-256 of the certificate (DER), lower-case hex, when serving HTTPS."""
        return self._tls.fingerprint if self._tls is not None else None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def username(self) -> str:
        return self.spec.username

    @property
    def password(self) -> str:
        """The simulator-only password."""
        return self.spec.password

    # -- request log ---------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """Redfish requests received, oldest first (control API calls are not logged)."""
        with self._records_lock:
            return list(self._records)

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._records_lock:
            self._records.clear()
            self.peak_in_flight = self._in_flight

    def start_record(self, method: str, path: str, body: Any, auth: str | None) -> int:
        """Log a request as it arrives; returns its index for :meth:`finish_record`."""
        record = RequestRecord(method, path, body, self.state.clock(), None, auth is not None, auth)
        with self._records_lock:
            self._records.append(record)
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            self._records_lock.notify_all()
            return len(self._records) - 1

    def gather(self, peers: int, seconds: float) -> None:
        """Hold a request until ``peers`` requests held by a ``gather`` fault (any of them)
        are held at once, then let them all go (or this one after ``seconds``): the
        ``gather`` fault, for tests of parallel clients.  Only held requests count, so
        that one answered before another arrives (other faults delaying them unevenly, a
        ``latency`` fault) never passes for "side by side"."""
        with self._records_lock:
            group = self._gathered
            self._held += 1
            if self._held >= peers:
                self._gathered, self._held = group + 1, 0
                self._records_lock.notify_all()
                return
            if not self._records_lock.wait_for(lambda: self._gathered != group,
                                               timeout=seconds):
                self._held -= 1  # gave up waiting: no longer held

    def finish_record(self, index: int, status: int | None) -> None:
        """Fill in the status answered."""
        with self._records_lock:
            self._in_flight -= 1
            self._records_lock.notify_all()
            if index < len(self._records):
                self._records[index] = dataclasses.replace(self._records[index], status=status)

    # -- faults --------------------------------------------------------------------------
    def inject(self, kind: str, count: int | None = None, path: str | None = None,
               method: str | None = None, **params: Any) -> Fault:
        """Activate a fault (see :data:`hamnhw.sim.faults.FAULT_KINDS`)."""
        return self.faults.add(make_fault(kind, count, path, method, **params))

    def clear_faults(self) -> None:
        """Remove every fault."""
        self.faults.clear()

    # -- power, sessions and drives -----------------------------------------------------
    @property
    def power_state(self) -> str:
        """Redfish ``PowerState`` now."""
        return self.state.power_state

    def set_power(self, state: str) -> None:
        """Put the host On or Off at once (no delay, no faults)."""
        self.state.set_power(state)

    @property
    def boot_progress(self) -> str:
        """``BootProgress.LastState`` now."""
        return self.state.boot_progress

    def expire_sessions(self) -> None:
        """Invalidate every session."""
        self.state.expire_sessions()

    @property
    def drives(self) -> tuple[DriveSpec, ...]:
        """Drives physically in this server's bays now (not what the BMC shows)."""
        return self.cluster_bays.drives_of(self.spec.name)

    def pull_drive(self, serial: str) -> DriveSpec:
        """Pull a drive out of this server."""
        self.state.advance()
        self.state.raid.settle()  # a rebuild that ended before the pull counts as ended
        drive = self.cluster_bays.pull(serial, self.spec.name)
        self.state.raid.settle()  # one onto the pulled drive stops now
        return drive

    def insert_drive(self, drive: DriveSpec | str, bay: str | None = None) -> DriveSpec:
        """Insert a drive (spec or serial of a pulled one) into this server."""
        self.state.advance()
        placed = self.cluster_bays.insert(drive, self.spec.name, bay)
        self.state.raid.settle()
        return placed

    # -- RAID ----------------------------------------------------------------------------
    def fail_drive(self, serial: str) -> None:
        """Fail a drive of this server: its volume degrades (a hot spare may take over)."""
        self.state.raid.fail_drive(serial)

    def set_hotspare(self, serial: str, kind: str = "Global") -> None:
        """Make a drive a global hot spare (``Global``) or not (``None``)."""
        self.state.raid.set_hotspare(serial, kind)
