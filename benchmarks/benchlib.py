"""What every hamnhw benchmark shares: options, statistics, targets, output.

Standard library only.  Each ``bench_*.py`` script builds a :class:`Report`,
records metrics and targets on it, and ends with ``sys.exit(report.finish())``.

Two kinds of target:

* ``count`` targets (HTTP request budgets, POSTs per action) are deterministic
  and always enforced;
* ``time`` targets (latencies, throughput, ratios) are enforced unless
  ``--no-targets`` is given (the smoke test does, so that a loaded CI machine
  cannot fail it).

The reasoning behind every target is in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import math
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import hamnhw
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import RequestRecord, ServerSpec, SimCluster, SimServer

COUNT = "count"
"""A deterministic target (request counts): always enforced."""
TIME = "time"
"""A timing target: skipped with ``--no-targets``."""

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda value, limit: value <= limit,
    ">=": lambda value, limit: value >= limit,
    "==": lambda value, limit: value == limit,
}


def parse_args(description: str, argv: Sequence[str] | None = None,
               extra: Callable[[argparse.ArgumentParser], None] | None = None,
               ) -> argparse.Namespace:
    """The options every benchmark takes (plus ``extra`` ones).

    :returns: namespace with ``quick``, ``json``, ``no_targets``, ``iterations``.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: few iterations, a few seconds")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-targets", action="store_true",
                        help="do not enforce timing targets (request counts still are)")
    parser.add_argument("--iterations", type=int, default=None,
                        help="override the number of measured iterations")
    if extra is not None:
        extra(parser)
    return parser.parse_args(argv)


def iterations(args: argparse.Namespace, full: int, quick: int) -> int:
    """How many iterations to run: ``--iterations``, else ``quick`` or ``full``."""
    if args.iterations:
        return max(1, args.iterations)
    return quick if args.quick else full


# -- statistics ----------------------------------------------------------------------------

def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0..1) percentile, interpolated between closest ranks."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean, min and max of durations in seconds, as milliseconds."""
    return {
        "p50_ms": round(percentile(samples, 0.50) * 1000, 2),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
        "mean_ms": round(statistics.fmean(samples) * 1000, 2),
        "min_ms": round(min(samples) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
        "n": len(samples),
    }


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """Run ``action``; return its result and the seconds it took."""
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def same_count(counts: Iterable[int], what: str) -> int:
    """The one value of a request count that must be the same on every iteration.

    :raises SystemExit: the counts differ (a non-deterministic request pattern).
    """
    values = sorted(set(counts))
    if len(values) != 1:
        raise SystemExit(f"{what}: request count differs between iterations: {values}")
    return values[0]


# -- simulator -----------------------------------------------------------------------------

PLAIN_HTTP_LOGGER = "hamnhw.transport.adapter"
"""The logger of the plain-HTTP warning (:func:`hamnhw.transport.tlschoice.check_tls_choice`)."""


@contextlib.contextmanager
def simulated(specs: Sequence[ServerSpec]) -> Iterator[SimCluster]:
    """A plain-HTTP :class:`SimCluster` on loopback, stopped on exit.  Meanwhile hamnhw's
    warning that plain HTTP sends credentials in clear text is left out for its servers
    (one line per simulated BMC in every ``make bench`` run); any other address's, and
    every other record, pass."""
    with SimCluster(specs, tls=False) as cluster:
        quiet = _NotPlainHttpTo({urlsplit(server.url).netloc for server in cluster})
        logger = logging.getLogger(PLAIN_HTTP_LOGGER)
        logger.addFilter(quiet)
        try:
            yield cluster
        finally:
            logger.removeFilter(quiet)


class _NotPlainHttpTo(logging.Filter):
    """Drops the plain-HTTP warning naming one of ``netlocs`` (read as rendered: hamnhw's
    redacting filter, which runs first, renders the message)."""

    def __init__(self, netlocs: set[str]) -> None:
        super().__init__()
        self.prefixes = tuple(f"{netloc}: plain HTTP (" for netloc in netlocs)

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefixes)


