"""Whether a keep-alive connection of :mod:`hamnhw.transport.lean` may carry another
request: an idle one not closed by the BMC (:func:`dropped`, before a request goes on it),
an answered one holding no byte past its answer (:func:`drained`, before it is kept).
Bytes a BMC sent that no request asked for would be read as the next answer's status line.
"""

from __future__ import annotations

import select
import socket
import ssl
from typing import Any, BinaryIO


def dropped(sock: socket.socket) -> bool:
    """True when an idle socket was closed by the BMC (readable with nothing to read) or
    holds bytes no request asked for (decrypted by TLS, which ``poll`` does not see)."""
    if tls_pending(sock):
        return True
    try:  # poll, not select: a fan-out's descriptors go past select's FD_SETSIZE (1024)
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):  # closed already
        return True


def drained(sock: socket.socket, reader: BinaryIO) -> bool:
    """True when neither ``reader`` nor TLS holds a byte past the answer just read.  A BMC
    that sent more than the answer it announced leaves them in the buffer, or decrypted in
    OpenSSL's (``SSLSocket.pending``), where the next answer's status line would be read:
    that connection is not kept.  (``peek`` reads the socket only to fill an empty buffer:
    its raw reader reads nothing meanwhile.)"""
    if tls_pending(sock):
        return False
    raw = reader.raw  # type: ignore[attr-defined]
    raw.readinto = _read_nothing
    try:
        return not reader.peek(1)  # type: ignore[attr-defined]
    finally:
        del raw.readinto


def tls_pending(sock: socket.socket) -> bool:
    """True when OpenSSL holds decrypted bytes of ``sock`` not read yet (a C call, no
    system call; False for plain sockets)."""
    if isinstance(sock, ssl.SSLSocket):
        return sock.pending() > 0
    pending = getattr(sock, "pending", None)  # a cooperative task's (coopsocket)
    return pending is not None and pending() > 0


def _read_nothing(_buffer: Any) -> None:  # a raw read that would block: nothing read
    return None
