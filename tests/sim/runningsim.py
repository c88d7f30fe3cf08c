"""``hamnhw sim --pair`` in a subprocess, as a user starts it, and ``hamnhw`` commands run
against the config it wrote (the ``hamnhw sim`` subcommands in-process, the others in a
subprocess of their own)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from hamnhw.cli.main import cli

LAUNCH = "from hamnhw.cli.commands.sim import command; command(prog_name='hamnhw sim')"


class RunningSim:
    """``hamnhw sim --pair --tls --config-out pair.toml`` in a subprocess, and ``hamnhw
    --json ... --config pair.toml`` run against it as a user would."""

    def __init__(self, tmp: Path) -> None:
        self.config = tmp / "pair.toml"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "--pair", "--tls", "--power-delay", "0.1",
             "--config-out", str(self.config)], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        lines = [self.proc.stdout.readline().strip() for _ in range(5)]  # type: ignore[union-attr]
        assert all(lines), self.proc.stderr.read()  # type: ignore[union-attr]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("HAMNHW_")}

    def run(self, *args: str) -> tuple[int, dict[str, Any]]:
        if args[0] == "sim":  # in-process: no interpreter to start for a bay move
            result = CliRunner().invoke(cli, ["--json", *args, "--config", str(self.config)],
                                        catch_exceptions=False)
            return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])
        done = self.text("--json", *args)
        lines = done.stdout.strip().splitlines()
        return done.returncode, (json.loads(lines[-1]) if lines else {"stderr": done.stderr})

    def text(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``hamnhw ARGS --config pair.toml`` in a subprocess, its output as printed."""
        return subprocess.run([sys.executable, "-m", "hamnhw.cli.main", *args, "--config",
                               str(self.config)], capture_output=True, text=True, timeout=120,
                              env=self.env, stdin=subprocess.DEVNULL, check=False)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def placed(sim: RunningSim) -> dict[str, dict[str, str]]:
    """Which serial sits in which bay of each node (``hamnhw sim bays``)."""
    code, view = sim.run("sim", "bays")
    assert code == 0, view
    return dict(view["servers"])
