"""Run the real ``hamnhw`` CLI in-process and read its JSON."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from hamnhw.cli.main import cli

FLEET_PASSWORD = "s3cr3t-fleet-pw-7c"
"""The BMC password of the ``fleet_cluster`` fixture's servers."""
FLEET_NAMES = ("node001", "node002", "node003", "primary")
"""Its servers."""


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """Run ``hamnhw ARGS`` in-process with separate stdout and stderr."""
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def json_out(result: Result) -> dict[str, Any]:
    """The single JSON object on stdout."""
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def json_lines(output: str) -> list[dict[str, Any]]:
    """Every JSON line of ``output`` (a fan-out's node lines, then its summary)."""
    return [json.loads(line) for line in output.strip().splitlines()]
