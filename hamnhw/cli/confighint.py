"""``--config PATH`` in every command hamnhw suggests, when the invocation was given one.

Stop reasons, remedies and refusals name commands bare (``hamnhw failover resume``,
``hamnhw power off standby``); the command printing them adds the ``--config`` it was given
(:func:`with_config`), so that each works in the shell it was printed in: the failover
reports (:mod:`hamnhw.cli.commands.failover.hints`) and every error message
(:meth:`hamnhw.cli.output.Output.error`).
"""

from __future__ import annotations

import re
import shlex

import click

COMMANDS = re.compile(r"(?<!by `)\bhamnhw (?:--json )?"
                      r"(?:failover (?:start|resume|abort|status|log)|drill(?: resume)?|"
                      r"pair (?:setup-raid|snapshot|check|status)|"
                      r"power (?:on|off|soft-off|cycle|reset|status)|"
                      r"raid (?:rebuild|show|spare)|sim (?:bays|move|pull|insert|fail|"
                      r"cords (?:pull|plug)))"
                      r"(?![\w-])(?! --config\b)")
"""The commands a hint may name that take ``--config`` (the pair's, the power and RAID
commands naming a pair node, the simulator's control commands), not followed by one
already.  One quoted after "by" is what someone ran (``powered on by `hamnhw power on
primary --yes` at ...``: a power-guard override), not a suggestion: it is left as it was
recorded."""


def config_option(path: str | None) -> str:
    """`` --config PATH`` (shell-quoted), or "" without a path."""
    return f" --config {shlex.quote(path)}" if path else ""


def config_words(ctx: click.Context) -> str:
    """`` --config PATH`` (shell-quoted) when this invocation was given one, else ""."""
    while ctx is not None:
        path = ctx.params.get("config_path") or ctx.params.get("config")
        if isinstance(path, str) and path:
            return config_option(path)
        ctx = ctx.parent  # type: ignore[assignment]
    return ""


def with_config(ctx: click.Context, text: str) -> str:
    """``text`` with ``--config PATH`` after every pair command it names."""
    words = config_words(ctx)
    return COMMANDS.sub(lambda found: found.group(0) + words, text) if words else text
