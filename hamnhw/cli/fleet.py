"""Read and power commands over many nodes: ``NODE...``, ranges, groups, ``--nodes-file``.

A command given exactly one plain NODE behaves as it always did (one JSON object, its
exit code).  Otherwise (:mod:`hamnhw.fleet.targets`) the nodes are worked on at once,
at most ``--fanout N`` (default :data:`~hamnhw.fleet.runner.DEFAULT_CONCURRENCY`), each
with its own connection, session and ``--timeout`` budget, and:

* ``--json``: one line per node as it finishes (the single-node object, or its error
  object), then ``{"summary": {"nodes", "ok", "failed", "by_exit_code", "elapsed_s"}}``;
* stderr a terminal: a progress bar while running, then a table of every node;
* otherwise: each node's text as it finishes (errors on stderr), then a summary line

(the views: :mod:`hamnhw.cli.fleet_views`).

Every name is resolved before anything is sent: one that is no node or group of the config
refuses the whole command (exit 2, nothing sent; :func:`hamnhw.fleet.targets.select`).
Exit code: 0 when every node succeeded, else the first present of 130/143
(interrupted), 3, 4, 1, 5, 2 (:func:`hamnhw.cli.exit_codes.aggregate`).  A node whose read
succeeded may still have a code of its own (``raid show --check``: 5 when unhealthy), given
by the command's ``verdict``.

A boot override or a restore policy over several nodes that include the pair's active MN
may be refused without ``--yes`` (:func:`refuse_active_mn`); a power change of a pair node,
one node or many, is refused without it when it would stop the (possibly) active MN, or
start a node while the pair's journal holds an unfinished run (:func:`refuse_power_change`).
A dry run meets the same refusals without stopping: each node's plan says it
(:func:`run_on_nodes`, ``dry_run``).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import sys
import time
from collections.abc import Callable, Collection, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from hamnhw import interrupts, progress
from hamnhw.address import parse_bmc_url
from hamnhw.cli import options as node_cli
from hamnhw.cli import resolve
from hamnhw.cli.budget import CommandBudget
from hamnhw.cli.exit_codes import aggregate, exit_code_for
from hamnhw.cli.fleet_views import StreamView, Summary, TableView, View, first_line
from hamnhw.cli.output import Renderer
from hamnhw.cli.progress import LastUpdate, is_terminal
from hamnhw.cli.watch import RequestWatch
from hamnhw.configpath import find_config
from hamnhw.errors import ConfigError, Interrupted
from hamnhw.fleet import redfish_only
from hamnhw.fleet.runner import Later, NodeResult, run_each
from hamnhw.fleet.targets import Selection, is_url, select
from hamnhw.node import Node

if TYPE_CHECKING:  # imported when a config file is found (FleetOptions.config)
    from hamnhw.config import Config
    from hamnhw.pair.runguard import PendingOverride

LOG = logging.getLogger(__name__)

Prepare = Callable[[CommandBudget], Callable[[Node], Mapping[str, Any]]]
Verdict = Callable[[Mapping[str, Any]], int]
"""A node's exit code from its successful payload (0: it succeeded)."""


@dataclasses.dataclass(frozen=True)
class FleetOptions:
    """``NODE...``, ``--nodes-file``, ``--fanout`` and the shared connection options."""

    nodes: tuple[str, ...]
    nodes_file: str | None
    fanout: int | None
    options: node_cli.TargetOptions
    """Connection options (``node`` empty)."""
    _loaded: list[Config | None] = dataclasses.field(default_factory=list, compare=False)

    def selection(self) -> Selection:
        """The nodes named (see :func:`hamnhw.fleet.targets.select`)."""
        return select(self.nodes, self.nodes_file, self.config)

    def config(self) -> Config | None:
        """The config file (``--config``, else the usual places; read once), or None."""
        if not self._loaded:
            path = find_config(self.options.config)
            if path is None:
                self._loaded.append(None)
            else:
                from hamnhw.config import load_config  # not at import: see hamnhw.configpath

                self._loaded.append(load_config(path))
        return self._loaded[0]


