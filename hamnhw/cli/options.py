"""Options every node command shares, connecting with them (their resolution into
:func:`hamnhw.connect`'s arguments: :mod:`hamnhw.cli.resolve`), and the one place a
command's outcome becomes output and an exit code.

A command module only says what to read or do on the node and how to render
it::

    @click.command("detect")
    @node_options
    @click.pass_context
    def command(ctx, target):
        run_on_node(ctx, target, lambda node: {"driver": ...}, render)
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NoReturn

import click

import hamnhw
from hamnhw import interrupts, progress, registry
from hamnhw.address import CREDENTIALS_IN_URL, has_userinfo, parse_bmc_url
from hamnhw.cli.budget import CommandBudget
from hamnhw.cli.exit_codes import exit_code_for
from hamnhw.cli.output import Output, Renderer
from hamnhw.cli.progress import reporter_for
from hamnhw.cli.resolve import tty_connect_arguments
from hamnhw.cli.tls_hint import with_hint
from hamnhw.cli.watch import RequestWatch
from hamnhw.connection import Timeouts, check_seconds
from hamnhw.deadline import Deadline
from hamnhw.errors import ConfigError, HamnhwError, Interrupted, TlsError
from hamnhw.interfaces import PollPolicy
from hamnhw.log import get_logger
from hamnhw.node import Node

LOG = get_logger("hamnhw.cli")


class Seconds(click.ParamType):
    """A finite number of seconds above zero (``nan`` and ``inf`` are refused)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        """Parse ``value``; a bad one is a usage error (exit 2)."""
        try:
            return check_seconds(float(value), "timeout")
        except (TypeError, ValueError, ConfigError):
            self.fail(f"{value!r} is not a finite number of seconds > 0", param, ctx)


def refuse_credentials(ctx: click.Context, param: click.Parameter,
                       value: str | tuple[str, ...]) -> str | tuple[str, ...]:
    """Click callback of every NODE argument: a NODE with a ``user[:password]@`` part is a
    usage error (exit 2) whose message does not repeat it, before anything else could
    print it (a status line, an error naming the node)."""
    for node in (value,) if isinstance(value, str) else value:
        if has_userinfo(node):
            raise click.BadParameter(CREDENTIALS_IN_URL, ctx, param)
    return value


_OPTIONS = (
    click.option("--config", "config", metavar="FILE", type=click.Path(dir_okay=False),
                 help="Config file (default: $HAMNHW_CONFIG, ./hamnhw.toml, "
                      "/etc/hamnhw/hamnhw.toml)."),
    click.option("--username", metavar="NAME", help="BMC account (default: config, "
                                                    "$HAMNHW_USERNAME)."),
    click.option("--password-file", metavar="FILE", type=click.Path(dir_okay=False),
                 help="File holding the BMC password (mode 600). Default: config, "
                      "$HAMNHW_PASSWORD, a prompt on a TTY."),
    click.option("--ca-file", metavar="PEM", type=click.Path(dir_okay=False),
                 help="Verify the BMC certificate against this CA bundle."),
    click.option("--pin-fingerprint", metavar="SHA256",
                 help="Trust exactly the BMC certificate with this SHA-256 fingerprint."),
    click.option("--insecure", is_flag=True, default=None,
                 help="Do not verify the BMC certificate (not recommended)."),
    click.option("--timeout", metavar="S", type=Seconds(),
                 help="Seconds for the whole command: connecting, the action, its wait and "
                      "logging out (default: config, else 120). Connecting, every request "
                      "and a wait end 5 s before the deadline (a quarter of a timeout under "
                      "20 s, at least 1 s), keeping them for the logout; a wait ends 2 s "
                      "more for its last read."),
    click.argument("node", metavar="NODE", callback=refuse_credentials),
)


@dataclasses.dataclass(frozen=True)
class TargetOptions:
    """What the user said about the node to reach."""

    node: str
    """A BMC URL or a node name from the config."""
    config: str | None = None
    username: str | None = None
    password_file: str | None = None
    ca_file: str | None = None
    pin_fingerprint: str | None = None
    insecure: bool | None = None
    timeout: float | None = None


