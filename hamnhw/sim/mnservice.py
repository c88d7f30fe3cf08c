"""Stand-ins for the MN's network addresses: loopback TCP ports that accept connections only
while the management node is up somewhere in a simulated cluster, and are silent (no
connection, not a refusal) otherwise.

The MN is "up" when a server is On, its BootProgress reads ``OSRunning`` and its bays hold
at least one drive of the MN's volume: so the address answers while the primary runs,
goes silent once it is fenced, and answers again when the standby boots the moved disks.
The failover checks ``mn_addresses`` (must be silent before a power-on) and ``reachable``
(must answer after the boot) against these::

    with MnService(cluster, serials, port=0) as service:
        service.address        # "127.0.0.1:<port>"
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from hamnhw.sim.cluster import SimCluster
from hamnhw.sim.cords import PowerCords
from hamnhw.sim.server import SimServer

WATCH_INTERVAL_S = 0.02
"""How often the service looks at the cluster."""


def mn_running(cluster: SimCluster, serials: Iterable[str]) -> SimServer | None:
    """The server running the MN (On, OSRunning, holding one of ``serials``), or None."""
    wanted = set(serials)
    for server in cluster:
        if (server.power_state == "On" and server.boot_progress == "OSRunning"
                and wanted & {d.serial for d in server.drives}):
            return server
    return None


class MnService:
    """A loopback port that accepts connections while ``up()`` is true (by default: the MN
    runs) and is silent otherwise: bound all along, new connections time out as with a host
    gone from the network (:class:`~hamnhw.sim.cords.PowerCords`), never refused (a refusal
    is a host holding the address).

    :param port: the port to listen on (0 = pick a free one).
    :param up: overrides when the port accepts (a test forcing an address to answer).
    """

    def __init__(self, cluster: SimCluster, serials: Iterable[str], port: int = 0,
                 up: Callable[[], bool] | None = None, host: str = "127.0.0.1") -> None:
        self._serials = tuple(serials)
        self._up = up or (lambda: mn_running(cluster, self._serials) is not None)
        self.host = host
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.setblocking(False)
        self.port = int(self._sock.getsockname()[1])
        self._cords = PowerCords()
        self._cords.pull("Off")
        self._cords.silence(self._sock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"

    @property
    def listening(self) -> bool:
        """Whether the port accepts connections now."""
        return not self._cords.pulled

    def start(self) -> MnService:
        """Start watching (and accepting while up)."""
        self._thread = threading.Thread(target=self._watch, name=f"mn-service-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching and close the port."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._cords.stop()
        with contextlib.suppress(OSError):
            self._sock.close()

    def __enter__(self) -> MnService:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                up = self._up()
            except Exception:
                up = False
            if up and self._cords.pulled:
                self._cords.plug_in(self._sock, 16)
            elif not up and not self._cords.pulled:
                self._accept_pending()
                self._cords.pull("On")
                self._cords.silence(self._sock)
            if up:
                self._accept_pending()
            self._stop.wait(WATCH_INTERVAL_S)

    def _accept_pending(self) -> None:
        """Accept and close waiting connections (the client only checks that it connects)."""
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            conn.close()
