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

BUDGET_S = 100.0
"""Seconds of seeds (the last seed started runs to its end: the test stays under 120 s)."""
BASE_SEED = 900_001
"""Seeds of the slice (the long soak starts at 1): a fixed set, so a failure replays."""
MIN_RUNS = 6
"""A slice that ran fewer legs than this did not test anything worth the name."""
KNOWN_OPEN: dict[str, str] = {
    "V1": "review of issue 7, items 1-2 (acknowledgement reused, old-node check skipped on "
          "resume): being fixed on branch fix7",
    "V2": "review of issue 7, item 3 (abort powers the old node on after the move): fix7",
    "V3": "review of issue 7, item 4 (abort's power actions not journaled): fix7",
    "V5": "review of issue 7, items 5-6 (stale POST evidence, unreadable serials): fix7",
    "OUTCOME": "review of issue 7, item 5 (a BMC without detailed POST stages: the drive list "
               "is read before POST ends, every verification stops): fix7",
    "V6": "abort --power-on-old-node of a run stopped before the fence powers the running MN "
          "off (reported to the lead by the reliability work; abort.py is fix7's)",
}
"""Violation codes of defects reported and being fixed elsewhere: while only these show,
the slice is an expected failure naming each one (run -rx to see them); any other code
fails it.  Empty this once the fixes are on main."""


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
    codes = {v.split(":", 1)[0] for leg in totals.violations for v in leg["violations"]}
    report = "\n".join(describe(v) for v in totals.violations)
    if codes and codes <= set(KNOWN_OPEN):
        pytest.xfail("known open defects: " + "; ".join(f"{c}: {KNOWN_OPEN[c]}" for c in
                                                        sorted(codes)) + "\n" + report)
    assert not totals.violations, report
