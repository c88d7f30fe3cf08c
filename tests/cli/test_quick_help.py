"""``hamnhw --help`` is answered from the stored text, which is exactly what Click prints;
every other command line still goes to Click."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from ptyrun import run_on_pty

from hamnhw.cli import entry
from hamnhw.cli.helptext import TEXT

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import atexit, sys
def loaded():
    heavy = sorted(m for m in sys.modules if m.split('.')[0] == 'click'
                   or m in ('logging', 'shutil', 'hamnhw.cli.main', 'hamnhw.cli.table'))
    sys.stderr.write('LOADED %r\\n' % heavy)
atexit.register(loaded)
from hamnhw.cli.entry import main
main(sys.argv[1:])
"""


def run_entry(*args: str, columns: str | None = "80") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, env=env, check=False)


def click_help(columns: str) -> str:
    code = "from hamnhw.cli.main import main; main(['--help'])"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": columns}, check=True).stdout


def test_stored_text_is_what_click_prints_at_80_columns() -> None:
    assert entry.render_help() == TEXT, (
        "hamnhw/cli/helptext.py is stale: run `python -m hamnhw.cli.entry` to write it again")
    assert TEXT.startswith("Usage: hamnhw [OPTIONS] COMMAND [ARGS]...\n")


@pytest.mark.parametrize("flag", ["--help", "-h"])
@pytest.mark.parametrize("columns", ["80", "200", None])  # None: no terminal, Click's 80
def test_help_alone_prints_the_stored_text_without_click(flag: str, columns: str | None
                                                          ) -> None:
    done = run_entry(flag, columns=columns)
    assert done.returncode == 0
    assert done.stdout == TEXT
    assert "LOADED []" in done.stderr


@pytest.mark.parametrize("columns", ["120", "200"])
def test_click_wraps_wider_terminals_as_the_stored_text(columns: str) -> None:
    """The stored text serves every width from 80 up: Click's help is capped at 80."""
    assert click_help(columns) == TEXT


@pytest.mark.parametrize("columns", ["60", "79"])
def test_a_narrow_terminal_gets_clicks_own_wrapping(columns: str) -> None:
    done = run_entry("--help", columns=columns)
    assert done.returncode == 0
    assert done.stdout == click_help(columns) != TEXT
    assert "'click'" in done.stderr


@pytest.mark.parametrize("columns", [79, 80, 132])
def test_on_a_real_terminal_its_width_decides(columns: int) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    code, shown, _ = run_on_pty([sys.executable, "-c", PROBE, "--help"], env, columns=columns)
    printed, _, loaded = shown.replace("\r\n", "\n").rpartition("LOADED ")
    assert code == 0
    assert printed == click_help(str(columns))
    assert loaded.startswith("[]") is (columns >= 80), loaded


def test_with_standard_output_closed_it_exits_0_quietly() -> None:
    done = subprocess.run(["sh", "-c", 'exec "$0" -c "$1" --help >&-', sys.executable, PROBE],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "LOADED []" in done.stderr and "Traceback" not in done.stderr


def test_a_reader_gone_is_exit_1_without_a_traceback() -> None:
    """As Click: a broken pipe (``hamnhw --help | true``) is exit 1 and no noise."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: the first write fails with EPIPE
    try:
        done = subprocess.run([sys.executable, "-c", PROBE, "--help"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, check=False)
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert "LOADED []" in done.stderr and "Traceback" not in done.stderr
    assert "Broken pipe" not in done.stderr and "BrokenPipe" not in done.stderr


@pytest.mark.parametrize("args", [["--help", "--json"], ["power", "--help"], ["--version"]])
def test_anything_more_goes_to_click(args: list[str]) -> None:
    done = run_entry(*args)
    assert done.returncode == 0, done.stderr
    assert "'click'" in done.stderr
    assert done.stdout != TEXT or args == ["--help", "--json"]


def test_a_bad_command_line_is_still_clicks_usage_error() -> None:
    done = run_entry("--no-such-option")
    assert done.returncode == 2
    assert "No such option" in done.stderr


def test_the_console_script_is_this_entry_point() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["hamnhw"] == "hamnhw.cli.entry:main"


@pytest.mark.parametrize(("value", "expected"), [("120", 120), ("0", 80), ("wide", 80),
                                                 ("-5", 80)])
def test_columns_as_click_finds_them(monkeypatch: pytest.MonkeyPatch, value: str,
                                     expected: int) -> None:
    monkeypatch.setenv("COLUMNS", value)
    monkeypatch.setattr(os, "get_terminal_size", _no_terminal)
    assert entry.terminal_columns() == expected


def test_columns_from_the_terminal_when_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", lambda _fd: os.terminal_size((72, 24)))
    assert entry.terminal_columns() == 72


def _no_terminal(_fd: int) -> os.terminal_size:
    raise OSError("not a terminal")
