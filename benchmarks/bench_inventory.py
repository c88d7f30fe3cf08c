"""Full inventory and NIC listing: wall time and HTTP requests per call.

Two simulated servers: "small" (2 drives, 2 NICs) and "large" (8 drives, 8
NICs).  The request count per call is budgeted on the small one, and the
marginal cost of each extra drive / NIC (large minus small, divided by the 6
extra) must stay at one GET: that is what catches an N+1 regression (a
resource re-read per member) even when the fixed budget is raised.

Run: ``.venv/bin/python benchmarks/bench_inventory.py [--quick] [--json] [--no-targets]``
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import benchlib
from benchlib import COUNT, Report

from hamnhw.sim import DriveSpec, NicSpec, ServerSpec, SimServer
from hamnhw.sim.spec import fake_serial, local_mac

INVENTORY_P95_MS = 80.0
"""Target: one ``inventory()`` on the small server, 95th percentile."""
NICS_P95_MS = 40.0
"""Target: one ``nics.list()`` on the small server, 95th percentile."""
INVENTORY_REQUESTS = 9
"""Budget: requests of one ``inventory()`` on the small server (system already chosen); its
chassis is one of them (it could list drives no Storage does), the Chassis collection none
(the system links its chassis and drives are shown: docs/conformance.md)."""
NICS_REQUESTS = 5
"""Budget: requests of one ``nics.list()`` on the small server: the system, its
EthernetInterfaces and 2 NICs, and its chassis (which could hold network adapters); not the
Chassis collection (the system links its chassis and NICs are shown)."""
PER_MEMBER_REQUESTS = 1.0
"""Budget: extra requests per extra drive or NIC."""
EXTRA_MEMBERS = 6
"""How many more drives and NICs the large server has."""


def specs() -> list[ServerSpec]:
    """The small server (simulator defaults) and the large one."""
    size = 2 + EXTRA_MEMBERS
    drives = tuple(DriveSpec(serial=fake_serial("large", i), bay=f"Bay {i}")
                   for i in range(1, size + 1))
    nics = tuple(NicSpec(f"NIC{i}", local_mac("large", i)) for i in range(1, size + 1))
    return [ServerSpec(name="small", power="On"),
            ServerSpec(name="large", power="On", drives=drives, nics=nics, bay_count=size)]


def measure(server: SimServer, call: Callable[[Any], Any], count: int,
            ) -> tuple[list[float], int, list[str]]:
    """Connect once, warm up (system selection), then time ``count`` calls.

    :returns: durations, the (identical) request count per call, one call's request log.
    """
    with benchlib.connect(server) as node:
        call(node)
        durations, counts, log = [], [], []
        for _ in range(count):
            mark = len(server.requests)
            _, seconds = benchlib.timed(lambda: call(node))
            records = benchlib.requests_since(server, mark)
            durations.append(seconds)
            counts.append(len(records))
            log = benchlib.describe(records)
    return durations, benchlib.same_count(counts, server.name), log


def inventory(node: Any) -> Any:
    return node.inventory.inventory()


def nics(node: Any) -> Any:
    return node.nics.list()


def run(argv: Sequence[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv)
    count = benchlib.iterations(args, full=40, quick=4)
    report = Report("inventory", args)
    report.params.update(iterations=count, small="2 drives, 2 NICs, 1 RAID1",
                         large=f"{2 + EXTRA_MEMBERS} drives, {2 + EXTRA_MEMBERS} NICs, 1 RAID1")
    results: dict[str, tuple[list[float], int, list[str]]] = {}
    with benchlib.simulated(specs()) as cluster:
        for size in ("small", "large"):
            results[f"inventory_{size}"] = measure(cluster[size], inventory, count)
            results[f"nics_{size}"] = measure(cluster[size], nics, count)
    requests = {key: value[1] for key, value in results.items()}
    for key, (durations, _, _) in results.items():
        report.metric(key, benchlib.summary_ms(durations))
    report.metric("requests_per_call", requests)
    report.metric("request_log_inventory_small", results["inventory_small"][2])
    per_drive = (requests["inventory_large"] - requests["inventory_small"]) / EXTRA_MEMBERS
    per_nic = (requests["nics_large"] - requests["nics_small"]) / EXTRA_MEMBERS
    report.metric("requests_per_extra_member", {"drive": per_drive, "nic": per_nic})
    report.target("inventory p95 (small)", report.metrics["inventory_small"]["p95_ms"],
                  INVENTORY_P95_MS, "ms")
    report.target("nics.list p95 (small)", report.metrics["nics_small"]["p95_ms"],
                  NICS_P95_MS, "ms")
    report.target("requests per inventory (small)", requests["inventory_small"],
                  INVENTORY_REQUESTS, "requests", kind=COUNT)
    report.target("requests per nics.list (small)", requests["nics_small"], NICS_REQUESTS,
                  "requests", kind=COUNT)
    report.target("requests per extra drive", per_drive, PER_MEMBER_REQUESTS, "requests",
                  kind=COUNT)
    report.target("requests per extra NIC", per_nic, PER_MEMBER_REQUESTS, "requests",
                  kind=COUNT)
    return report.finish()


if __name__ == "__main__":
    sys.exit(run())
