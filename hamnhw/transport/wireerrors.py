"""What went wrong on the wire, as :class:`~hamnhw.transport.lean.LeanConnections` raises
it: each a :class:`WireError` whose ``reason`` (:mod:`hamnhw.noanswer`) says how, turned
into hamnhw's typed errors by :func:`~hamnhw.transport.errormap.map_exception`.
"""

from __future__ import annotations

from hamnhw import noanswer


class WireError(Exception):
    """A request that got no complete answer (the message says what happened, ``reason``
    how: :mod:`hamnhw.noanswer`, None when not known)."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class NotConnected(WireError):
    """The TCP connection was never made (``refused``: the BMC said no), or the BMC closed
    it during the TLS handshake (``dropped_fresh``)."""

    def __init__(self, message: str, refused: bool, reason: str | None = None) -> None:
        super().__init__(message, noanswer.REFUSED if refused else reason)
        self.refused = refused


class ConnectTimedOut(WireError):
    """No TCP connection within the connect timeout (``connect_timeout``; ``connect_cut``
    when the connect was given less than a silence takes), or no TLS handshake on the
    accepted one (``no_answer_fresh``)."""


class HandshakeFailed(WireError):
    """The TLS handshake failed, or the certificate was refused (chain, name or pin)."""


class ReadTimedOut(WireError):
    """The answer (or the rest of its body) did not come within the read timeout."""


class Dropped(WireError):
    """The connection was lost after the request went out (or while its body came)."""


class StaleConnection(Dropped):
    """A GET or HEAD sent on a recently used idle connection, unchecked
    (:data:`~hamnhw.transport.lean.FRESH_S`), found it closed by the BMC before any answer
    came (a reset, a broken pipe, or the connection's end where the status line should be):
    the BMC never read the request, or dropped it unanswered.  It may be sent once more on a
    new connection (``fresh=True``)."""
