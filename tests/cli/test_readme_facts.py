"""README says true: the JSON keys it lists for ``nics --json`` and ``inventory --json`` are
the ones the CLI prints, and its suite duration is the Makefile's."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from hamnhw.cli.main import cli
from hamnhw.sim import ServerSpec, SimCluster

REPO = Path(__file__).resolve().parents[2]
README = " ".join((REPO / "README.md").read_text().split())
"""The README with its line breaks and runs of spaces as one space."""


def listed_keys(command: str) -> list[str]:
    """The keys README lists in "`COMMAND --json` prints `{...}`"."""
    found = re.search(rf"`{command} --json`\s+prints\s+`\{{([^}}]*)\}}`", README)
    assert found, f"README lists no keys for {command} --json"
    return re.findall(r'"(\w+)"', found.group(1))


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with SimCluster([ServerSpec(name="bmc", password="s3cr3t-sim-pw-r1")]) as cluster:
        yield cluster["bmc"].url


@pytest.mark.parametrize("command", ["nics", "inventory"])
def test_the_json_keys_readme_lists_are_the_ones_printed(server: str, command: str) -> None:
    env = {"HAMNHW_USERNAME": "admin", "HAMNHW_PASSWORD": "s3cr3t-sim-pw-r1"}
    result = CliRunner().invoke(cli, ["--json", command, server], env=env,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)) == listed_keys(command)


def test_readme_and_makefile_give_one_suite_duration() -> None:
    readme = re.search(r"`make test` takes about (\d+) minutes on a 2-core machine", README)
    makefile = re.search(r"takes about (\d+) min on a 2-core machine",
                         " ".join(line.lstrip("# ") for line in
                                  (REPO / "Makefile").read_text().splitlines()))
    assert readme and makefile
    assert readme.group(1) == makefile.group(1)
