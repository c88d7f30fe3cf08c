"""``hamnhw events listen NODE...``: follow the BMCs' Redfish events, report RAID changes.

Each change is a log line on stderr and a JSON line on stdout; ``--exec CMD`` runs CMD (split
like a shell would, but run without one) per change with the ``HAMNHW_*`` variables of
:mod:`hamnhw.monitor.report`.  SSE is used where the BMC offers it, else a push subscription to
hamnhw's own HTTPS listener (``--listen``; ``--destination`` is its URL as the BMCs reach it).
Runs until SIGINT or SIGTERM (exit 0), deleting its subscriptions and logging out.
"""

from __future__ import annotations

import dataclasses
import logging
import shlex
import sys
from collections.abc import Callable
from typing import Any

import click

from hamnhw import interrupts
from hamnhw.cli.commands.exporter import parse_listen
from hamnhw.cli.exit_codes import ExitCode
from hamnhw.cli.fleet import node_names, nodes_file_option
from hamnhw.cli.options import (
    TargetOptions,
    connect_target,
    connection_options,
    refuse_credentials,
)
from hamnhw.config import Config, find_config, load_config
from hamnhw.deadline import Deadline
from hamnhw.monitor.events import MODES, NodeWatcher, Settings
from hamnhw.monitor.receiver import EventReceiver
from hamnhw.monitor.report import Reporter
from hamnhw.procenv import config_secret_variables

OPERATION_TIMEOUT_S = 30.0


@click.group("events")
def command() -> None:
    """Follow the BMCs' Redfish events: report RAID changes as they happen."""


@command.command("listen")
@click.argument("nodes", nargs=-1, metavar="NODE...", callback=refuse_credentials)
@nodes_file_option
@click.option("--mode", type=click.Choice(MODES), default="auto", show_default=True,
              help="auto: SSE where offered, else push.")
@click.option("--listen", "listen", metavar="ADDR:PORT",
              help="Serve hamnhw's HTTPS event listener here (push subscriptions).")
@click.option("--destination", metavar="URL",
              help="The listener's URL as the BMCs reach it (default: https://ADDR:PORT).")
@click.option("--listen-cert", type=click.Path(dir_okay=False, exists=True), metavar="PEM",
              help="Listener certificate (default: a generated self-signed one).")
@click.option("--listen-key", type=click.Path(dir_okay=False, exists=True), metavar="PEM",
              help="Listener private key.")
@click.option("--exec", "exec_command", metavar="CMD",
              help="Run CMD (no shell) per change, with HAMNHW_* variables.")
@click.option("--check-interval", type=click.FloatRange(0.1), default=60.0, show_default=True,
              help="Seconds between checks that each subscription still exists.")
@click.option("--sse-idle-timeout", type=click.FloatRange(1), default=600.0, show_default=True,
              help="Seconds without data or keep-alive after which a stream counts as lost.")
@connection_options
@click.pass_context
def listen(ctx: click.Context, nodes: tuple[str, ...], mode: str, listen: str | None,
           destination: str | None, listen_cert: str | None, listen_key: str | None,
           exec_command: str | None, check_interval: float, sse_idle_timeout: float,
           nodes_file: str | None, options: TargetOptions) -> None:
    """Subscribe to each NODE's EventService and report RAID changes until interrupted.

    NODEs may be ranges (node[001-200]) and config groups; --nodes-file adds more."""
    if not nodes and nodes_file is None:
        raise click.MissingParameter(ctx=ctx, param_type="argument", param_hint="'NODE'")
    names = node_names(nodes, nodes_file, lambda: _config(options))
    if bool(listen_cert) != bool(listen_key):
        raise click.UsageError("give --listen-cert and --listen-key together")
    argv = shlex.split(exec_command) if exec_command else None
    timeout = options.timeout or OPERATION_TIMEOUT_S
    _show_info_lines()
    cert_holder: list[Any] = []
    receiver = _receiver(listen, listen_cert, listen_key, cert_holder) if listen else None
    if receiver is not None and not destination:
        destination = _default_destination(listen or "", receiver.port)
    settings = Settings(mode, destination, check_interval, timeout, sse_idle_timeout)
    reporter = Reporter(sys.stdout, argv, _secret_variables(options))
    watchers = [NodeWatcher(name, _connector(options, name, timeout), reporter, settings,
                            receiver) for name in names]
    try:
        with interrupts.stopping() as stop:
            for watcher in watchers:
                watcher.start()
            while not stop.wait(0.2) and any(w.is_alive() for w in watchers):
                pass
    finally:
        for watcher in watchers:
            watcher.stop()
        for watcher in watchers:
            watcher.join(timeout + 10)
        if receiver is not None:
            receiver.stop()
        reporter.close()
        for cert in cert_holder:
            cert.cleanup()
    if all(w.failed for w in watchers):
        ctx.exit(int(ExitCode.FAILED))


def _connector(options: TargetOptions, name: str, timeout: float) -> Callable[[], Any]:
    target = dataclasses.replace(options, node=name)
    return lambda: connect_target(target, Deadline(timeout), timeout=timeout)


def _receiver(listen: str, cert: str | None, key: str | None,
              holder: list[Any]) -> EventReceiver:
    host, port = parse_listen(listen)
    if cert is None or key is None:
        from hamnhw.sim.tls import SelfSignedCert

        generated = SelfSignedCert("hamnhw-events")
        holder.append(generated)
        cert, key = generated.cert_file, generated.key_file
    return EventReceiver(host, port, cert, key).start()


def _default_destination(listen: str, port: int) -> str:
    host, _ = parse_listen(listen)
    if host in ("0.0.0.0", "::"):  # noqa: S104 - checking, not binding
        raise click.UsageError("--listen on every address: give --destination (the URL the "
                               "BMCs reach this listener at)")
    return f"https://{f'[{host}]' if ':' in host else host}:{port}"


def _secret_variables(options: TargetOptions) -> list[str]:
    """Password and Kg variables named by the config (kept out of --exec's environment)."""
    config = _config(options)
    return [] if config is None else config_secret_variables(config.nodes.values())


def _config(options: TargetOptions) -> Config | None:
    path = find_config(options.config)
    return None if path is None else load_config(path)


def _show_info_lines() -> None:
    """The change lines are INFO: show them unless the user asked for errors only."""
    events_log = logging.getLogger("hamnhw.events")
    if logging.getLogger().level < logging.ERROR:
        events_log.setLevel(min(events_log.getEffectiveLevel(), logging.INFO))
