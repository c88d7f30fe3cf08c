"""What the failover and drill commands share: the operator, progress, signals, exit codes.

Progress is the CLI's (:func:`hamnhw.cli.progress.reporter_for`: a live line on a terminal,
INFO lines otherwise, nothing with ``--json``); SIGINT and SIGTERM raise
:class:`~hamnhw.errors.Interrupted` through :func:`hamnhw.interrupts.interruptible`, which the
coordinator journals as "interrupted" (its journal writes are held to the end of a write),
leaving the run resumable; the command exits 130 or 143.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from hamnhw import interrupts, progress
from hamnhw.cli.commands.failover.hints import again, copy_pasteable
from hamnhw.cli.confighint import with_config
from hamnhw.cli.exit_codes import ExitCode, exit_code_for
from hamnhw.cli.options import failures_reported, output_of
from hamnhw.cli.output import dumps, error_payload
from hamnhw.cli.progress import LastUpdate, reporter_for
from hamnhw.cli.resolve import tty_prompt
from hamnhw.failover.active import ActiveNodeUnknown
from hamnhw.failover.operator import Operator, ScriptedOperator, TtyOperator
from hamnhw.failover.report import RunReport

acknowledge_option = click.option(
    "--acknowledge", "acknowledgements", multiple=True, metavar="PHRASE",
    help="Type the acknowledgement the last stop asked for, exactly (it answers that "
         "situation only): 'primary power cords pulled', 'resend reset to standby', "
         "'standby is the active MN'...")
disk_serial_option = click.option(
    "--disk-serial", "disk_serials", multiple=True, metavar="SERIAL",
    help="A serial printed on a moved disk's label (repeat for each disk), when the last stop "
         "asked for them (a BMC without POST evidence, an IPMI-only pair).")
accept_degraded_option = click.option(
    "--accept-degraded", is_flag=True,
    help="Go on when only part of the MN mirror arrived in the target.")

EXIT_BY_OUTCOME = {"done": ExitCode.OK, "dry-run": ExitCode.OK, "aborted": ExitCode.OK,
                   "waiting": ExitCode.WAITING_FOR_OPERATOR}
"""Exit code of a report's outcome; anything else (stopped, refused) is 1, interrupted is
130/143."""


def make_operator(ctx: click.Context, *, disks_moved: bool = False,
                  acknowledgements: Sequence[str] = (),
                  disk_serials: Sequence[str] = ()) -> Operator:
    """A terminal operator on a TTY, else one answering from the options only."""
    quiet = output_of(ctx).json

    def say(text: str) -> None:
        if not quiet:
            click.echo(with_config(ctx, text), err=True)

    if sys.stdin.isatty():
        return TtyOperator(say=say, disks_moved=disks_moved, acknowledgements=acknowledgements,
                           disk_serials=disk_serials)
    return ScriptedOperator(disks_moved=disks_moved, acknowledgements=acknowledgements,
                            disk_serials=disk_serials, say=say)


@contextlib.contextmanager
def coordinating(ctx: click.Context) -> Iterator[LastUpdate]:
    """Around a coordinator call: waits reported as every command reports them, and
    SIGINT/SIGTERM raised as :class:`~hamnhw.errors.Interrupted`."""
    reporter = reporter_for(output_of(ctx).json)
    try:
        with interrupts.interruptible(), progress.reporting(reporter):
            yield reporter
    except ActiveNodeUnknown as exc:
        if exc.needs is None and not exc.choices:
            raise
        reporter.close()
        confirmation_needed(ctx, exc)
    finally:
        reporter.close()


def confirmation_needed(ctx: click.Context, exc: ActiveNodeUnknown) -> None:
    """Nothing started: the operator must confirm which node is the active MN (or name it,
    :attr:`~hamnhw.failover.active.ActiveNodeUnknown.choices`).  An error object with what it
    needs (``needs``, as a stop gives it; ``command``: this command again with the phrase),
    exit 10: waiting for you."""
    code = ExitCode.WAITING_FOR_OPERATOR
    phrases = (exc.needs.phrase,) if exc.needs is not None else exc.choices
    commands = [again(ctx, "--acknowledge", phrase) for phrase in phrases]
    needs: dict[str, Any] = (dataclasses.asdict(exc.needs) if exc.needs is not None else
                             {"kind": "active_node", "phrase": "", "choices": list(phrases),
                              "reason": str(exc), "situation": "active_node"})
    ways = commands if exc.needs is not None else [
        *commands, f"set [pair] active in the config to the node that holds the MN drives, "
                   f"then `{again(ctx)}`"]
    needs["command"] = " or: ".join(ways)
    needs["commands"] = commands
    out = output_of(ctx)
    if out.json:
        payload = error_payload("pair", exc, code)
        payload["needs"] = needs
        click.echo(dumps(payload))
    else:
        click.echo(f"hamnhw: pair: {exc}\nto go on: " + "\n      or: ".join(ways), err=True)
    ctx.exit(int(code))


def run_coordinator(ctx: click.Context, action: Callable[[], RunReport | None]) -> None:
    """Run ``action`` with progress and signal handling; print the report; exit by outcome."""
    with failures_reported(ctx, "pair"), coordinating(ctx):
        report = action()
    emit(ctx, report)


def emit(ctx: click.Context, report: RunReport | None) -> None:
    """Print a report and exit with its outcome's code."""
    out = output_of(ctx)
    if report is None:
        out.result({"node": "pair", "run": None}, lambda _p: "no failover run recorded yet")
        return
    copy_pasteable(ctx, report)
    out.result({"node": "pair", **report.to_json()}, lambda _p: report.text())
    code = EXIT_BY_OUTCOME.get(report.outcome, ExitCode.FAILED)
    if report.exception is not None and report.outcome != "done":
        code = exit_code_for(report.exception)
    if code:
        ctx.exit(int(code))


def prompt() -> Callable[[str], str] | None:
    """A hidden password prompt on a TTY."""
    return tty_prompt()