def nodes_options(func: Callable[..., Any] | None = None, *,
                  metavar: str = "NODE...") -> Any:
    """Add ``NODE...``, ``--nodes-file``, ``--fanout`` and the connection options; the
    command receives them as one ``fleet`` (:class:`FleetOptions`).

    :param metavar: the arguments as ``--help`` shows them (``NODE... [TARGET]`` for a
        command whose last argument may be a value: :func:`split_value`).
    """
    if func is None:
        return functools.partial(nodes_options, metavar=metavar)

    @functools.wraps(func)
    def with_fleet(*args: Any, options: node_cli.TargetOptions, nodes: tuple[str, ...],
                   nodes_file: str | None, fanout: int | None, **kwargs: Any) -> Any:
        return func(*args, fleet=FleetOptions(nodes, nodes_file, fanout, options), **kwargs)

    wrapper: Callable[..., Any] = with_fleet
    wrapper = click.option("--fanout", type=click.IntRange(min=1), metavar="N",
                           help="Nodes worked on at once (default 256).")(wrapper)
    wrapper = nodes_file_option(wrapper)
    wrapper = node_cli.connection_options(wrapper)
    return click.argument("nodes", metavar=metavar, nargs=-1,
                          callback=node_cli.refuse_credentials)(wrapper)


nodes_file_option = click.option("--nodes-file", metavar="FILE",
                                 type=click.Path(dir_okay=False),
                                 help="More nodes, one a line: a BMC URL, name, range or group "
                                      "(' #' starts a comment).")
"""``--nodes-file FILE`` (the command gets ``nodes_file``)."""


def node_names(nodes: Sequence[str], nodes_file: str | None,
               config: Callable[[], Config | None]) -> list[str]:
    """The nodes of ``NODE...`` and ``--nodes-file`` (ranges, groups: :func:`select`) for a
    command that follows several nodes without a result per node (``events listen``,
    ``exporter``).

    :raises click.UsageError: what :func:`select` refuses (exit 2, nothing sent).
    """
    try:
        return list(select(nodes, nodes_file, config).nodes)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def split_value(fleet: FleetOptions, values: Collection[str]) -> tuple[FleetOptions, str | None]:
    """``NODE... [VALUE]``: the last argument is the value (``boot node[1-4] pxe``) when it is
    one of ``values`` and nodes remain (another argument, or ``--nodes-file``); a single
    argument is always a NODE (``boot pxe01`` reads).

    :raises click.UsageError: the last argument is a value and also a config node or group
        (which one was meant cannot be told).
    """
    *nodes, last = fleet.nodes or ("",)
    if last not in values or not (nodes or fleet.nodes_file is not None):
        return fleet, None
    try:
        config = fleet.config() if any(not is_url(n) for n in nodes) else None
    except ConfigError:  # reported with the selection, as every node command does
        config = None
    if config is not None and (last in config.nodes or last in config.groups):
        raise click.UsageError(f"{last!r} is both a value and a node or group of the "
                               "config: name the nodes another way (a range, --nodes-file)")
    return dataclasses.replace(fleet, nodes=tuple(nodes)), last


def refuse_active_mn(fleet: FleetOptions, selection: Selection) -> None:
    """Refuse (exit 2, nothing sent) a write over several nodes that includes the pair's
    active MN (a boot override away from its disk, a restore policy other than the active
    MN's), unless ``--yes``; the command decides when to ask.  The active MN is the failover
    journal's, else ``[pair] active``; when neither tells, both pair nodes count.  A pair
    node is recognised however it is named: its own name, another config entry for its BMC,
    or its BMC URL spelt any accepted way (:func:`hamnhw.pair.runguard.check_active_mn`,
    the rule power changes follow for one node too).

    :raises ConfigError: the selection includes it.
    """
    config = fleet.config()
    if config is None:
        return
    from hamnhw.pair.runguard import check_active_mn, pair_nodes_named

    check_active_mn(config, pair_nodes_named(config, selection.nodes))


