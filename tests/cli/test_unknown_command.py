"""An unknown subcommand says where to go: a top-level command typed under a group
(``hamnhw failover drill``) points at it, a typo in a lazy group gets its close names (Click
offers them only among loaded commands, and a lazy group has none loaded)."""

from __future__ import annotations

import json

import pytest
from test_cli_errors import run_main


def test_failover_drill_points_at_hamnhw_drill(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "failover", "drill")
    assert code == 2 and out == ""
    assert "No such command 'drill'." in err
    assert "run 'hamnhw drill' (see 'hamnhw drill --help')" in err


def test_the_hint_is_in_the_json_error_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "--json", "pair", "lint-os")
    error = json.loads(out)["error"]
    assert code == 2 and error["type"] == "NoSuchCommand"
    assert "'lint-os' is a command of its own, not one of 'hamnhw pair'" in error["message"]
    assert "run 'hamnhw lint-os'" in error["message"]


@pytest.mark.parametrize(("args", "expected"), [
    (("fialover",), "Did you mean 'failover'?"),           # the top-level table
    (("failover", "strat"), "Did you mean 'start' or 'status'?"),  # a lazy subgroup
    (("raid", "shwo"), "Did you mean 'show'?"),           # a plain group: Click's own, once
])
def test_a_typo_gets_the_close_names_once(capsys: pytest.CaptureFixture[str],
                                          args: tuple[str, ...], expected: str) -> None:
    code, _, err = run_main(capsys, *args)
    assert code == 2 and err.count("Did you mean") == 1 and expected in err, err


def test_nothing_close_adds_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "failover", "zzz")
    assert code == 2 and err.rstrip().endswith("Error: No such command 'zzz'.")
