"""What the failover and drill commands share: the operator, progress, SIGTERM, exit codes."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from hamnhw import progress
from hamnhw.cli.exit_codes import ExitCode, exit_code_for
from hamnhw.cli.options import fail, output_of, tty_prompt
from hamnhw.failover.engine import Interrupted
from hamnhw.failover.operator import Operator, ScriptedOperator, TtyOperator
from hamnhw.failover.report import RunReport

acknowledge_option = click.option(
    "--acknowledge", "acknowledgements", multiple=True, metavar="PHRASE",
    help="Type an acknowledgement the run asked for, exactly (repeatable): "
         "'primary power cords pulled', a drive serial, 'standby is the active MN'...")
accept_degraded_option = click.option(
    "--accept-degraded", is_flag=True,
    help="Go on when only part of the MN mirror arrived in the target.")

EXIT_BY_OUTCOME = {"done": ExitCode.OK, "dry-run": ExitCode.OK, "aborted": ExitCode.OK,
                   "waiting": ExitCode.WAITING_FOR_OPERATOR}
"""Exit code of a report's outcome; anything else (stopped, refused, interrupted) is 1."""


class WaitPrinter:
    """Progress of waits on stderr: one line per state change, with elapsed and budget."""

    def __init__(self) -> None:
        self._last: dict[str, str] = {}

    def update(self, update: progress.WaitUpdate) -> None:
        if self._last.get(update.what) != update.state:
            self._last[update.what] = update.state
            budget = "" if update.budget_s is None else f"/{update.budget_s:.0f}"
            click.echo(f"    waiting: {update.what}: {update.state} "
                       f"({update.elapsed_s:.1f}{budget} s)", err=True)

    def finish(self, update: progress.WaitUpdate, ok: bool) -> None:
        self._last.pop(update.what, None)


def make_operator(ctx: click.Context, *, disks_moved: bool = False,
                  acknowledgements: Sequence[str] = ()) -> Operator:
    """A terminal operator on a TTY, else one answering from the options only."""
    quiet = output_of(ctx).json

    def say(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    if sys.stdin.isatty():
        return TtyOperator(say=say, disks_moved=disks_moved, acknowledgements=acknowledgements)
    return ScriptedOperator(disks_moved=disks_moved, acknowledgements=acknowledgements, say=say)


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises :class:`Interrupted` in the coordinator (journaled, resumable)."""
    def handler(_signum: int, _frame: Any) -> None:
        raise Interrupted()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def coordinating(ctx: click.Context) -> Iterator[None]:
    """Around a coordinator call: waits reported on stderr (nothing with ``--json``) and
    SIGTERM turned into a journaled, resumable interruption."""
    reporter: progress.ProgressReporter = (progress.SilentReporter() if output_of(ctx).json
                                           else WaitPrinter())
    with sigterm_interrupts(), progress.reporting(reporter):
        yield


def run_coordinator(ctx: click.Context, action: Callable[[], RunReport | None]) -> None:
    """Run ``action`` with progress and SIGTERM handling; print the report; exit by outcome."""
    try:
        with coordinating(ctx):
            report = action()
    except Exception as exc:
        fail(ctx, "pair", exc)
        return
    emit(ctx, report)


def emit(ctx: click.Context, report: RunReport | None) -> None:
    """Print a report and exit with its outcome's code."""
    out = output_of(ctx)
    if report is None:
        out.result({"node": "pair", "run": None}, lambda _p: "no failover run recorded yet")
        return
    out.result({"node": "pair", **report.to_json()}, lambda _p: report.text())
    code = EXIT_BY_OUTCOME.get(report.outcome, ExitCode.FAILED)
    if report.exception is not None and report.outcome != "done":
        code = exit_code_for(report.exception)
    if code:
        ctx.exit(int(code))


def prompt() -> Callable[[str], str] | None:
    """A hidden password prompt on a TTY."""
    return tty_prompt()
