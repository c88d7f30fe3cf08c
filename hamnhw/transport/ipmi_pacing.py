"""Pacing: a minimum interval between two top-level IPMI commands to one BMC.

Small BMCs drop or refuse sessions when a tool fires commands back to back; ipmitool users
add ``sleep`` between calls for that reason.  Every
:class:`~hamnhw.transport.ipmi.IpmiTransport` of the process that talks to the same
``host:port`` shares one :class:`Pacer`; the packets of the session setup are not paced.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping

from hamnhw.deadline import Deadline
from hamnhw.errors import BmcTimeout, ConfigError
from hamnhw.transport.retry import RetryPolicy

DEFAULT_PACING_S = 1.0
"""Default minimum interval between two top-level commands to one BMC, seconds."""
ENV_PACING = "HAMNHW_IPMI_PACING_S"
"""Environment variable overriding :data:`DEFAULT_PACING_S` (tests shorten it)."""


def pacing_from_env(environ: Mapping[str, str] | None = None) -> float:
    """The pacing interval: ``$HAMNHW_IPMI_PACING_S`` when set (0 allowed), else the default.

    :raises ConfigError: the variable is not a number of seconds >= 0.
    """
    value = (os.environ if environ is None else environ).get(ENV_PACING)
    if value is None or value == "":
        return DEFAULT_PACING_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ConfigError(f"${ENV_PACING} must be a number of seconds >= 0, got {value!r}")
    return seconds



class Pacer:
    """The minimum interval between two top-level commands to one BMC, process-wide.

    :meth:`turn` makes the wait and the command one step: the BMC's lock is held from the
    wait to the command's end, so two threads (two nodes' transports to one BMC) never both
    see the interval passed and send together; their commands run one at a time, each at
    least the interval after the previous one ended.
    """

    _by_bmc: dict[str, Pacer] = {}
    _registry_lock = threading.Lock()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_done: float | None = None

    @classmethod
    def for_bmc(cls, key: str) -> Pacer:
        """The pacer of the BMC ``key`` (``host:port``)."""
        with cls._registry_lock:
            return cls._by_bmc.setdefault(key, cls())

    @contextlib.contextmanager
    def turn(self, interval: float, deadline: Deadline, retry: RetryPolicy,
             host: str) -> Iterator[None]:
        """This BMC's turn for one command: wait for another thread's command to end, then
        until ``interval`` has passed since the last one ended; run the block; record its end.

        :raises BmcTimeout: the deadline passes before the command may be sent.
        """
        if not self._lock.acquire(timeout=max(0.0, deadline.left())):
            raise BmcTimeout("another IPMI command to this BMC held it until the deadline",
                             host=host, elapsed_s=deadline.elapsed())
        try:
            self._wait(interval, deadline, retry, host)
            try:
                yield
            finally:
                self._last_done = retry.clock()
        finally:
            self._lock.release()

    def _wait(self, interval: float, deadline: Deadline, retry: RetryPolicy,
              host: str) -> None:
        last = self._last_done
        if last is None or interval <= 0:
            return
        delay = last + interval - retry.clock()
        if delay <= 0:
            return
        if not deadline.allows(delay):
            raise BmcTimeout(f"the deadline leaves no time to wait the {interval:g} s between "
                             "IPMI commands", host=host, elapsed_s=deadline.elapsed())
        retry.sleep(delay)