def node_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared connection options and the NODE argument; the command
    receives them as one ``target`` (:class:`TargetOptions`)."""
    names = [f.name for f in dataclasses.fields(TargetOptions)]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        target = TargetOptions(**{n: kwargs.pop(n) for n in names})
        return func(*args, target=target, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def poll_policy() -> PollPolicy:
    """How power changes are waited for (tests replace this to avoid sleeping)."""
    return PollPolicy()


def output_of(ctx: click.Context) -> Output:
    """The shared :class:`Output` of the root context."""
    obj = ctx.find_object(Output)
    return obj if obj is not None else Output()


def fail(ctx: click.Context, node: str | None, exc: BaseException) -> NoReturn:
    """Report an error and exit with its code (the single place that does)."""
    code = exit_code_for(exc)
    if not isinstance(exc, (HamnhwError, Interrupted)):
        LOG.debug("unexpected error", exc_info=exc)
    output_of(ctx).error(node, exc, code)
    ctx.exit(int(code))


@contextlib.contextmanager
def failures_reported(ctx: click.Context, node: str | None) -> Iterator[None]:
    """Report any error (or an interrupt) raised in the block through :func:`fail`;
    Click's own exceptions (usage errors, exits) pass through."""
    try:
        yield
    except (click.exceptions.Exit, click.Abort, click.ClickException):
        raise
    except (Exception, Interrupted) as exc:
        fail(ctx, node, exc)


def resolved_timeout(kwargs: Mapping[str, Any]) -> float:
    """The command's timeout: ``--timeout``, else the config's ``timeout``, else
    :class:`~hamnhw.connection.Timeouts`' default (``kwargs`` from :func:`connect_arguments`)."""
    return float(kwargs.get("timeout", Timeouts().operation))


def run_on_node(ctx: click.Context, target: TargetOptions,
                action: Callable[[Node], Mapping[str, Any]], render: Renderer, *,
                choose_system: bool = True) -> None:
    """Connect to the target, run ``action`` and log out within ONE deadline
    (:func:`resolved_timeout` seconds, started before connecting: see
    :mod:`hamnhw.cli.budget`) and print ``{"node": ..., **result}``.

    Any error is printed as an error object and ends the command with the code from
    :mod:`hamnhw.cli.exit_codes`.  SIGINT or SIGTERM ends it at once: the session is
    logged out within its short grace and the ``Interrupted`` error object says whether a
    state-changing request had been sent and the last state a wait read.

    :param choose_system: False for a command that needs no system (``detect``), so that a
        service with several systems answers without a system path.
    """
    run_prepared(ctx, target, lambda _budget: action, render, choose_system=choose_system)


def run_waiting_on_node(ctx: click.Context, target: TargetOptions,
                        prepare: Callable[[CommandBudget], Callable[[Node], Mapping[str, Any]]],
                        render: Renderer, *, beyond_s: float = 0.0) -> None:
    """Like :func:`run_on_node` for a command that waits (a power change).

    ``prepare`` gets the command's :class:`~hamnhw.cli.budget.CommandBudget` before
    anything is sent (it may raise :class:`~hamnhw.errors.ConfigError` to refuse the
    options: exit 2) and returns the action; the action gives its wait
    ``budget.wait_seconds()``, which ends the wait early enough for the logout.

    :param beyond_s: seconds the command may run beyond ``--timeout`` (a RAID rebuild
        followed with ``--wait``, whose own bound is ``--wait-timeout``); the budget's
        ``seconds`` then include them.
    """
    run_prepared(ctx, target, prepare, render, beyond_s=beyond_s)


def run_prepared(ctx: click.Context, target: TargetOptions,
                 prepare: Callable[[CommandBudget], Callable[[Node], Mapping[str, Any]]],
                 render: Renderer, *, choose_system: bool = True,
                 beyond_s: float = 0.0) -> None:
    """:func:`run_waiting_on_node` with ``choose_system`` (the single-node path of every
    node command, :mod:`hamnhw.cli.fleet` included)."""
    reporter = reporter_for(output_of(ctx).json)
    watch = RequestWatch()
    with failures_reported(ctx, target.node):
        try:
            with progress.reporting(reporter):
                payload = _connect_and_act(target, prepare, watch, choose_system, beyond_s)
        except Interrupted as exc:
            exc.request_sent = watch.request_sent
            exc.last_state = reporter.last_state
            raise
        finally:
            reporter.close()  # before anything else is printed on the terminal
    output_of(ctx).result(payload, render)


def _connect_and_act(target: TargetOptions,
                     prepare: Callable[[CommandBudget], Callable[[Node], Mapping[str, Any]]],
                     watch: RequestWatch, choose_system: bool,
                     beyond_s: float = 0.0) -> dict[str, Any]:
    return act_on_node(target.node, tty_connect_arguments(target), prepare, watch,
                       choose_system, beyond_s)


