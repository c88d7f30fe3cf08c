"""Test hook: kill the coordinator at a named point of its journal (crash-safety tests).

With ``HAMNHW_FAILOVER_KILL_AT=<name>`` in the environment, the process sends itself SIGKILL
when it reaches that point; with ``HAMNHW_FAILOVER_KILL_TRACE=<file>``, it appends every
point it reaches to the file (the test suite learns the points from an uninterrupted run).
Points are ``<step>.<action>:intent`` (intent committed, request not sent),
``<step>.<action>:sent`` (request accepted, its effect not yet awaited),
``<step>.<action>:outcome`` (outcome committed) and ``state:<state>`` (transition committed).
Unset, nothing happens.
"""

from __future__ import annotations

import os
import signal

ENV_KILL_AT = "HAMNHW_FAILOVER_KILL_AT"
ENV_TRACE = "HAMNHW_FAILOVER_KILL_TRACE"


def reached(name: str) -> None:
    """Record ``name`` in the trace and die here when it is the kill point."""
    trace = os.environ.get(ENV_TRACE)
    if trace:
        with open(trace, "a", encoding="utf-8") as handle:
            handle.write(name + "\n")
    if os.environ.get(ENV_KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
