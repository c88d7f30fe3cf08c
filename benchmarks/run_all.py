"""Run every hamnhw benchmark (``make bench``); exit non-zero if any missed a target.

Each ``bench_*.py`` runs in its own process (a fresh interpreter: no benchmark
sees another's threads, connections or registered secrets).  Options
``--quick`` and ``--no-targets`` are passed on; with ``--json`` one object
``{"ok", "wall_s", "benchmarks": {name: report}}`` is printed.

Run: ``.venv/bin/python benchmarks/run_all.py [--quick] [--json] [--no-targets]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS = ("bench_connect.py", "bench_inventory.py", "bench_power.py", "bench_transport.py",
           "bench_fanout.py")
"""In the order they run."""
TIMEOUT_S = 120.0
"""A benchmark still running after this long is killed and counted as failed."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run of each")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-targets", action="store_true",
                        help="do not enforce timing targets (request counts still are)")
    return parser.parse_args(argv)


def run_one(script: str, flags: list[str]) -> tuple[int, str, str]:
    """Run one benchmark; return its exit code, stdout and stderr."""
    command = [sys.executable, str(HERE / script), *flags]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        return 124, "", f"{script}: killed after {TIMEOUT_S:.0f} s"
    return done.returncode, done.stdout, done.stderr


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    flags = [flag for flag, wanted in (("--quick", args.quick), ("--no-targets",
                                                                  args.no_targets)) if wanted]
    start = time.perf_counter()
    reports: dict[str, Any] = {}
    failed: list[str] = []
    for script in SCRIPTS:
        code, out, err = run_one(script, [*flags, "--json"] if args.json else flags)
        name = script.removeprefix("bench_").removesuffix(".py")
        if code != 0:
            failed.append(name)
        if args.json:
            try:
                reports[name] = json.loads(out)
            except ValueError:
                reports[name] = {"ok": False, "error": (err or out).strip()[-2000:]}
        else:
            print(out, end="" if out.endswith("\n") else "\n", flush=True)
        if err.strip():
            print(err.rstrip(), file=sys.stderr)
    wall = round(time.perf_counter() - start, 1)
    if args.json:
        print(json.dumps({"ok": not failed, "wall_s": wall, "benchmarks": reports},
                         sort_keys=True))
    else:
        verdict = f"FAILED: {', '.join(failed)}" if failed else "all passed"
        print(f"== {len(SCRIPTS)} benchmarks in {wall} s: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
