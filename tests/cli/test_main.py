"""The ``hamnhw`` group itself: lazy built-in commands and the JSON usage-error path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run

from hamnhw.cli import main as cli_main
from hamnhw.cli.table import CommandInfo


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the console-script function and return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        cli_main.main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


@pytest.mark.parametrize("global_args", [
    ["--log-level", "debug", "--json"],
    ["--json", "--log-level", "debug"],
    ["--log-level=info", "--json"],
    ["--log-level", "ERROR", "--json"],
])
def test_json_usage_error_after_a_global_option_value(
        capsys: pytest.CaptureFixture[str], global_args: list[str]) -> None:
    code, out, err = run_main(capsys, *global_args, "power", "status")
    assert code == 2
    payload = json.loads(out)
    assert payload["error"]["type"] == "MissingParameter"
    assert payload["error"]["exit_code"] == 2
    assert "Usage:" not in err


@pytest.mark.parametrize(("args", "expected"), [
    (["--log-level", "debug", "--json", "power"], True),
    (["--log-level", "debug", "power", "--json"], True),   # after the command too
    (["power", "status", "--json", "redfish://h"], True),
    (["--", "--json"], False),
    (["--log-level"], False),
    (["--json"], True),
])
def test_json_requested_before_or_after_the_command(args: list[str], expected: bool) -> None:
    assert cli_main._json_requested(args) is expected


@pytest.fixture
def broken_power_module(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The built-in ``power`` command points at a module whose import fails."""
    (tmp_path / "hamnhw_broken_cmd.py").write_text("import hamnhw_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli_main.cli.lazy_commands, "power",
                        CommandInfo("power", "hamnhw_broken_cmd", "x"))
    return "hamnhw_broken_cmd"


def test_broken_builtin_command_module_raises(broken_power_module: str) -> None:
    with pytest.raises(ImportError, match="built-in command 'power'") as info:
        run("power", "status", "redfish://h")
    assert broken_power_module in str(info.value)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


def test_builtin_module_without_command_raises(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    (tmp_path / "hamnhw_commandless.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli_main.cli.lazy_commands, "power",
                        CommandInfo("power", "hamnhw_commandless", "x"))
    with pytest.raises(TypeError, match="no Click object named 'command'"):
        run("power", "status", "redfish://h")
