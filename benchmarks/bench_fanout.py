"""Fan-out readiness: N simulated servers connected and inventoried, sequentially
and from a ThreadPoolExecutor.

Each job is ``connect`` + ``inventory.inventory()`` + ``close``.  Two scenarios:

* ``cpu``: the simulator answers at once.  Client and simulator share one
  process (one GIL) on a 2-core machine, so threads barely help: expect a
  speedup near 1x (0.8x-1.5x).
* ``latency``: every simulated request waits ``--latency`` seconds first, as a
  real BMC does (tens to hundreds of ms).  The work is then I/O bound: expect
  close to ``min(workers, N)``, less the CPU part (a few ms per job against
  ~17 requests x 20 ms of waiting): with 16 servers, 8 workers and 20 ms,
  about 6x-8x.

Speedups are measured and reported, not enforced.  Enforced: every server gets
the same requests in parallel as sequentially, and each inventory reports that
server's own drives (no mix-up between threads).

Run: ``.venv/bin/python benchmarks/bench_fanout.py [--quick] [--json] [--no-targets]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import benchlib
from benchlib import COUNT, Report

from hamnhw.sim import ServerSpec, SimCluster, SimServer

WORKERS = 8
"""Thread pool size."""


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--servers", type=int, default=None,
                        help="simulated servers (16; 4 with --quick)")
    parser.add_argument("--latency", type=float, default=None,
                        help="seconds each request waits in the latency scenario "
                             "(0.02; 0.01 with --quick)")


def ready(server: SimServer) -> tuple[int, frozenset[str]]:
    """Connect, inventory, close.  Returns requests sent and the drive serials seen."""
    mark = len(server.requests)
    with benchlib.connect(server) as node:
        drives = node.inventory.inventory().drives or ()
    return len(benchlib.requests_since(server, mark)), frozenset(d.serial for d in drives)


def run_all(servers: list[SimServer], workers: int | None,
            ) -> tuple[float, list[tuple[int, frozenset[str]]]]:
    """Seconds to make every server ready, sequentially (``workers=None``) or in a pool."""
    start = time.perf_counter()
    if workers is None:
        results = [ready(server) for server in servers]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(ready, servers))
    return time.perf_counter() - start, results


def scenario(cluster: SimCluster, name: str, report: Report) -> None:
    """Sequential then parallel; metrics and the consistency targets."""
    servers = list(cluster)
    sequential_s, sequential = run_all(servers, None)
    parallel_s, parallel = run_all(servers, WORKERS)
    report.metric(name, {"sequential_s": round(sequential_s, 3),
                         "parallel_s": round(parallel_s, 3),
                         "speedup": round(sequential_s / parallel_s, 2),
                         "requests_per_server": sequential[0][0]})
    differing = sum(s[0] != p[0] for s, p in zip(sequential, parallel, strict=True))
    report.target(f"{name}: servers whose request count differs in parallel", differing, 0,
                  "servers", kind=COUNT, op="==")
    wrong = sum(result[1] != frozenset(d.serial for d in server.drives)
                for server, result in zip(servers, parallel, strict=True))
    report.target(f"{name}: parallel inventories with wrong drives", wrong, 0, "servers",
                  kind=COUNT, op="==")


def run(argv: Sequence[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv, options)
    count = args.servers or (4 if args.quick else 16)
    report = Report("fanout", args)
    latency = args.latency if args.latency is not None else (0.01 if args.quick else 0.02)
    report.params.update(servers=count, workers=WORKERS, latency_s=latency)
    specs = [ServerSpec(name=f"node{i:02d}", power="On") for i in range(count)]
    with benchlib.simulated(specs) as cluster:
        ready(cluster["node00"])  # imports and entry points outside the measurement
        scenario(cluster, "cpu", report)
        for server in cluster:
            server.inject("latency", seconds=latency)
        scenario(cluster, "latency", report)
    return report.finish()


if __name__ == "__main__":
    sys.exit(run())
