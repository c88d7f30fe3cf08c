"""The exception a SIGINT or SIGTERM raises in the running work (:mod:`hamnhw.interrupts`).

Apart from the :class:`~hamnhw.errors.HamnhwError` tree, which it is no part of;
:mod:`hamnhw.errors` re-exports it, so ``from hamnhw.errors import Interrupted`` keeps
working.
"""

from __future__ import annotations

import signal


class Interrupted(BaseException):
    """SIGINT or SIGTERM asked the running work to stop (see :mod:`hamnhw.interrupts`).

    A :class:`BaseException`, like :class:`KeyboardInterrupt`, not a
    :class:`~hamnhw.errors.HamnhwError`: the BMC did nothing wrong, and no ``except
    Exception`` (nor ``except HamnhwError``) on the way up may swallow it.  Whoever
    catches it fills in what it knows, then re-raises or reports it.

    :param signum: the signal received.
    :param host: the BMC being worked on, when known.
    :param request_sent: True when a state-changing request (POST, PATCH, DELETE other
        than login and logout) had been sent, or may have been, before the signal: the
        BMC may act on it; None when that is not known (not tracked over IPMI).
    :param last_state: the last state a wait read (``"powering_on"``), None when no
        wait had read one.
    """

    def __init__(self, signum: int, *, host: str | None = None,
                 request_sent: bool | None = False, last_state: str | None = None) -> None:
        super().__init__(signum)
        self.signum = signum
        self.host = host
        self.request_sent = request_sent
        self.last_state = last_state

    @property
    def signal_name(self) -> str:
        """``SIGINT``, ``SIGTERM`` (or ``signal N`` for another number)."""
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"

    @property
    def message(self) -> str:
        """What happened, without the host."""
        text = f"interrupted by {self.signal_name}"
        if self.request_sent is not False:
            sent = "had already been" if self.request_sent else "may have been"
            text += (f"; a request {sent} sent and the BMC may act on it "
                     f"(last state read: {self.last_state or 'none'})")
        return text

    def __str__(self) -> str:
        return f"{self.host}: {self.message}" if self.host else self.message
