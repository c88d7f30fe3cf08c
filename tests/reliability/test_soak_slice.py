"""A slice of the randomized failover soak (:mod:`soak`), time-boxed for ``make test``.

Seeds from :data:`BASE_SEED` on, for :data:`BUDGET_S` seconds: failover and failback legs
against a simulated pair with random faults (latency, 5xx, 401, ignored resets, self
power-on, drive mix-ups, stale inventory), SIGKILLs of a forked coordinator at random kill
points, then resume; the invariants of :mod:`soakcheck` after each leg.  ``make soak`` runs
the long version (>= 10,000 runs).
"""

from __future__ import annotations

import time

import pytest
from soak import Totals, describe, run_seeds

pytestmark = pytest.mark.e2e

BUDGET_S = 60.0
"""Seconds of seeds (the last seed started runs to its end: the test stays under 120 s)."""
BASE_SEED = 900_001
"""Seeds of the slice (the long soak starts at 1): a fixed set, so a failure replays."""
MIN_RUNS = 6
"""A slice that ran fewer legs than this did not test anything worth the name."""


@pytest.mark.timeout(240)
def test_soak_slice_has_no_violation(capsys: pytest.CaptureFixture[str]) -> None:
    """Expected: every leg ends done or aborted with every stop one its faults explain, and
    no invariant of :mod:`soakcheck` is broken (violations 0)."""
    deadline = time.monotonic() + BUDGET_S
    seeds, legs = run_seeds(range(BASE_SEED, BASE_SEED + 100_000), deadline)
    totals = Totals()
    totals.seeds = seeds
    totals.add(leg.to_json() for leg in legs)
    with capsys.disabled():
        print(f"\nsoak slice (seeds {BASE_SEED}..{BASE_SEED + seeds - 1}):\n{totals.text()}")
    assert totals.runs >= MIN_RUNS, totals.text()
    assert totals.kills > 0 or totals.runs < 30, "no kill in a slice of this size"
    assert not totals.violations, "\n".join(describe(v) for v in totals.violations)
