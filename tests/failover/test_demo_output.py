"""``hamnhw demo`` (what ``make demo`` runs) prints what README.md shows: the drill report of
the failover leg line for line (timings and ports aside), the node each leg leaves active,
progress lines that describe the host (never a raw object repr), and work orders that do
not call a bay taken by an MN drive that has left it."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hamnhw.cli.main import cli
from hamnhw.failover.hostview import HostView
from hamnhw.models import PowerState

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


def normalized(line: str) -> str:
    """A report line without what varies between runs (seconds, loopback ports, spacing)."""
    line = re.sub(r"\d+\.\d s\b", "N s", line)
    line = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line)
    return re.sub(r"\s+", " ", line).strip()


def readme_demo_output() -> list[str]:
    """The ``text`` block README.md shows after "Its output ends like this"."""
    text = README.read_text(encoding="utf-8")
    start = text.index("```text", text.index("Its output ends like this")) + len("```text")
    return text[start:text.index("```", start)].strip("\n").splitlines()


def legs(lines: list[str]) -> dict[str, list[str]]:
    """Each ``failover run N`` block of a drill report, normalized."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line.startswith("failover run "):
            current = blocks.setdefault(line.split(":", 1)[0], [])
        elif not line.strip() or not line.startswith(" "):
            current = None
            continue
        if current is not None:
            current.append(normalized(line))
    return blocks


@pytest.mark.timeout(180)
def test_demo_prints_what_the_readme_shows(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hamnhw.progress")
    result = CliRunner().invoke(cli, ["demo", "--power-delay", "0.1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    stdout = result.stdout.splitlines()
    real = legs(stdout[stdout.index("=== drill report ==="):])
    shown = legs(readme_demo_output())
    assert set(real) == set(shown) == {"failover run 1", "failover run 2"}
    assert real["failover run 1"] == shown["failover run 1"]
    assert real["failover run 1"][-2:] == ["power: primary off, standby on",
                                           "active node: standby"]
    assert real["failover run 2"][0] == shown["failover run 2"][0]
    assert real["failover run 2"][-2:] == shown["failover run 2"][-2:] == [
        "power: primary on, standby off", "active node: primary"]
    # the failback's work order: the primary's cached drive list still shows the MN drives
    # it held at its last POST, which are in the standby now: no bay is taken
    assert ("insert them into free bays of primary (bays taken at its last POST: none)"
            in result.stdout)
    tail = [line for line in readme_demo_output()[-3:] if line]
    assert [line for line in stdout[-3:] if line] == tail
    progress = [r.getMessage() for r in caplog.records if r.name == "hamnhw.progress"]
    assert any("POST into BIOS setup: on setup" in line for line in progress), progress
    assert not [line for line in progress if re.search(r"HostView\(|<\w+\.|object at 0x", line)]


def test_a_host_view_describes_power_and_boot_stage() -> None:
    assert HostView(PowerState.ON, "setup").describe() == "on setup"
    assert HostView(PowerState.POWERING_ON, "none").describe() == "powering_on"
    assert HostView(PowerState.OFF).describe() == "off"
