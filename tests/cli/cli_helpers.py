"""Run the real ``hamnhw`` CLI in-process and read its JSON."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
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


@contextlib.contextmanager
def hamnhw_process(*args: str) -> Iterator[subprocess.Popen[str]]:
    """``hamnhw ARGS`` in a process of its own (text pipes, the test environment), killed
    if it still runs when the block ends."""
    from ptyrun import clean_env

    proc = subprocess.Popen([sys.executable, "-m", "hamnhw.cli.main", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=clean_env())
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def sigint_after_first_line(*args: str) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """Run ``hamnhw --json ARGS`` (:func:`hamnhw_process`) and send it SIGINT once its first
    JSON line is out: that line, the lines after it and the exit code (a 25 s guard: a
    BMC's read timeout is 30 s, so a command waiting for a hung BMC fails it)."""
    with hamnhw_process("--json", *args) as proc:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=25)
    return first, json_lines(rest) if rest.strip() else [], proc.returncode