def connect(server: SimServer, poll: PollPolicy | None = None) -> hamnhw.Node:
    """``hamnhw.connect`` to a simulated server with its (simulator-only) credentials."""
    return hamnhw.connect(server.url, username=server.username, password=server.password,
                          timeout=30.0, poll=poll)


def requests_since(server: SimServer, mark: int) -> list[RequestRecord]:
    """Requests the server received after the first ``mark`` ones."""
    return server.requests[mark:]


def describe(records: Iterable[RequestRecord]) -> list[str]:
    """``"METHOD /path"`` per request, for reports."""
    return [f"{record.method} {record.path}" for record in records]


# -- report --------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Target:
    """A stated target: ``value op limit`` must hold."""

    name: str
    value: float
    limit: float
    unit: str
    kind: str = TIME
    op: str = "<="

    @property
    def met(self) -> bool:
        return _COMPARE[self.op](self.value, self.limit)

    def enforced(self, no_targets: bool) -> bool:
        return self.kind == COUNT or not no_targets


class Report:
    """Metrics and targets of one benchmark run, printed as a table or one JSON object."""

    def __init__(self, name: str, args: argparse.Namespace) -> None:
        self.name = name
        self.args = args
        self.params: dict[str, Any] = {"quick": bool(args.quick)}
        self.metrics: dict[str, Any] = {}
        self.targets: list[Target] = []
        self._started = time.perf_counter()

    def metric(self, key: str, value: Any) -> None:
        """Record one measured value (a number, a dict of numbers, or a list)."""
        self.metrics[key] = value

    def target(self, name: str, value: float, limit: float, unit: str, *,
               kind: str = TIME, op: str = "<=") -> None:
        """State a target; it is checked in :meth:`finish`."""
        if op not in _COMPARE:
            raise ValueError(f"unknown comparison {op!r}")
        self.targets.append(Target(name, value, limit, unit, kind, op))

    def ok(self) -> bool:
        """Whether every enforced target is met."""
        return all(t.met for t in self.targets if t.enforced(self.args.no_targets))

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed with ``--json``."""
        return {
            "benchmark": self.name,
            "params": self.params,
            "metrics": self.metrics,
            "targets": [
                {**dataclasses.asdict(t), "met": t.met,
                 "enforced": t.enforced(self.args.no_targets)}
                for t in self.targets
            ],
            "ok": self.ok(),
            "wall_s": round(time.perf_counter() - self._started, 2),
        }

    def finish(self) -> int:
        """Print the report; return the exit code (1 when an enforced target is missed)."""
        if self.args.json:
            print(json.dumps(self.to_json(), sort_keys=True))
        else:
            print(self._table())
        return 0 if self.ok() else 1

    def _table(self) -> str:
        lines = [f"== {self.name} ({'quick' if self.args.quick else 'full'}) =="]
        lines += [f"  {key:<34} {_human(value)}" for key, value in self.params.items()
                  if key != "quick"]
        for key, value in self.metrics.items():
            lines.append(f"  {key:<34} {_human(value)}")
        if self.targets:
            lines.append("  targets:")
        width = max((len(t.name) for t in self.targets), default=0)
        for t in self.targets:
            verdict = "ok" if t.met else "MISSED"
            if not t.enforced(self.args.no_targets):
                verdict += " (not enforced)"
            lines.append(f"    {t.name:<{width}} {_number(t.value):>8} {t.op} "
                         f"{_number(t.limit):<8} {t.unit:<8} {verdict}")
        lines.append(f"  result: {'PASS' if self.ok() else 'FAIL'}")
        return "\n".join(lines)


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(int(value))


def _human(value: Any) -> str:
    if isinstance(value, dict):
        return "  ".join(f"{k}={_number(v) if isinstance(v, int | float) else v}"
                         for k, v in value.items())
    if isinstance(value, list):
        return f"[{len(value)} items]"
    if isinstance(value, int | float):
        return _number(value)
    return str(value)
