"""The command table serves ``--help`` without importing command modules, and says true."""

from __future__ import annotations

import subprocess
import sys

import click

from hamnhw.cli import main as cli_main
from hamnhw.cli.table import COMMANDS


def test_every_row_names_a_module_whose_command_has_that_name_and_summary() -> None:
    ctx = cli_main.cli.make_context("hamnhw", ["--help"], resilient_parsing=True)
    for info in COMMANDS:
        command = cli_main.cli.get_command(ctx, info.name)
        assert isinstance(command, click.Command), info.name
        assert command.name == info.name
        first_line = (command.help or "").strip().splitlines()[0]
        assert first_line.rstrip(".") == info.summary.rstrip("."), info.name


def test_help_lists_every_command_and_imports_no_command_module() -> None:
    code = ("import sys\nfrom hamnhw.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "loaded = [m for m in sys.modules if m.startswith('hamnhw.cli.commands.')"
            " or m.startswith('hamnhw.sim')]\nprint('LOADED', loaded)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "LOADED []" in out
    for info in COMMANDS:
        assert info.name in out and info.summary[:30] in out