def refuse_power_change(fleet: FleetOptions, action: str, yes: bool,
                        selection: Selection, *,
                        dry_run: bool = False) -> PendingOverride | None:
    """Refuse (exit 2, nothing sent) without ``--yes`` a power ``action`` that would stop or
    restart the pair's (possibly) active MN, or start a pair node while the pair's journal
    holds an unfinished failover, drill or RAID1 setup (the old node once its disks were
    said moved: ``--yes`` included), one node or many
    (:func:`hamnhw.pair.runguard.check_power_change`).  The config is read whenever there
    is one, BMC URLs alone included: a pair node is recognised however it is named (its
    name, another entry for its BMC, its BMC URL spelt any accepted way).  Without a config
    there is no pair to guard; a config that cannot be read fails the command, except with
    BMC URLs alone (a warning, no guard: as the RAID guard).  A dry run (``dry_run``) is
    refused alike, but its ``--yes`` over an unfinished run is not journaled as an override.

    :returns: a ``--yes`` over an unfinished run, to be journaled for each node once it
        passed every check, just before its power request
        (:meth:`~hamnhw.pair.runguard.PendingOverride.journal`); None: nothing to journal.
    :raises ConfigError: refused.
    """
    try:
        config = fleet.config()
    except ConfigError:
        if not all(is_url(name) for name in selection.nodes):
            raise
        LOG.warning("no readable config, so no check of the pair's active MN or unfinished "
                    "runs")
        return None
    if config is None:
        return None
    from hamnhw.pair.runguard import check_power_change

    return check_power_change(config, selection.nodes, action, yes=yes, dry_run=dry_run)


def run_on_nodes(ctx: click.Context, fleet: FleetOptions, prepare: Prepare, render: Renderer,
                 *, summary: Summary | None = None, choose_system: bool = True,
                 guard: Callable[[Selection], None] | None = None,
                 check: Callable[[Selection], None] | None = None,
                 verdict: Verdict | None = None, dry_run: bool = False) -> None:
    """Run the action on every node selected (see the module docstring).

    :param prepare: gets each node's budget, returns the action (as
        :func:`hamnhw.cli.options.run_waiting_on_node`'s).
    :param summary: one line of a node's payload for the terminal table (default: the
        first line of ``render``).
    :param guard: may refuse a selection of several nodes (``ConfigError``: exit 2) before
        anything is sent.
    :param check: the same for every selection, a single node included.
    :param verdict: a node's exit code from its payload (default: 0, it succeeded); the
        payload is printed either way.
    :param dry_run: the action only plans: a refusal of ``guard`` or ``check`` stops
        nothing; every node's payload carries it as ``refused`` (``{"message",
        "exit_code"}``, else null: the real run, refused, would send nothing to any node)
        and the node ends with the real run's code (README: a dry run predicts the real
        run and its exit code).
    """
    if not fleet.nodes and fleet.nodes_file is None:
        raise click.MissingParameter(ctx=ctx, param_type="argument", param_hint="'NODE'")
    refused: dict[str, Any] | None = None
    with node_cli.failures_reported(ctx, None):
        selection = fleet.selection()
        try:
            if check is not None:
                check(selection)
            if guard is not None and not selection.single:
                guard(selection)
        except ConfigError as exc:
            if not dry_run:
                raise
            refused = {"message": exc.message, "exit_code": int(exit_code_for(exc))}
    judge = verdict or (lambda _payload: 0)
    if not dry_run:
        _run_selected(ctx, fleet, selection, prepare, render, summary, choose_system, judge)
        return
    # Imported here: plans are imported only by dry runs (``power status``: performance.md)
    from hamnhw.cli.plan_output import mark_refused, predicted_exit, refused_code

    with predicted_exit(refused):
        _run_selected(ctx, fleet, selection, mark_refused(prepare, refused), render, summary,
                      choose_system, refused_code(judge))


def _run_selected(ctx: click.Context, fleet: FleetOptions, selection: Selection,
                  prepare: Prepare, render: Renderer, summary: Summary | None,
                  choose_system: bool, judge: Verdict) -> None:
    if selection.single:
        target = dataclasses.replace(fleet.options, node=selection.nodes[0])
        payloads: list[Mapping[str, Any]] = []
        node_cli.run_prepared(ctx, target, recording(prepare, payloads), render,
                              choose_system=choose_system)
        code = judge(payloads[0])
        if code:
            ctx.exit(code)
        return
    json_output = node_cli.output_of(ctx).json
    table = not json_output and is_terminal(sys.stderr)
    view = TableView(summary or first_line(render)) if table else StreamView(
        json_output, render)
    codes = _fan_out(selection, fleet, prepare, choose_system, view, judge)
    ctx.exit(int(aggregate(codes)))


