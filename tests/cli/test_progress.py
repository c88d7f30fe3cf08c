"""Waits on stderr: a live line and a summary on a terminal (rich, loaded only then),
nothing with --json, INFO lines otherwise."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from cli_helpers import json_out, run
from ptyrun import clean_env, hamnhw_argv, run_on_pty

from hamnhw.cli import options
from hamnhw.cli.progress import LastUpdate, LiveReporter, reporter_for, summary
from hamnhw.interfaces import PollPolicy
from hamnhw.progress import LogReporter, SilentReporter, WaitUpdate
from hamnhw.sim import ServerSpec, SimCluster, SimServer

WAIT = textwrap.dedent("""
    import sys
    from hamnhw import progress
    from hamnhw.cli.progress import reporter_for
    from hamnhw.poll import PollPolicy, poll_until

    before = "rich" in sys.modules
    states = iter(["powering_on", "powering_on", "on"])
    policy = PollPolicy(interval=0.6)
    reporter = reporter_for(json_output=False)
    with progress.reporting(reporter):
        poll_until(lambda: next(states), lambda s: s == "on", policy.deadline(30), policy,
                   what="mn1: power on")
    reporter.close()
    print(before, "rich" in sys.modules)
""")


def test_live_line_and_summary_on_a_terminal_with_rich_loaded_only_then() -> None:
    code, shown, out = run_on_pty([sys.executable, "-c", WAIT], clean_env(),
                                  stdout_on_pty=False)
    assert code == 0, shown
    assert out.split() == ["False", "True"], "rich is imported when the wait starts"
    assert "mn1: power on: powering_on" in shown
    assert "of 30 s" in shown  # the budget
    assert re.search(r"mn1: power on: on after \d+\.\d s\r?\n", shown), shown


def test_the_last_update_is_kept_for_an_interrupted_command() -> None:
    kept = LastUpdate(SilentReporter())
    assert kept.last_state is None
    kept.update(WaitUpdate("mn1: power on", "powering_on", 1.0, 30.0))
    assert kept.last_state == "powering_on"


@pytest.mark.parametrize(("json_output", "isatty", "kind"), [
    (True, True, SilentReporter), (True, False, SilentReporter),
    (False, True, LiveReporter), (False, False, LogReporter)])
def test_reporter_for(json_output: bool, isatty: bool, kind: type,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    class Stream:
        def isatty(self) -> bool:
            return isatty

    monkeypatch.delenv("TERM", raising=False)
    assert isinstance(reporter_for(json_output, Stream()).inner, kind)  # type: ignore[arg-type]


def test_dumb_terminal_gets_log_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert isinstance(reporter_for(False, sys.__stderr__).inner, LogReporter)


def test_summary_lines() -> None:
    update = WaitUpdate("mn1: power off", "powering_off", 115.0, 115.0)
    assert summary(update, False) == "mn1: power off: gave up at powering_off after 115.0 s"
    assert summary(WaitUpdate("mn1: power on", "on", 3.21, 30.0), True) == (
        "mn1: power on: on after 3.2 s")


PROBE = textwrap.dedent("""
    import sys
    from hamnhw.cli.main import main
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
    print("RICH" if "rich" in sys.modules else "NO-RICH")
""")


@pytest.mark.parametrize("args", [[], ["--help"], ["power", "on", "--help"]])
def test_rich_stays_off_the_import_and_help_paths(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.stdout.strip().splitlines()[-1] == "NO-RICH", done.stdout + done.stderr


@pytest.fixture(scope="module")
def slow() -> Iterator[SimServer]:
    spec = ServerSpec(name="slow", power="Off", power_delay=1.5)
    with SimCluster([spec]) as cluster:
        yield cluster["slow"]


@pytest.mark.e2e
def test_power_on_shows_its_wait_on_a_terminal(slow: SimServer) -> None:
    slow.set_power("Off")
    env = clean_env({"HAMNHW_USERNAME": slow.username, "HAMNHW_PASSWORD": slow.password})
    code, shown, _ = run_on_pty(hamnhw_argv("power", "on", "--timeout", "60", slow.url), env)
    assert code == 0, shown
    assert "powering_on" in shown
    # budget: --timeout minus the logout reserve and the last read
    assert "of 53 s" in shown or "of 52 s" in shown
    assert re.search(r"power on: on after \d+\.\d s", shown), shown


@pytest.mark.e2e
def test_json_on_a_terminal_shows_no_progress(slow: SimServer) -> None:
    slow.set_power("Off")
    env = clean_env({"HAMNHW_USERNAME": slow.username, "HAMNHW_PASSWORD": slow.password})
    code, shown, out = run_on_pty(hamnhw_argv("power", "on", "--json", slow.url), env,
                                  stdout_on_pty=False)
    assert code == 0, shown
    assert [line for line in shown.splitlines() if not line.startswith("WARNING")] == []
    assert '"power_state": "on"' in out


@pytest.mark.e2e
def test_reporter_chosen_per_command_output(slow: SimServer,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    slow.set_power("Off")
    reports: list[type] = []
    real = options.reporter_for

    def spy(json_output: bool) -> LastUpdate:
        chosen = real(json_output)
        reports.append(type(chosen.inner))
        return chosen

    monkeypatch.setattr(options, "reporter_for", spy)
    monkeypatch.setattr(options, "poll_policy", lambda: PollPolicy(interval=0.2))
    caplog.set_level(logging.INFO, logger="hamnhw.progress")
    result = run("power", "status", "--log-level", "info", slow.url,
                 env={"HAMNHW_USERNAME": slow.username, "HAMNHW_PASSWORD": slow.password})
    assert result.exit_code == 0, result.output
    assert reports == [LogReporter]
    json_result = run("power", "status", "--json", slow.url,
                      env={"HAMNHW_USERNAME": slow.username, "HAMNHW_PASSWORD": slow.password})
    assert json_out(json_result)["power_state"] == "off"
    assert reports == [LogReporter, SilentReporter]
