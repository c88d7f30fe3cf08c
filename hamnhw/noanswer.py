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

Silence is only what the BMC's side did not do in a time that tells: a wait of hamnhw's own
that ran out first says nothing of the BMC.  A connect given less than its whole connect
timeout (the operation deadline had less left), or a connect timeout under
:data:`SILENT_CONNECT_S`, is :data:`CONNECT_CUT`; an IPMI command or login whose wait the
deadline ended before pyghmi gave up is :data:`REPLY_CUT`.  Both decide nothing, like a
kept-alive connection: the next read, given its whole time, decides.

No route counts as silence, ``ENETUNREACH`` included, although this host raises it too when
it has no route of its own (its link down, a route missing), which says nothing of the BMC.
The errno does not tell that from a router's ICMP network unreachable (the BMC's network gone
from the router, a management switch that lost power with the node), and silence never acts
alone: the operator's typed acknowledgement still stands for the pulled cords, and taking
``ENETUNREACH`` as undecided would leave no way past a BMC whose network went down with it.
So the message says what it may be: "no route to the network from this host" (check this
host's link and routes before typing that the cords are pulled).

``None``: the reason is not known (a wait of hamnhw's own ran out, a replayed exchange).
"""

from __future__ import annotations

import errno

REFUSED = "refused"
"""The TCP connection was refused (a reset to the SYN, an ICMP port unreachable): something
at the address answered."""
CONNECT_TIMEOUT = "connect_timeout"
"""No TCP connection within the whole connect timeout, of :data:`SILENT_CONNECT_S` or more:
no SYN-ACK came."""
CONNECT_CUT = "connect_cut"
"""No TCP connection, but the connect was cut short by hamnhw's own time limit: the
operation deadline had less left than the connect timeout, or the connect timeout is under
:data:`SILENT_CONNECT_S`.  It tells nothing: a BMC slow to accept looks the same."""
HOST_UNREACHABLE = "host_unreachable"
"""``EHOSTUNREACH``, ``ENETUNREACH`` or ``EHOSTDOWN``: no ARP answer, or a router's ICMP
host or network unreachable; also this host's own lack of a route (``ENETUNREACH``: the
errno does not tell it apart, the message names it, see above)."""
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
"""IPMI over UDP: no reply datagram within pyghmi's own retransmissions (pyghmi shows no
ICMP port unreachable apart)."""
REPLY_CUT = "reply_cut"
"""IPMI over UDP: the operation deadline ended hamnhw's wait for a reply (or a session)
before pyghmi gave up: it tells nothing."""
BUSY = "busy"
"""The BMC answered that it is busy (IPMI "node busy", "insufficient resources")."""

SILENCE = frozenset({CONNECT_TIMEOUT, HOST_UNREACHABLE, NO_REPLY})
"""What pulled power cords leave: nothing answered."""
UNDECIDED = frozenset({NO_ANSWER_REUSED, DROPPED_REUSED, CONNECT_CUT, REPLY_CUT})
"""Nothing answered, in a way that tells nothing: on a connection opened earlier, or within
a wait hamnhw cut short; a read on a new connection, given its whole time, decides."""
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


SILENT_CONNECT_S = 1.0
"""The shortest connect timeout whose running out counts as silence (:data:`CONNECT_TIMEOUT`),
in seconds: TCP's initial retransmission timeout (RFC 6298).  Within less, a single SYN
lost, or dropped by a BMC whose accept queue was full for a moment, looks like pulled
cords."""


def connect_timed_out(waited_s: float, timeout_s: float) -> str:
    """The reason of a TCP connect given ``waited_s`` seconds that timed out, the connect
    timeout being ``timeout_s``: :data:`CONNECT_TIMEOUT` when it had the whole timeout and
    that is :data:`SILENT_CONNECT_S` or more, else :data:`CONNECT_CUT`."""
    whole = waited_s >= timeout_s
    return CONNECT_TIMEOUT if whole and timeout_s >= SILENT_CONNECT_S else CONNECT_CUT


def connect_cut(waited_s: float, timeout_s: float) -> str:
    """What a :data:`CONNECT_CUT` connect met, for a message: ``no connection within the 0.3
    s left of the operation deadline (...)``."""
    if waited_s < timeout_s:
        return (f"no connection within the {round(waited_s, 1):g} s left of the operation "
                f"deadline (the connect timeout is {timeout_s:g} s): cut short, that tells "
                "nothing of the BMC")
    return (f"no connection within the {timeout_s:g} s connect timeout, under the "
            f"{SILENT_CONNECT_S:g} s silence takes: that tells nothing of the BMC")


NO_ROUTE_FROM_HERE = ("no route to the network from this host (check its own link and "
                      "routes), or a router on the way has none")
"""What ``ENETUNREACH`` says, in a message: this host's own network is the first suspect."""


def connect_failure(exc: OSError) -> str:
    """``exc``'s text for a message about a failed connect; for ``ENETUNREACH``, followed by
    :data:`NO_ROUTE_FROM_HERE`."""
    if exc.errno == errno.ENETUNREACH:
        return f"{exc}: {NO_ROUTE_FROM_HERE}"
    return str(exc)


def at_deadline(reason: str | None) -> str | None:
    """The reason of a request the operation deadline shut: where it stood (connecting,
    awaiting its answer); a connection the watchdog closed is one left without an answer."""
    return {DROPPED_FRESH: NO_ANSWER_FRESH, DROPPED_REUSED: NO_ANSWER_REUSED}.get(
        reason or "", reason)