def act_on_node(name: str, kwargs: dict[str, Any],
                prepare: Callable[[CommandBudget], Callable[[Node], Mapping[str, Any]]],
                watch: RequestWatch, choose_system: bool = True,
                beyond_s: float = 0.0) -> dict[str, Any]:
    """Connect with ``kwargs`` (:func:`connect_arguments`), run the prepared action and
    log out within one :class:`~hamnhw.cli.budget.CommandBudget` (``beyond_s`` more than
    the timeout); ``{"node": name, ...}``.
    """
    payload, logout = act_before_logout(name, kwargs, prepare, watch, choose_system, beyond_s)
    logout()
    return payload


def act_before_logout(name: str, kwargs: dict[str, Any],
                      prepare: Callable[[CommandBudget], Callable[[Node], Mapping[str, Any]]],
                      watch: RequestWatch, choose_system: bool = True,
                      beyond_s: float = 0.0) -> tuple[dict[str, Any], Callable[[], None]]:
    """As :func:`act_on_node`, but hand back the logout (within the same budget) with the
    payload, so that a fan-out shows a node's line before its logout.  When the action
    fails the node is logged out before the error goes on."""
    registry.check_registered(parse_bmc_url(kwargs["url"]))
    budget = CommandBudget(resolved_timeout(kwargs) + beyond_s)
    action = prepare(budget)
    try:
        node = hamnhw.connect(poll=poll_policy(), deadline=budget.work,
                              choose_system=choose_system,
                              client_wrapper=watch.wrapper_for(kwargs["url"]), **kwargs)
    except TlsError as exc:
        hinted = with_hint(exc, kwargs, budget.deadline)
        if hinted is exc:
            raise
        raise hinted from exc
    with node.operation(deadline=budget.work):
        try:
            payload = {"node": name, **action(node)}
        except BaseException:
            log_out(node)
            raise

    def logout() -> None:
        with node.operation(deadline=budget.work):
            log_out(node)

    return payload, logout


def log_out(node: Node) -> None:
    """Close ``node`` (its logout bounded by the deadline in force, see
    :meth:`~hamnhw.cli.budget.CommandDeadline.logout_deadline`) with SIGINT and SIGTERM
    held: the command had its outcome (a result or an error) before the logout, so a
    signal arriving now neither cuts the logout short (leaving the session open) nor
    replaces that outcome; it is noted on stderr (only when it came during the logout: a
    fan-out's worker thread sees a signal that had already ended its node's work here too)."""
    before = interrupts.received()
    try:
        with interrupts.deferred():
            node.close()
    except Interrupted as exc:
        if before is not None:
            return
        LOG.warning("%s: %s while logging out, after the command had ended: reporting its "
                    "outcome", node.name, exc.signal_name)


def connect_config_node(name: str, config: str | None) -> Node:
    """Connect to the config file's node ``name`` (``primary``, ``standby``...) with its
    credentials, TLS choice and timeout, as commands without a NODE argument do.

    :raises ConfigError: no config file, no such node, or its password source is missing.
    """
    kwargs = tty_connect_arguments(TargetOptions(node=name, config=config))
    return hamnhw.connect(poll=poll_policy(), **kwargs)


def connection_options(func: Callable[..., Any] | None = None, *,
                       timeout_help: str | None = None) -> Any:
    """The shared connection options without NODE, for commands that take several nodes
    (or none); the command receives them as one ``options`` (:class:`TargetOptions` with an
    empty ``node``: give each node with ``dataclasses.replace(options, node=name)``).

    :param timeout_help: ``--timeout``'s help, for a command whose timeout is not the
        whole command's (the exporter's bounds each read of a BMC).
    """
    if func is None:
        return functools.partial(connection_options, timeout_help=timeout_help)
    names = [f.name for f in dataclasses.fields(TargetOptions) if f.name != "node"]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        options = TargetOptions(node="", **{n: kwargs.pop(n) for n in names})
        return func(*args, options=options, **kwargs)

    decorators = _OPTIONS[:-1]
    if timeout_help is not None:  # --timeout is the last of them
        decorators = (*decorators[:-1], click.option("--timeout", metavar="S", type=Seconds(),
                                                     help=timeout_help))
    for option in reversed(decorators):
        wrapper = option(wrapper)
    return wrapper


def connect_target(target: TargetOptions, deadline: Deadline, **overrides: Any) -> Node:
    """Connect to ``target`` within ``deadline`` (credentials, TLS and driver from the
    options and the config); ``overrides`` replace :func:`hamnhw.connect` arguments."""
    kwargs = tty_connect_arguments(target)
    kwargs.update(overrides)
    return hamnhw.connect(poll=poll_policy(), deadline=deadline, **kwargs)
