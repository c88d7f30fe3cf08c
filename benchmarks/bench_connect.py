"""Connect latency and its HTTP request cost.

"Ready" is what ``hamnhw power status`` pays before its answer: ServiceRoot,
session login, driver detection (``hamnhw.connect``), then system selection and
one power-state read (``node.power.state()``).  The session logout
(``node.close()``) is measured apart.

Run: ``.venv/bin/python benchmarks/bench_connect.py [--quick] [--json] [--no-targets]``
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import benchlib
from benchlib import COUNT, Report

from hamnhw.sim import ServerSpec, SimServer

READY_P95_MS = 50.0
"""Target: connect + first power read, 95th percentile (see docs/performance.md)."""
CONNECT_REQUESTS = 4
"""Budget: ServiceRoot, session POST, Systems and the System (detection reads the System;
the ServiceRoot's Vendor, Contoso, names a maker no driver claims: no Manager read; the
system is chosen at connect)."""
READY_REQUESTS = 5
"""Budget: the connect requests + the System read again by ``power.state()`` (a call
outside a ``Node.operation()`` block reads afresh, see hamnhw.readmemo)."""
CLOSE_REQUESTS = 1
"""Exactly one DELETE of the session."""


def one_connect(server: SimServer) -> dict[str, float | int]:
    """Connect, read power once, close; time and count each phase."""
    mark = len(server.requests)
    node, connect_s = benchlib.timed(lambda: benchlib.connect(server))
    connect_requests = len(benchlib.requests_since(server, mark))
    _, state_s = benchlib.timed(node.power.state)
    ready_requests = len(benchlib.requests_since(server, mark))
    _, close_s = benchlib.timed(node.close)
    close_requests = len(benchlib.requests_since(server, mark)) - ready_requests
    return {"connect_s": connect_s, "ready_s": connect_s + state_s, "close_s": close_s,
            "connect_requests": connect_requests, "ready_requests": ready_requests,
            "close_requests": close_requests}


def run(argv: Sequence[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv)
    count = benchlib.iterations(args, full=40, quick=5)
    report = Report("connect", args)
    report.params.update(iterations=count, transport="http loopback, session auth")
    with benchlib.simulated([ServerSpec(name="bench", power="On")]) as cluster:
        server = cluster["bench"]
        cold = one_connect(server)  # imports, entry points, first TCP connection
        mark = len(server.requests)
        runs = [one_connect(server) for _ in range(count)]
        log = benchlib.describe(benchlib.requests_since(server, mark)[:READY_REQUESTS + 1])

    def counted(key: str) -> int:
        return benchlib.same_count((r[key] for r in runs), key)

    ready = benchlib.summary_ms([r["ready_s"] for r in runs])
    report.metric("cold_ready_ms", round(cold["ready_s"] * 1000, 2))
    report.metric("connect", benchlib.summary_ms([r["connect_s"] for r in runs]))
    report.metric("ready", ready)
    report.metric("close", benchlib.summary_ms([r["close_s"] for r in runs]))
    report.metric("requests", {"connect": counted("connect_requests"),
                               "ready": counted("ready_requests"),
                               "close": counted("close_requests")})
    report.metric("request_log", log)
    report.target("ready p95", ready["p95_ms"], READY_P95_MS, "ms")
    report.target("requests to connect", counted("connect_requests"), CONNECT_REQUESTS,
                  "requests", kind=COUNT)
    report.target("requests to first power read", counted("ready_requests"), READY_REQUESTS,
                  "requests", kind=COUNT)
    report.target("requests to close", counted("close_requests"), CLOSE_REQUESTS,
                  "requests", kind=COUNT, op="==")
    return report.finish()


if __name__ == "__main__":
    sys.exit(run())
