"""Randomized failover soak: ``python tests/reliability/soak.py --runs 10000``.

Seeds are run in shards of :data:`SHARD_SEEDS` consecutive seeds; a finished shard is written
to ``<out>/shard-<first seed>.json`` (atomically), and a later invocation skips the shards
already there, so a soak can run in pieces and resume.  Every seed is reproducible alone::

    python tests/reliability/soak.py --seed 4711          # one seed, its legs and findings

A run is one leg (a failover, or the failback after it).  The totals printed: runs, faults
injected (simulator fault hits, world events, kills), kills, each outcome, races, violations
(must be 0).  Exit 1 when a violation was found (each printed with its seed, the leg's
invocations and the excerpt of the request log), 0 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from soakrun import LegResult, run_seed  # noqa: E402

SHARD_SEEDS = 50
"""Seeds per shard (a shard is about 90 runs: a minute or two on an idle 2-core machine)."""


class Totals:
    """Figures over many legs."""

    def __init__(self) -> None:
        self.runs = self.faults = self.kills = self.races = self.seeds = 0
        self.outcomes: collections.Counter[str] = collections.Counter()
        self.finals: collections.Counter[str] = collections.Counter()
        self.fired: collections.Counter[str] = collections.Counter()
        self.violations: list[dict[str, Any]] = []

    def add(self, legs: Iterable[dict[str, Any]]) -> None:
        for leg in legs:
            self.runs += 1
            self.faults += leg["faults_injected"] + leg["kills"]
            self.kills += leg["kills"]
            self.races += leg["races"]
            self.outcomes.update(leg["outcomes"])
            self.finals[leg["final"]] += 1
            self.fired.update(leg["fired"])
            if leg["violations"]:
                self.violations.append(leg)

    def merge(self, data: dict[str, Any]) -> None:
        self.seeds += data["seeds"]
        self.add(data["legs"])

    def text(self) -> str:
        lines = [f"seeds {self.seeds}  runs {self.runs}  faults injected {self.faults}  "
                 f"kills {self.kills}  races {self.races}  "
                 f"violations {sum(len(v['violations']) for v in self.violations)}",
                 "final outcomes: " + _counts(self.finals),
                 "stops seen: " + _counts(self.outcomes),
                 "fault classes fired (legs): " + _counts(self.fired)]
        return "\n".join(lines)


def _counts(counter: collections.Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "none"


def describe(leg: dict[str, Any]) -> str:
    """A violating leg: how to replay it and what happened."""
    lines = [f"VIOLATION seed {leg['seed']} {leg['leg']} (replay: python tests/reliability/"
             f"soak.py --seed {leg['seed']}); faults fired {leg['fired']}"]
    lines += [f"  {v}" for v in leg["violations"]]
    lines += ["  invocations:"] + [f"    {h}" for h in leg["history"]]
    lines += ["  request log (state-changing requests of the leg):"]
    lines += [f"    {line}" for line in leg["log_excerpt"]]
    return "\n".join(lines)


def run_seeds(seeds: Iterable[int], deadline: float | None = None) -> tuple[int, list[LegResult]]:
    """Run ``seeds`` in order until ``deadline`` (``time.monotonic``); returns (seeds run,
    legs)."""
    legs: list[LegResult] = []
    done = 0
    for seed in seeds:
        if deadline is not None and time.monotonic() >= deadline:
            break
        legs += run_seed(seed)
        done += 1
    return done, legs


def run_shard(first: int, out: Path | None) -> dict[str, Any]:
    """Run one shard (or read it back when ``out`` already holds it)."""
    path = None if out is None else out / f"shard-{first}.json"
    if path is not None and path.exists():
        return dict(json.loads(path.read_text()))
    started = time.monotonic()
    count, legs = run_seeds(range(first, first + SHARD_SEEDS))
    data = {"first_seed": first, "seeds": count, "legs": [leg.to_json() for leg in legs],
            "elapsed_s": round(time.monotonic() - started, 1)}
    if path is not None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)
    return data


def _quiet() -> None:
    logger = logging.getLogger("hamnhw")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10000, help="stop once this many runs "
                        "(legs) are done, shard by shard")
    parser.add_argument("--base-seed", type=int, default=1, help="first seed of shard 0")
    parser.add_argument("--seed", type=int, help="run this one seed and print its legs")
    parser.add_argument("--shard", type=int, help="run only this shard (its first seed)")
    parser.add_argument("--jobs", type=int, default=1, help="shards run in parallel")
    parser.add_argument("--out", type=Path, default=Path("soak-results"),
                        help="where finished shards are kept (resume skips them)")
    args = parser.parse_args(argv)
    _quiet()
    if args.seed is not None:
        legs = [leg.to_json() for leg in run_seed(args.seed)]
        for leg in legs:
            print(json.dumps({k: leg[k] for k in ("seed", "leg", "outcomes", "fired", "kills",
                                                  "violations")}))
            if leg["violations"]:
                print(describe(leg))
        return 1 if any(leg["violations"] for leg in legs) else 0
    args.out.mkdir(parents=True, exist_ok=True)
    if args.shard is not None:
        data = run_shard(args.shard, args.out)
        print(f"shard {args.shard}..{args.shard + SHARD_SEEDS - 1}: {len(data['legs'])} runs "
              f"in {data.get('elapsed_s')} s", flush=True)
        return 0
    return _soak(args)


def _soak(args: argparse.Namespace) -> int:
    totals = Totals()
    shard_index = 0
    running: list[tuple[int, subprocess.Popen[bytes]]] = []
    started = time.monotonic()
    while totals.runs < args.runs or running:
        while totals.runs + 90 * len(running) < args.runs and len(running) < args.jobs:
            first = args.base_seed + shard_index * SHARD_SEEDS
            shard_index += 1
            running.append((first, subprocess.Popen(
                [sys.executable, __file__, "--shard", str(first), "--out", str(args.out)])))
        first, process = running.pop(0)
        process.wait()
        path = args.out / f"shard-{first}.json"
        if not path.exists():
            print(f"shard {first}: failed (exit {process.returncode})", flush=True)
            return 2
        totals.merge(json.loads(path.read_text()))
        print(f"after shard {first}: runs {totals.runs}, violations "
              f"{len(totals.violations)} ({time.monotonic() - started:.0f} s)", flush=True)
    for leg in totals.violations:
        print(describe(leg))
    print(totals.text())
    return 1 if totals.violations else 0


if __name__ == "__main__":
    sys.exit(main())
