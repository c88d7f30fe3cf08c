"""Coverage-guided fuzzing of every target of :mod:`fuzzlib` with atheris (libFuzzer), for
``make soak``: ``python tests/fuzz/atheris_fuzz.py --runs 100000``.

The first byte of each input chooses the target, the rest drives its choices through
atheris' ``FuzzedDataProvider``; hamnhw and its drivers are instrumented, so libFuzzer
keeps the inputs that reach new code.  A parser raising anything but a ``HamnhwError`` is a
crash: libFuzzer prints the input, writes it to ``crash-*`` and the run exits non-zero.  At
the end: ``fuzz: N inputs tried`` with the count per target.
"""

from __future__ import annotations

import argparse
import collections
import logging
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["hamnhw", "hamnhw_drivers"]):
    import fuzzlib

NAMES = sorted(fuzzlib.TARGETS)
TRIED: collections.Counter[str] = collections.Counter()
REPORT_EVERY = 25_000
RUNS = [0]
"""The ``--runs`` asked for (the last input prints the total)."""


def one_input(data: bytes) -> None:
    """libFuzzer's entry point: one input through one target (the empty input: none)."""
    name = NAMES[data[0] % len(NAMES)] if data else "empty"
    TRIED[name] += 1
    total = sum(TRIED.values())
    if total % REPORT_EVERY == 0 or total == RUNS[0]:  # libFuzzer exits without returning
        print(f"fuzz: {total} inputs tried ({_counts()})", flush=True)
    if data:
        fuzzlib.TARGETS[name](fuzzlib.ByteDraw(atheris.FuzzedDataProvider(data[1:])))


def _counts() -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(TRIED.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, help="corpus directory (kept between runs)")
    args, rest = parser.parse_known_args()
    RUNS[0] = args.runs
    logging.disable(logging.CRITICAL)  # warnings of skipped members would drown the output
    argv = [sys.argv[0], f"-runs={args.runs}", "-max_len=2048", "-len_control=0", *rest]
    if args.corpus is not None:
        args.corpus.mkdir(parents=True, exist_ok=True)
        argv.append(str(args.corpus))
    atheris.Setup(argv, one_input)
    try:
        atheris.Fuzz()
    finally:
        print(f"fuzz: {sum(TRIED.values())} inputs tried ({_counts()})", flush=True)


if __name__ == "__main__":
    main()
