"""A loopback TCP port forwarding every connection to a simulated BMC: another address of the
same BMC that no config knows (a NAT, a DNS alias, its IPv6 address), TLS passed through.

    with TcpForwarder(("127.0.0.1", server.port)) as forwarder:
        url = f"redfish+https://127.0.0.1:{forwarder.port}"
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any


class TcpForwarder:
    """Forwards each connection to ``target`` until :meth:`close`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, name=f"forward-{self.port}", daemon=True).start()

    def __enter__(self) -> TcpForwarder:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting (connections open now end with their peers)."""
        self._listener.close()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self._listener.accept()
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
                for one, other in ((client, server), (server, client)):
                    threading.Thread(target=_pipe, args=(one, other), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
