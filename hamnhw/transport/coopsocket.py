"""Sockets of a cooperative task (:mod:`hamnhw.coop`): where a blocking socket would wait,
the task is parked on the hub until the socket is ready.

:class:`CoopSocket` is what :mod:`hamnhw.transport.lean` uses of a socket (``sendall``,
``recv_into``, ``makefile("rb")``, ``settimeout``/``gettimeout``, ``shutdown``, ``close``,
``fileno``, ``getpeercert``, ``pending``) over a non-blocking socket, plain or TLS.  The
timeout is per operation, as a blocking socket's: a receive or a send waiting longer
raises :class:`TimeoutError`, which the lean transport maps as it maps a blocking socket's.
:func:`tcp` and :func:`wrap` make one as :func:`socket.create_connection` and
``wrap_socket`` would: each address in turn, the TLS handshake under the connect timeout.
"""

from __future__ import annotations

import errno
import io
import ipaddress
import os
import select
import selectors
import socket
import ssl
from typing import Any

from hamnhw import coop
from hamnhw.coop import Hub

_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE


class CoopSocket:
    """A non-blocking socket whose waits park the calling task on its hub.

    Used outside any task (a connection kept idle by a task, then taken by a thread of the
    caller's), a wait blocks the calling thread instead (``poll``), as a blocking socket's
    would.
    """

    __slots__ = ("_sock", "_timeout")

    def __init__(self, sock: socket.socket, timeout: float | None) -> None:
        self._sock = sock
        self._timeout = timeout

    def settimeout(self, seconds: float | None) -> None:
        self._timeout = seconds

    def gettimeout(self) -> float | None:
        return self._timeout

    def fileno(self) -> int:
        return self._sock.fileno()

    def sendall(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                sent = self._sock.send(view)
            except (BlockingIOError, ssl.SSLWantWriteError):
                self._wait(_WRITE)
                continue
            except ssl.SSLWantReadError:
                self._wait(_READ)
                continue
            view = view[sent:]

    def recv_into(self, buffer: Any, nbytes: int = 0) -> int:
        while True:
            try:
                return self._sock.recv_into(buffer, nbytes)
            except (BlockingIOError, ssl.SSLWantReadError):
                self._wait(_READ)
            except ssl.SSLWantWriteError:
                self._wait(_WRITE)

    def makefile(self, mode: str = "rb") -> io.BufferedReader:
        if mode != "rb":
            raise ValueError("only a binary reader")
        return io.BufferedReader(_Reader(self))

    def pending(self) -> int:
        """Decrypted bytes OpenSSL holds not read yet (0 for a plain socket)."""
        return self._sock.pending() if isinstance(self._sock, ssl.SSLSocket) else 0

    def getpeercert(self, binary_form: bool = False) -> Any:
        return self._sock.getpeercert(binary_form)  # type: ignore[attr-defined]

    def shutdown(self, how: int) -> None:
        """Shut the connection (the watchdog, from its thread): the parked task wakes to
        its end.  The TCP socket's own shutdown, not ``SSLSocket.shutdown``, which drops
        the TLS object under a task that may be about to read through it."""
        socket.socket.shutdown(self._sock, how)

    def close(self) -> None:
        self._sock.close()

    def _wait(self, events: int) -> None:
        hub = coop.current()
        ready = (_poll(self._sock, events, self._timeout) if hub is None
                 else hub.wait(self._sock, events, self._timeout))
        if not ready:
            raise TimeoutError("timed out")


def _poll(sock: socket.socket, events: int, timeout: float | None) -> bool:
    """Block the calling thread until ``sock`` is ready for ``events`` (True) or ``timeout``
    seconds passed (False)."""
    poller = select.poll()
    poller.register(sock, (select.POLLIN if events & _READ else 0)
                    | (select.POLLOUT if events & _WRITE else 0))
    return bool(poller.poll(None if timeout is None
                            else min(_LONGEST_POLL_MS, max(0, int(timeout * 1000) + 1))))


_LONGEST_POLL_MS = 2**31 - 1
"""``poll`` takes milliseconds in a C int (24.8 days at most)."""


class _Reader(io.RawIOBase):
    """The raw reader under a :class:`CoopSocket`'s buffered one."""

    def __init__(self, sock: CoopSocket) -> None:
        super().__init__()
        self._coop = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._coop.recv_into(buffer)


def wrap(hub: Hub, sock: socket.socket, context: ssl.SSLContext | None, host: str,
         timeout: float) -> CoopSocket:
    """``sock`` (from :func:`tcp`) as a :class:`CoopSocket`; over TLS (``context``) once
    the handshake is done (chain and name checked), within ``timeout`` seconds.

    :raises TimeoutError: the handshake took longer.
    :raises ssl.SSLError: the handshake failed (raised by OpenSSL, as ``wrap_socket``).
    :raises OSError: the connection was closed or reset during the handshake.
    """
    if context is None:
        return CoopSocket(sock, timeout)
    try:
        tls = context.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
    except BaseException:
        sock.close()
        raise
    coop_sock = CoopSocket(tls, timeout)
    try:
        _handshake(tls, coop_sock)
    except BaseException:
        tls.close()
        raise
    return coop_sock


def _handshake(tls: ssl.SSLSocket, sock: CoopSocket) -> None:
    while True:
        try:
            tls.do_handshake()
            return
        except ssl.SSLWantReadError:
            sock._wait(_READ)
        except ssl.SSLWantWriteError:
            sock._wait(_WRITE)


def tcp(hub: Hub, host: str, port: int, timeout: float) -> socket.socket:
    """A non-blocking TCP connection to the first address of ``host`` that takes one, as
    :func:`socket.create_connection` makes one (``timeout`` seconds for the lookup and for
    each address, one that times out followed by the next; the last address's error raised
    when none takes one).

    :raises TimeoutError: the name lookup, or the last address's connect, took longer.
    :raises OSError: not connected (refused, unreachable, no such host).
    """
    error: OSError | None = None
    for family, kind, proto, _, address in _addresses(hub, host, port, timeout):
        try:  # a family this host has no use for (IPv6 off): the next address
            sock = socket.socket(family, kind, proto)
        except OSError as exc:
            error = exc
            continue
        try:
            sock.setblocking(False)
            code = sock.connect_ex(address)
            if code in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
                if not hub.wait(sock, _WRITE, timeout):
                    raise TimeoutError("timed out")
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code))
            return sock
        except OSError as exc:  # a timeout too: the next address may answer
            sock.close()
            error = exc
        except BaseException:
            sock.close()
            raise
    raise error or OSError(f"getaddrinfo returns an empty list for {host!r}")


def _addresses(hub: Hub, host: str, port: int, timeout: float) -> list[Any]:
    """``getaddrinfo`` of ``host``: at once for an address, else in a helper thread (the
    other tasks run meanwhile; a lookup outlasting ``timeout`` is a timeout)."""
    def lookup() -> list[Any]:
        return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return hub.blocking(lookup, timeout)
    return lookup()
