"""Where to go from an unknown subcommand: ``hamnhw failover drill`` points at ``hamnhw drill``.

Click's "No such command 'drill'." offers close names only among a group's loaded commands;
the lazy groups (:class:`~hamnhw.cli.main.LazyGroup`: the command table) load none until one
runs, so their close names come from ``list_commands`` here (the table: nothing imported).  A
top-level command given under a group (``hamnhw failover drill``, ``hamnhw pair lint-os``)
gets a pointer to it.
"""

from __future__ import annotations

import click

from hamnhw.cli.table import BY_NAME


def with_hint(exc: click.UsageError) -> click.UsageError:
    """An unknown-command error with the hint after its message (Click >= 8.4 raises
    ``NoSuchCommand``, naming the command); any other error, or one without a hint, as it
    is."""
    name = getattr(exc, "command_name", None)
    ctx = exc.ctx
    if not isinstance(name, str) or ctx is None or not isinstance(ctx.command, click.Group):
        return exc
    possibilities = getattr(exc, "possibilities", None)
    hint = unknown_command_hint(ctx, ctx.command, name, suggested=bool(possibilities))
    if hint is None:
        return exc
    return click.exceptions.NoSuchCommand(name, f"{exc.message} {hint}", possibilities, ctx)


def unknown_command_hint(ctx: click.Context, group: click.Group, name: str, *,
                         suggested: bool = False) -> str | None:
    """What to run instead of ``name``, unknown in ``group`` (run in ``ctx``); None when
    nothing comes close.

    :param suggested: Click already offers close names (the group's loaded commands).
    """
    root = ctx.find_root().info_name or "hamnhw"
    if ctx.parent is not None and name in BY_NAME:
        return (f"'{name}' is a command of its own, not one of '{ctx.command_path}': run "
                f"'{root} {name}' (see '{root} {name} --help').")
    if suggested:
        return None
    import difflib  # only for an unknown command: not on every start

    close = difflib.get_close_matches(name, group.list_commands(ctx))
    return f"Did you mean {' or '.join(repr(c) for c in close)}?" if close else None
