"""Copy-pasteable hints: each command the failover output suggests carries the options of
this invocation that matter to it.

The coordinator words and journals its stop reasons, what a stop needs, its warnings, checks
and remedies with bare commands (``hamnhw failover resume --disks-moved``, ``hamnhw power
off standby``); the command printing them adds ``--config PATH`` when it was given one (as
``hamnhw sim move`` prints ``next: ... --config pair.toml``), so that each works in the shell
it was printed in: :func:`copy_pasteable` for a report, :func:`with_config` for a text (the
operator's narration: the plan, the work order).  A command run again as it was (``start``
confirming the active node) also keeps ``--yes``, ``--dry-run`` and ``--accept-degraded``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from hamnhw.cli.confighint import config_words, with_config

if TYPE_CHECKING:
    from hamnhw.failover.report import RunReport

AGAIN_FLAGS = ("yes", "dry_run", "accept_degraded")
"""The flags of ``failover start`` and ``drill`` kept when the same command is run again."""


def copy_pasteable(ctx: click.Context, report: RunReport) -> None:
    """Every command ``report`` suggests, with ``--config PATH`` when this invocation was
    given one: in its stop reason, what goes on with it (``needs``, the work order's
    ``resume``), its warnings and checks, what to fix of a BMC that did not give its power,
    and its error."""
    if not config_words(ctx):
        return

    def fix(text: Any) -> Any:
        return with_config(ctx, text) if isinstance(text, str) else text

    report.stop_reason = fix(report.stop_reason)
    report.needs = _deep(ctx, report.needs)
    report.work_order = _deep(ctx, report.work_order)
    report.warnings = [fix(w) for w in report.warnings]
    report.checks = [{**c, "detail": fix(c["detail"])} if "detail" in c else c
                     for c in report.checks]
    report.power_answers = {n: {**a, "fix": fix(a.get("fix"))}
                            for n, a in report.power_answers.items()}
    if report.error is not None:
        report.error = {**report.error, "message": fix(report.error.get("message"))}


def _deep(ctx: click.Context, value: Any) -> Any:
    """``value`` (a JSON value) with :func:`with_config` applied to every string in it."""
    if isinstance(value, str):
        return with_config(ctx, value)
    if isinstance(value, list):
        return [_deep(ctx, item) for item in value]
    if isinstance(value, dict):
        return {key: _deep(ctx, item) for key, item in value.items()}
    return value


def needs_with_config(ctx: click.Context,
                      needs: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A report's ``needs`` with the command(s) in it carrying ``--config``."""
    return None if needs is None else _deep(ctx, dict(needs))


def again(ctx: click.Context, *extra: str) -> str:
    """This command as it was given (its flags that matter, ``--config``), then ``extra``
    words (shell-quoted): ``hamnhw failover start --yes --config pair.toml --acknowledge
    'primary is the active MN'``."""
    flags = "".join(f" --{name.replace('_', '-')}" for name in AGAIN_FLAGS
                    if ctx.params.get(name))
    tail = "".join(f" {shlex.quote(word)}" for word in extra)
    return f"{ctx.command_path}{flags}{config_words(ctx)}{tail}"
