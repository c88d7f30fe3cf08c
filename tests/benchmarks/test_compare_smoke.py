"""Smoke run of ``make bench-compare`` with two BMCs, the clients installed in the test venv
(the lean floor and hamnhw's rows): every answer right, no session left, hamnhw's request
counts on the benchmark tree, the server warmed before the rows (none builds a plain answer)
or not (``--cold``), and no module imported by a run rather than before it (deterministic:
no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hamnhw.transport.gate import MAX_IN_FLIGHT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

COMPARE = Path(__file__).resolve().parents[2] / "benchmarks" / "compare" / "compare.py"
MOCKUP = next((folder / "shared/mockups/public-localstorage"
               for folder in COMPARE.parents[2].parents
               if (folder / "shared/mockups/public-localstorage/index.json").is_file()), COMPARE)
"""As ``benchmarks/compare/tree.py`` finds it: in the nearest ``shared`` above the work tree."""
ROWS = ("http.client", "hamnhw", "hamnhw $expand=1", "hamnhw $expand", "hamnhw fan-out",
        "hamnhw remembered", "hamnhw CLI $expand")
MOST_REQUESTS = {"http.client": 17, "hamnhw": 21, "hamnhw $expand=1": 10, "hamnhw $expand": 7,
                 "hamnhw fan-out": 21, "hamnhw remembered": 20, "hamnhw CLI $expand": 13}
"""Per BMC: the floor's walk; hamnhw's is the floor + ServiceRoot + Manager (detection) + the
system's chassis (it could hold adapters) and, plain, its ``Drives`` list (it could list drives
no Storage does): docs/performance.md, "Why the rest is not met"; no Chassis collection (the
system links its chassis).  Detection remembered (``HAMNHW_DETECT_CACHE``) saves the Manager;
the CLI runs two commands over a nodes file (``inventory`` then ``nics``), each reading the
BMC expanded."""
SESSIONS = {"hamnhw CLI $expand": 2}
"""Sessions per BMC where not one: one per command."""
EXPAND_ROWS = {"hamnhw $expand=1", "hamnhw $expand", "hamnhw CLI $expand"}
"""The rows over BMCs advertising ``$expand``; the others read the plain ones."""


def compare(*args: str) -> dict[str, Any]:
    """``compare.py ARGS --no-startup --json``, which must succeed, as its JSON."""
    done = subprocess.run([sys.executable, str(COMPARE), *args, "--no-startup", "--json"],
                          capture_output=True, text=True, timeout=200, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.skipif(not (MOCKUP / "index.json").is_file(), reason="no DMTF mockup in ../shared")
def test_every_answer_is_right_and_hamnhw_sends_what_it_should() -> None:
    doc = compare("--scenario", "https,0,2,2", "--clients", ",".join(ROWS))
    assert doc["warm"] is True
    [scenario] = doc["scenarios"]
    rows = {row["client"]: row for row in scenario["rows"]}
    assert set(rows) == set(ROWS)
    for name, row in rows.items():
        assert row["correct"] == row["bmcs"] == 2, (name, row.get("wrong"))
        sessions = SESSIONS.get(name, 1)
        assert row["sessions_left"] == 0 and row["sessions_per_bmc"] == sessions, name
        # Reads of one BMC side by side: a few keep-alive connections per session at most.
        most = 1 if name == "http.client" else MAX_IN_FLIGHT
        assert 1 <= row["connections_per_bmc"] / sessions <= most, name
        assert row["requests_per_bmc"] <= MOST_REQUESTS[name], (name, row["requests_per_bmc"])
        assert row["basic_auth"] == 0, name
        # Warmed: every plain answer built ahead; an expanded one at most once per BMC (hamnhw
        # reads the Manager alone or within the Managers collection as quickly as it answers).
        assert row["built_per_bmc"] <= (1 if name in EXPAND_ROWS else 0), name
        assert row["late_imports"] == [], name


@pytest.mark.skipif(not (MOCKUP / "index.json").is_file(), reason="no DMTF mockup in ../shared")
def test_cold_server_builds_answers_for_the_first_reader_only() -> None:
    doc = compare("--scenario", "https,0,1,1", "--cold", "--clients",
                  "http.client,hamnhw,hamnhw $expand")
    assert doc["warm"] is False
    floor, hamnhw, expanded = doc["scenarios"][0]["rows"]
    assert all(row["correct"] == 1 for row in (floor, hamnhw, expanded))
    # The floor reads each resource once after its login: every GET builds an answer.
    assert floor["built_per_bmc"] == floor["requests_per_bmc"] - 2
    # hamnhw reads the same plain BMC after it: only what the floor did not read is built.
    assert 0 < hamnhw["built_per_bmc"] < hamnhw["requests_per_bmc"] - 2
    assert expanded["built_per_bmc"] > 0
