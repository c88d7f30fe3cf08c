"""Why a BMC gave no (complete) answer: the ``reason`` of :class:`~hamnhw.errors.BmcUnreachable`,
:class:`~hamnhw.errors.BmcTimeout` and :class:`~hamnhw.errors.ConnectionDropped`.

The transport says what happened on the wire; :mod:`hamnhw.failover.bmcanswer` judges what it
means.  Pulled power cords leave only silence: nothing at the BMC's address can answer a TCP
connection, and no router can reach it.  Something that answers at the TCP level (a refused
connection, a connection accepted then left without an HTTP answer, a new connection closed
before its answer) is up, and so may be its node.  A kept-alive connection opened earlier
that gets no answer (or is reset) says nothing on its own: the cords may have been pulled
after it was opened, or the BMC closed an idle connection; a read on a new connection
decides.

``None``: the reason is not known (a wait of hamnhw's own ran out, a replayed exchange).
"""

from __future__ import annotations

import errno

REFUSED = "refused"
"""The TCP connection was refused (a reset to the SYN, an ICMP port unreachable): something
at the address answered."""
CONNECT_TIMEOUT = "connect_timeout"
"""No TCP connection within the connect timeout: no SYN-ACK came."""
HOST_UNREACHABLE = "host_unreachable"
"""``EHOSTUNREACH``, ``ENETUNREACH`` or ``EHOSTDOWN``: no ARP answer, or a router's ICMP
host or network unreachable."""
UNRESOLVED = "unresolved"
"""The BMC's host name did not resolve: nothing was sent."""
NO_ANSWER_FRESH = "no_answer_fresh"
"""A new connection was accepted (TCP, and TLS where the handshake is what timed out), then
no HTTP answer came in time: the BMC's network stack is alive."""
NO_ANSWER_REUSED = "no_answer_reused"
"""A kept-alive connection, used before, got no answer in time."""
DROPPED_FRESH = "dropped_fresh"
"""A new connection was closed or reset by the BMC before its answer (the TLS handshake's
included)."""
DROPPED_REUSED = "dropped_reused"
"""A kept-alive connection was closed or reset before its answer."""
ANSWER_CUT = "answer_cut"
"""An answer began (its status line came), then stalled or broke."""
NO_REPLY = "no_reply"
"""IPMI over UDP: no reply datagram (pyghmi shows no ICMP port unreachable apart)."""
BUSY = "busy"
"""The BMC answered that it is busy (IPMI "node busy", "insufficient resources")."""

SILENCE = frozenset({CONNECT_TIMEOUT, HOST_UNREACHABLE, NO_REPLY})
"""What pulled power cords leave: nothing answered."""
UNDECIDED = frozenset({NO_ANSWER_REUSED, DROPPED_REUSED})
"""Nothing answered on a connection opened earlier: a read on a new connection decides."""
ANSWERED = frozenset({REFUSED, NO_ANSWER_FRESH, DROPPED_FRESH, ANSWER_CUT, BUSY})
"""Something at the BMC's address answered, if only at the TCP level."""


_NO_ROUTE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN})
"""What a connect meets when no host answers at the address: no ARP answer on the link, or
a router's ICMP host or network unreachable (pulled power cords look like this)."""


def connect_reason(exc: BaseException) -> str | None:
    """The reason of a TCP connect that failed with ``exc`` (None: another failure)."""
    import socket  # an error path only

    if isinstance(exc, ConnectionRefusedError):
        return REFUSED
    if isinstance(exc, socket.gaierror):
        return UNRESOLVED
    if isinstance(exc, OSError) and exc.errno in _NO_ROUTE:
        return HOST_UNREACHABLE
    return None


def at_deadline(reason: str | None) -> str | None:
    """The reason of a request the operation deadline shut: where it stood (connecting,
    awaiting its answer); a connection the watchdog closed is one left without an answer."""
    return {DROPPED_FRESH: NO_ANSWER_FRESH, DROPPED_REUSED: NO_ANSWER_REUSED}.get(
        reason or "", reason)
