"""The ``hamnhw`` command: global options and the (lazily loaded) subcommands.

``hamnhw [--json] [--log-level L] COMMAND [OPTIONS] NODE``

Each subcommand lives in ``hamnhw/cli/commands/<name>.py`` and exposes a
Click object named ``command``.  They are imported only when used.  A built-in
command module that fails to import, or exposes no ``command``, is a packaging
bug and raises: it must not pass for "No such command".

The global options ``--json`` and ``--log-level`` are also accepted after the
command (``hamnhw power status --json NODE``): every loaded command gets them.

SIGINT and SIGTERM raise :class:`~hamnhw.errors.Interrupted` wherever the command is
(:func:`hamnhw.interrupts.interruptible`); it is reported like any error and the
process exits 130 or 143.  Servers (``sim``) switch to :func:`hamnhw.interrupts.stopping`.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Any

import click

from hamnhw import __version__, interrupts
from hamnhw.cli.exit_codes import exit_code_for
from hamnhw.cli.output import Output
from hamnhw.cli.table import BY_NAME, CommandInfo
from hamnhw.cli.unknown import with_hint
from hamnhw.errors import Interrupted
from hamnhw.log import RedactingFilter, quiet_library_loggers

LOG = logging.getLogger("hamnhw.cli")

LOG_LEVELS = ("debug", "info", "warning", "error")


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use; ``--help`` lists them from
    :mod:`hamnhw.cli.table` without importing any."""

    def __init__(self, *args: Any, lazy_commands: dict[str, CommandInfo], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = [name for name in super().list_commands(ctx) if name not in self.lazy_commands]
        return list(self.lazy_commands) + eager  # the table's order (subgroups: their own)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table's summaries: nothing is imported."""
        rows = [(name, self.lazy_commands[name].summary if name in self.lazy_commands
                 else (self.commands[name].get_short_help_str(80)))
                for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        module_name = self.lazy_commands[cmd_name].module
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ImportError(f"built-in command {cmd_name!r}: module {module_name} failed to "
                              f"import: {exc}", name=module_name) from exc
        command = getattr(module, "command", None)
        if not isinstance(command, click.Command):
            raise TypeError(f"built-in command {cmd_name!r}: module {module_name} has no Click "
                            "object named 'command'")
        _accept_global_options(command)
        return command


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        output = ctx.find_object(Output)
        if output is not None:
            output.json = True


def _set_log_level(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        _configure_logging(value)


def _accept_global_options(command: click.Command) -> None:
    """Give ``command`` (and its subcommands) ``--json`` and ``--log-level`` too."""
    names = {opt for param in command.params for opt in getattr(param, "opts", ())}
    if "--json" not in names:
        command.params.append(click.Option(
            ["--json"], is_flag=True, expose_value=False, callback=_set_json,
            help="Same as hamnhw --json (accepted after the command too)."))
    if "--log-level" not in names:
        command.params.append(click.Option(
            ["--log-level"], type=click.Choice(LOG_LEVELS, case_sensitive=False),
            default=None, expose_value=False, callback=_set_log_level,
            help="Same as hamnhw --log-level."))
    for sub in getattr(command, "commands", {}).values():
        _accept_global_options(sub)


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper()),
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(getattr(logging, level.upper()))
    # Redact on the handlers too, so that no logger (ours or a library's) can print a secret;
    # the Redfish library logs session tokens at DEBUG: never let it below WARNING.
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    quiet_library_loggers()


@click.group(cls=LazyGroup, lazy_commands=BY_NAME,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--json", "json_output", is_flag=True,
              help="Print one JSON object per node on stdout (errors too).")
@click.option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False),
              default="warning", show_default=True, help="Logging on stderr.")
