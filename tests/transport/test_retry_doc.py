"""docs/retries.md states the defaults of RetryPolicy: its numbers table is checked here, so
that the documented retries cannot drift from the code, and README links to it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from hamnhw.transport.retry import RetryPolicy

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "retries.md"
ROW = re.compile(r"^\| `(\w+)` \| ([0-9.]+) \|", re.MULTILINE)
INJECTED = {"sleep", "clock", "rand"}


def test_every_retry_policy_number_is_documented_with_its_default() -> None:
    documented = {name: float(value) for name, value in ROW.findall(DOC.read_text())}
    defaults = {f.name: float(getattr(RetryPolicy(), f.name))
                for f in dataclasses.fields(RetryPolicy) if f.name not in INJECTED}
    assert documented == defaults


def test_readme_safety_section_links_the_retry_table() -> None:
    readme = (ROOT / "README.md").read_text()
    safety = readme.split("## Safety", 1)[1].split("\n## ", 1)[0]
    assert "docs/retries.md" in safety
    assert "answered 401" in safety


def test_ipmi_busy_retries_are_documented_with_their_numbers() -> None:
    from hamnhw.transport.ipmi import BUSY_RETRY

    row = next(line for line in DOC.read_text().splitlines() if line.startswith("| an IPMI"))
    cells = [c.strip() for c in row.split("|")]
    assert cells[3] == str(BUSY_RETRY.max_attempts)
    assert f"{BUSY_RETRY.base_delay:g} s" in cells[4]
    assert f"at most {BUSY_RETRY.max_delay:g} s" in cells[4]


def test_the_keep_alive_resend_is_documented_with_its_threshold() -> None:
    from hamnhw.transport.lean import FRESH_S, RESENDABLE

    row = next(line for line in DOC.read_text().splitlines()
               if "hamnhw.transport.lean.FRESH_S" in line)
    assert f"used less than {FRESH_S:g} s before" in row
    assert f"used {FRESH_S:g} s ago or more is checked" in row
    assert row.startswith("| a " + " or ".join(sorted(RESENDABLE)) + " sent")
    assert "Never POST, PATCH, PUT or DELETE" in row


def test_a_get_not_retried_after_silence_is_documented() -> None:
    from hamnhw import noanswer
    from hamnhw.transport.retry import NOT_RETRIED

    row = next(line for line in DOC.read_text().splitlines()
               if line.startswith("| a GET (every read)"))
    never = row.split("|")[5]
    assert "hamnhw.transport.retry.NOT_RETRIED" in never
    assert {noanswer.CONNECT_TIMEOUT, noanswer.HOST_UNREACHABLE} <= NOT_RETRIED
    assert "a connect's" in never and "no route to the BMC" in never