def recording(prepare: Prepare, payloads: list[Mapping[str, Any]]) -> Prepare:
    """``prepare`` whose action also keeps its payload in ``payloads``."""
    def recording(budget: CommandBudget) -> Callable[[Node], Mapping[str, Any]]:
        action = prepare(budget)

        def act(node: Node) -> Mapping[str, Any]:
            payloads.append(action(node))
            return payloads[-1]

        return act

    return recording


def _fan_out(selection: Selection, fleet: FleetOptions, prepare: Prepare,
             choose_system: bool, view: View, judge: Verdict) -> list[int]:
    start = time.monotonic()
    config = None if all(is_url(n) for n in selection.nodes) else fleet.config()
    resolved = resolve.each_connect_arguments(selection.nodes, fleet.options, config)
    codes: list[int] = []

    def task(name: str) -> Later[dict[str, Any]]:
        kwargs = resolved[name]
        watch, reporter = RequestWatch(), LastUpdate(progress.current())
        try:
            interrupts.check()  # started after a signal (not cancelled in time): not at all
            if isinstance(kwargs, BaseException):
                raise kwargs
            view.started(name)
            with progress.reporting(reporter):
                payload, logout = node_cli.act_before_logout(name, kwargs, prepare, watch,
                                                             choose_system)
        except BaseException as exc:
            error = _as_interrupted(exc, watch, reporter)
            if error is exc:
                raise
            raise error from exc
        return Later(payload, logout)  # the node's line is shown before its logout

    view.start(selection.nodes)
    results: Generator[NodeResult[dict[str, Any]], None, None] = run_each(
        selection.nodes, task, name=str, concurrency=fleet.fanout,
        bmc=lambda name: _bmc_of(resolved[name], name),
        host=lambda name: _host_of(resolved[name]),
        cooperative=all(redfish_only(kwargs) for kwargs in resolved.values()
                        if isinstance(kwargs, dict)))
    interrupted = 0
    try:
        _show_each(results, codes, view, judge)
    except Interrupted as exc:  # every node's line is out: the summary ends the output
        interrupted = int(exit_code_for(exc))
    finally:
        view.finish(codes, time.monotonic() - start)
    return [*codes, interrupted]


def _bmc_of(kwargs: Any, name: str) -> str:
    return str(kwargs["url"]) if isinstance(kwargs, dict) else name


def _host_of(kwargs: Any) -> str | None:
    """``host:port`` of a node's BMC, as its errors name it (its ``Interrupted`` too)."""
    try:
        return parse_bmc_url(kwargs["url"]).netloc if isinstance(kwargs, dict) else None
    except ConfigError:  # a bad URL: the node's error says it
        return None


def _as_interrupted(error: BaseException, watch: RequestWatch,
                    reporter: LastUpdate) -> BaseException:
    """A node's error as it is raised, in the node's thread: after a signal it is the
    interrupt (its deadline read as expired, its request ended), saying whether a write had
    been sent and the last state read (the node's ``watch`` and ``reporter``), as a single
    node's does.  Only here: an error that ended its node before the signal is its own,
    however late it is shown."""
    signum = interrupts.received()
    if signum is not None and not isinstance(error, Interrupted):
        error = Interrupted(signum)
    if isinstance(error, Interrupted):
        error.request_sent, error.last_state = watch.request_sent, reporter.last_state
    return error


def _show_each(results: Generator[NodeResult[Any], None, None], codes: list[int],
               view: View, judge: Verdict) -> None:
    """Show each result as it comes.  A signal that comes while a result is being shown is
    held until its line is out (its code and its line go together), then handed to the
    fan-out (:func:`hamnhw.fleet.runner.run_each`), which ends the requests in flight,
    yields what ran, then raises it here (a ``for`` loop would only abandon the fan-out,
    which would then wait for hung BMCs)."""
    pending: Interrupted | None = None
    while True:
        try:
            result = results.throw(pending) if pending is not None else next(results)
        except StopIteration:
            return
        pending = None
        try:
            with interrupts.deferred():
                code = (judge(result.value or {}) if result.error is None
                        else int(exit_code_for(result.error)))
                codes.append(code)
                view.add(result, code)
        except Interrupted as exc:
            pending = exc
