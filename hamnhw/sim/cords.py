"""Pulled power cords on a simulated BMC: silence on loopback, not a refusal.

A BMC whose cords are pulled answers nothing: no SYN-ACK, no reset, no HTTP answer.  A
stopped server refuses connections instead (the kernel answers a SYN to a closed port with a
reset), which is what a BMC whose web server is down does, and which hamnhw takes as an
answer.  :class:`PowerCords` makes the silence on loopback:

* new connections: the port stays bound, its accept queue is shrunk to one (``listen(0)``)
  and filled by a connection that is never accepted, so the kernel drops every new SYN and
  the client's connect times out, as with a host gone from the network;
* connections opened before: requests on them are held unanswered (nothing is sent, not
  even a reset) until the cords are plugged back in or the server stops.
"""

from __future__ import annotations

import contextlib
import socket
import threading

PLUG_CONNECT_S = 1.0
"""How long the connection filling the accept queue may take to be made (on loopback the
kernel completes it at once; it times out only when the queue was full already)."""


class PowerCords:
    """The cords of one simulated BMC (see the module docstring)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pulled = False
        self._plug: socket.socket | None = None
        self.power_before: str | None = None
        """The host's power state when the cords were pulled."""

    @property
    def pulled(self) -> bool:
        """Whether the cords are pulled now."""
        return self._pulled

    def pull(self, power_state: str) -> bool:
        """Mark the cords pulled (the host was ``power_state``); False when they were."""
        with self._cond:
            if self._pulled:
                return False
            self._pulled = True
            self.power_before = power_state
            return True

    def silence(self, listener: socket.socket) -> None:
        """Make new connections to ``listener``'s port time out: an accept queue of one,
        filled by a connection never accepted (the accept loop must have stopped)."""
        listener.listen(0)
        plug = socket.socket(listener.family, socket.SOCK_STREAM)
        plug.settimeout(PLUG_CONNECT_S)
        with contextlib.suppress(OSError):  # a queue full already: silent all the same
            plug.connect(listener.getsockname())
        self._plug = plug

    def plug_in(self, listener: socket.socket | None, backlog: int) -> None:
        """Plug the cords back in: the accept queue as before, held requests let go."""
        self._close_plug()
        if listener is not None:
            listener.listen(backlog)
        self._release()

    def hold(self, stop: threading.Event) -> None:
        """Hold a request unanswered while the cords are pulled (or until ``stop``)."""
        with self._cond:
            while self._pulled and not stop.is_set():
                self._cond.wait(0.1)

    def stop(self) -> None:
        """The server stops: the queue's connection closed, held requests let go."""
        self._close_plug()
        self._release()

    def _release(self) -> None:
        with self._cond:
            self._pulled = False
            self._cond.notify_all()

    def _close_plug(self) -> None:
        plug, self._plug = self._plug, None
        if plug is not None:
            plug.close()