@click.version_option(__version__, prog_name="hamnhw")
@click.pass_context
def cli(ctx: click.Context, json_output: bool, log_level: str) -> None:
    """Drive server BMCs over Redfish: power, NICs, inventory and RAID of an HA
    management-node pair.

    NODE is a BMC URL (redfish://host, redfish+http://host:port, idrac-redfish://host ...)
    or a node name from the config file.  --json and --log-level also work after the
    command.  Exit codes: 0 ok, 1 failed, 2 usage/config, 3 BMC unreachable or TLS,
    4 authentication, 5 unhealthy, 10 waiting for an operator, 130/143 interrupted by
    SIGINT/SIGTERM (the session is logged out).
    """
    ctx.obj = Output(json=json_output)
    _configure_logging(log_level)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point.

    Usage errors exit 2 like any Click program; with ``--json`` (before or after
    the command) they are also printed as the ``{"node", "error"}`` object.  An unknown
    subcommand's message says where to go (:mod:`hamnhw.cli.unknown`).
    SIGINT or SIGTERM ends a command with 130 or 143 (a command that knows its node
    has reported it already; anything else is reported here).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with interrupts.interruptible():
            code = cli.main(args=args, prog_name="hamnhw", standalone_mode=False)
    except click.ClickException as exc:
        if isinstance(exc, click.UsageError):
            exc = with_hint(exc)
        if isinstance(exc, click.UsageError) and _json_requested(args):
            Output(json=True).error(_node_in_argv(args, exc), exc, exit_code_for(exc))
        else:
            exc.show()
        code = exc.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        code = 1
    except Interrupted as exc:
        code = exit_code_for(exc)
        Output(json=_json_requested(args)).error(None, exc, code)
    sys.exit(code if isinstance(code, int) else 0)


def _json_requested(args: Sequence[str]) -> bool:
    """True when ``--json`` is given, before or after the command (up to ``--``)."""
    for arg in args:
        if arg == "--json":
            return True
        if arg == "--":
            return False
    return False


def _global_options_with_values() -> frozenset[str]:
    """Option names of the group that take a separate value (``--log-level``)."""
    return _options_with_values(cli)


def _options_with_values(command: click.Command) -> frozenset[str]:
    """Option names of ``command`` that take a separate value."""
    return frozenset(name for param in command.params
                     if isinstance(param, click.Option) and not param.is_flag
                     and not param.count
                     for name in (*param.opts, *param.secondary_opts))


def _node_in_argv(args: Sequence[str], exc: click.UsageError) -> str | None:
    """The NODE argument of the command a usage error is about, when it can be
    found in ``args`` (options and their values skipped); else None."""
    ctx = exc.ctx
    if ctx is None or not any(isinstance(p, click.Argument) and p.name in ("node", "nodes")
                              for p in ctx.command.params):
        return None
    if isinstance(ctx.params.get("node"), str):
        return str(ctx.params["node"])
    nodes = ctx.params.get("nodes")
    if isinstance(nodes, tuple) and len(nodes) == 1:
        return str(nodes[0])
    names = [c.info_name for c in _context_chain(ctx)[1:]]
    return _first_positional(_after_command(args, names), _options_with_values(ctx.command))


def _context_chain(ctx: click.Context) -> list[click.Context]:
    """Root first, ``ctx`` last."""
    chain = [ctx]
    while chain[0].parent is not None:
        chain.insert(0, chain[0].parent)
    return chain


def _after_command(args: Sequence[str], names: Sequence[str | None]) -> list[str]:
    """``args`` after the global options and the subcommand names."""
    takes_value = _global_options_with_values()
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "--":
        index += 2 if args[index] in takes_value else 1
    for name in names:
        if index < len(args) and args[index] == name:
            index += 1
    return list(args[index:])


def _first_positional(args: Sequence[str], takes_value: frozenset[str]) -> str | None:
    """The first argument that is neither an option nor an option's value."""
    remaining = iter(args)
    for arg in remaining:
        if arg == "--":
            return next(remaining, None)
        if not arg.startswith("-") or arg == "-":
            return arg
        if arg in takes_value:
            next(remaining, None)
    return None


if __name__ == "__main__":  # python -m hamnhw.cli.main
    main()
