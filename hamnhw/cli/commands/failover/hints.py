"""Copy-pasteable "to go on" hints: each command a hint names carries the options of this
invocation that matter to it.

The coordinator journals what a stop needs with bare commands (``hamnhw failover resume
--disks-moved``); the command printing it adds ``--config PATH`` when it was given one (as
``hamnhw sim move`` prints ``next: ... --config pair.toml``), so the hint works in the shell
it was printed in.  A command run again as it was (``start`` confirming the active node) also
keeps ``--yes``, ``--dry-run`` and ``--accept-degraded``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

import click

COMMANDS = re.compile(r"\bhamnhw (?:failover (?:start|resume|abort)|drill(?: resume)?|"
                      r"pair setup-raid)(?![\w-])")
"""The commands a hint may name (the pair's: they all take ``--config``)."""

AGAIN_FLAGS = ("yes", "dry_run", "accept_degraded")
"""The flags of ``failover start`` and ``drill`` kept when the same command is run again."""


def config_option(path: str | None) -> str:
    """`` --config PATH`` (shell-quoted), or "" without a path."""
    return f" --config {shlex.quote(path)}" if path else ""


def config_words(ctx: click.Context) -> str:
    """`` --config PATH`` (shell-quoted) when this invocation was given one, else ""."""
    while ctx is not None:
        path = ctx.params.get("config_path")
        if path:
            return config_option(path)
        ctx = ctx.parent  # type: ignore[assignment]
    return ""


def with_config(ctx: click.Context, text: str) -> str:
    """``text`` with ``--config PATH`` after every pair command it names."""
    words = config_words(ctx)
    return COMMANDS.sub(lambda found: found.group(0) + words, text) if words else text


def needs_with_config(ctx: click.Context,
                      needs: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A report's ``needs`` with its ``resume`` command(s) carrying ``--config``."""
    if not needs:
        return None if needs is None else dict(needs)
    resume = needs.get("resume")
    return {**needs, "resume": with_config(ctx, resume) if isinstance(resume, str) else resume}


def again(ctx: click.Context, *extra: str) -> str:
    """This command as it was given (its flags that matter, ``--config``), then ``extra``
    words (shell-quoted): ``hamnhw failover start --yes --config pair.toml --acknowledge
    'primary is the active MN'``."""
    flags = "".join(f" --{name.replace('_', '-')}" for name in AGAIN_FLAGS
                    if ctx.params.get(name))
    tail = "".join(f" {shlex.quote(word)}" for word in extra)
    return f"{ctx.command_path}{flags}{config_words(ctx)}{tail}"
