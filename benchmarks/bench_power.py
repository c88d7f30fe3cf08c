"""Power off/on confirmation: overhead beyond the simulated transition delay.

The simulator spends ``power_delay`` seconds in PoweringOff / PoweringOn.  The
driver polls ``PowerState`` every ``interval`` seconds (a short
:class:`~hamnhw.interfaces.PollPolicy`); "off" needs two ``Off`` reads in a row,
"on" one ``On`` read.  So the wait should end at most about two intervals
(off) or one interval (on) after the transition, plus request latency.

Counted per action: exactly one ``ComputerSystem.Reset`` POST, and a bounded
number of GETs (a missing sleep between polls would blow that budget).

Run: ``.venv/bin/python benchmarks/bench_power.py [--quick] [--json] [--no-targets]``
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

import benchlib
from benchlib import COUNT, Report

import hamnhw
from hamnhw.interfaces import PollPolicy
from hamnhw.models import PowerState
from hamnhw.sim import ServerSpec, SimServer

INTERVAL_S = 0.05
"""Poll interval used here (the default is 2 s; short so the benchmark is quick)."""
CONFIRMING_READS = {"off": 2, "on": 1}
"""Reads of the target state the driver needs before it believes it."""
SLACK_S = 0.1
"""Allowed request latency and scheduling jitter on top of the poll intervals."""
EXTRA_GETS = 5
"""GETs allowed beyond one per interval of the delay: pre-read, confirmations, slack."""


def overhead_limit_s(action: str) -> float:
    """Target: the wait may end at most this long after the simulated delay."""
    return CONFIRMING_READS[action] * INTERVAL_S + SLACK_S


def get_budget(delay_s: float) -> int:
    """Budget: GETs of one action (state read, polls during the delay, confirmations)."""
    return math.ceil(delay_s / INTERVAL_S) + EXTRA_GETS


def one_action(server: SimServer, node: hamnhw.Node, action: str) -> dict[str, float | int]:
    """Run ``node.power.<action>()``; time it and count its POSTs and GETs."""
    mark = len(server.requests)
    result, seconds = benchlib.timed(getattr(node.power, action))
    expected = PowerState.OFF if action == "off" else PowerState.ON
    if result.power_state is not expected or not result.changed:
        raise SystemExit(f"power {action}: unexpected result {result}")
    records = benchlib.requests_since(server, mark)
    return {"wall_s": seconds, "reported_s": result.elapsed_s,
            "posts": sum(r.method == "POST" for r in records),
            "gets": sum(r.method == "GET" for r in records)}


def run(argv: Sequence[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv)
    rounds = benchlib.iterations(args, full=4, quick=1)
    delay = 0.2 if args.quick else 0.5
    report = Report("power", args)
    report.params.update(rounds=rounds, power_delay_s=delay, poll_interval_s=INTERVAL_S)
    poll = PollPolicy(interval=INTERVAL_S, timeout=30.0)
    runs: dict[str, list[dict[str, float | int]]] = {"off": [], "on": []}
    with benchlib.simulated([ServerSpec(name="bench", power="On", power_delay=delay)]) as cluster:
        server = cluster["bench"]
        with benchlib.connect(server, poll) as node:
            node.power.state()  # system selection outside the measurement
            for _ in range(rounds):
                for action in ("off", "on"):
                    runs[action].append(one_action(server, node, action))
    for action, samples in runs.items():
        overheads = [max(0.0, s["wall_s"] - delay) for s in samples]
        report.metric(f"{action}_wall", benchlib.summary_ms([s["wall_s"] for s in samples]))
        report.metric(f"{action}_overhead", benchlib.summary_ms(overheads))
        report.metric(f"{action}_requests", {"posts_max": max(s["posts"] for s in samples),
                                             "gets_max": max(s["gets"] for s in samples)})
        report.target(f"{action} overhead max", round(max(overheads) * 1000, 1),
                      round(overhead_limit_s(action) * 1000, 1), "ms")
        report.target(f"{action} actions not sending exactly 1 POST",
                      sum(s["posts"] != 1 for s in samples), 0, "actions", kind=COUNT, op="==")
        report.target(f"{action} GETs per action (max)", max(s["gets"] for s in samples),
                      get_budget(delay), "requests", kind=COUNT)
    return report.finish()


if __name__ == "__main__":
    sys.exit(run())
