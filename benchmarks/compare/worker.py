"""Run one client over a list of BMCs in a fresh process and report what it cost.

::

    python worker.py CLIENT URLS_FILE --workers 64 [--ca-file PEM]

prints one JSON object: ``import_s`` (importing the client's library and building it),
``wall_s`` and ``cpu_s`` (process CPU, every thread and child process, of the run alone),
``answers`` (one per URL: the answer object or an error string) and ``late_imports`` (the
modules the run imported: their import is counted as the run's CPU, not as import).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import clients


def _children_cpu() -> float:
    """CPU seconds of the child processes waited for (the CLI client's commands)."""
    times = os.times()
    return times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("client", choices=sorted(clients.CLIENTS))
    parser.add_argument("urls_file")
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--ca-file")
    parser.add_argument("--unbounded", action="store_true",
                        help="the user set no bound: a fan-out uses its own default")
    args = parser.parse_args()
    urls = Path(args.urls_file).read_text().split()
    start = time.perf_counter()
    run = clients.CLIENTS[args.client](args.ca_file)
    import_s = time.perf_counter() - start
    loaded = set(sys.modules)
    cpu0, children0, wall0 = time.process_time(), _children_cpu(), time.perf_counter()
    answers = run(urls, args.workers, args.unbounded)
    wall_s = time.perf_counter() - wall0
    cpu_s = time.process_time() - cpu0 + _children_cpu() - children0
    late = sorted(set(sys.modules) - loaded)
    json.dump({"import_s": import_s, "wall_s": wall_s, "cpu_s": cpu_s, "answers": answers,
               "late_imports": late}, sys.stdout)


if __name__ == "__main__":
    main()
