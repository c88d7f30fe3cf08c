"""Whether a command sent a state-changing request, for an interrupted command's report.

An interrupted command reports ``"request_sent": true`` when a POST, PATCH or DELETE (other
than the login and the logout, which the transport makes itself) was sent, or may have been:
:class:`~hamnhw.ipmi_fallback.UnsafeCounter` counts a request when the call starts, before
the answer.  Before connecting (a prompt, the config) nothing was sent: ``request_sent`` is
false.  Over IPMI nothing is counted (``hamnhw.connect`` takes no client wrapper there):
``request_sent`` is then None, "not known".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hamnhw.address import parse_bmc_url
from hamnhw.ipmi_fallback import UnsafeCounter


class RequestWatch:
    """Gives :func:`hamnhw.connect` a ``client_wrapper`` that counts unsafe requests."""

    def __init__(self) -> None:
        self.counter: UnsafeCounter | None = None
        self.untracked = False
        """True once connecting started to a node whose requests are not counted (IPMI)."""

    def wrapper_for(self, url: str) -> Callable[[Any], Any] | None:
        """The ``client_wrapper`` for ``url``: None where connect takes none (``ipmi://``)."""
        if parse_bmc_url(url).protocol != "redfish":
            self.untracked = True
            return None
        return self._wrap

    def _wrap(self, transport: Any) -> UnsafeCounter:
        self.counter = UnsafeCounter(transport)
        return self.counter

    @property
    def request_sent(self) -> bool | None:
        """True when an unsafe request was started, False when none was (nothing at all
        before connecting); None when the node's requests are not counted (IPMI)."""
        if self.untracked:
            return None
        return bool(self.counter and self.counter.unsafe_attempts)
