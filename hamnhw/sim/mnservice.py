"""Stand-ins for the MN's network addresses: loopback TCP ports that listen only while the
management node is up somewhere in a simulated cluster.

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
    """A loopback port listening while ``up()`` is true (by default: the MN runs).

    :param port: the port to listen on (0 = pick one free port once, then keep it).
    :param up: overrides when the port listens (a test forcing an address to answer).
    """

    def __init__(self, cluster: SimCluster, serials: Iterable[str], port: int = 0,
                 up: Callable[[], bool] | None = None, host: str = "127.0.0.1") -> None:
        self._serials = tuple(serials)
        self._up = up or (lambda: mn_running(cluster, self._serials) is not None)
        self.host = host
        self.port = port or _free_port(host)
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"

    @property
    def listening(self) -> bool:
        """Whether the port listens now."""
        return self._sock is not None

    def start(self) -> MnService:
        """Start watching (and listening while up)."""
        self._thread = threading.Thread(target=self._watch, name=f"mn-service-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching and close the port."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close()

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
            if up and self._sock is None:
                self._open()
            elif not up and self._sock is not None:
                self._close()
            self._accept_pending()
            self._stop.wait(WATCH_INTERVAL_S)

    def _open(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            return
        sock.listen(16)
        sock.setblocking(False)
        self._sock = sock

    def _accept_pending(self) -> None:
        """Accept and close waiting connections (the client only checks that it connects)."""
        if self._sock is None:
            return
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            conn.close()

    def _close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
