"""``hamnhw exporter``: Prometheus metrics of the configured nodes' BMCs.

Serves ``/metrics`` on ``--listen`` (default 127.0.0.1:9787) until SIGINT or SIGTERM (exit 0),
or with ``--textfile DIR`` reads every node once, writes ``DIR/hamnhw.prom`` atomically for
node_exporter's textfile collector and exits (a one-shot for a systemd timer).  The BMCs are
read in the background (:mod:`hamnhw.monitor.refresher`), each once per ``--cache-seconds``
and at most ``--max-parallel`` at a time (two node names of one BMC never at once), each read
(connect, power, storage, logout) bounded by ``--timeout`` (default 30 s); a scrape answers at
once with the latest samples (the first one after the start waits at most
:data:`~hamnhw.monitor.metrics.FIRST_SCRAPE_WAIT_S`).  A BMC that
refused the credentials is not logged in to again until they change (the password file, the
config: read again before each read) or the exporter restarts
(:mod:`hamnhw.monitor.lockout`): it stays down with ``hamnhw_bmc_auth_failed 1``.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

import hamnhw
from hamnhw import interrupts
from hamnhw.cli.fleet import node_names, nodes_file_option
from hamnhw.cli.options import (
    TargetOptions,
    connection_options,
    poll_policy,
    refuse_credentials,
)
from hamnhw.cli.resolve import tty_connect_arguments
from hamnhw.config import Config, find_config, load_config
from hamnhw.deadline import Deadline
from hamnhw.errors import BmcUnreachable, ConfigError, HamnhwError, UnsupportedOperation
from hamnhw.log import get_logger
from hamnhw.models import PowerState
from hamnhw.monitor.health import read_raid_health
from hamnhw.monitor.lockout import CredentialGate, refused_login
from hamnhw.monitor.metrics import (
    DEFAULT_CACHE_S,
    DEFAULT_PARALLEL,
    HamnhwCollector,
    NodeSample,
    PairView,
    reason_of,
)
from hamnhw.monitor.metrics import (
    ActiveNode as ActiveSource,
)
from hamnhw.monitor.pair import LiveNode, active_for, stale_text
from hamnhw.monitor.refresher import Refresher

LOG = get_logger("hamnhw.exporter")
DEFAULT_LISTEN = "127.0.0.1:9787"
READ_TIMEOUT_S = 30.0
TEXTFILE_NAME = "hamnhw.prom"
PAIR = ("primary", "standby")


def parse_listen(value: str) -> tuple[str, int]:
    """``ADDR:PORT`` (``[v6]:PORT``, or ``:PORT`` for every address) as (addr, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) < 65536:
        raise click.BadParameter(f"{value!r} is not ADDR:PORT", param_hint="--listen")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 - the user asked for ':PORT'


class Reader:
    """Reads one node per call (:data:`hamnhw.monitor.metrics.Reader`), sparing the BMC
    account's lockout counter: credentials a BMC refused are not sent to it again
    (:class:`~hamnhw.monitor.lockout.CredentialGate`); they are resolved anew (password
    file, environment, config) before each read, so a fixed password is tried at once.
    Two node names of one BMC (its URL) are never read at the same time."""

    def __init__(self, options: TargetOptions, timeout: float) -> None:
        self.options = options
        self.timeout = timeout
        self.gate = CredentialGate()
        self._guard = threading.Lock()
        self._bmcs: dict[str, threading.Lock] = {}

    def __call__(self, name: str) -> NodeSample:
        arguments = tty_connect_arguments(dataclasses.replace(self.options, node=name))
        arguments["timeout"] = self.timeout
        with self._guard:
            bmc = self._bmcs.setdefault(str(arguments.get("url", name)), threading.Lock())
        with bmc:
            return self._read(name, arguments)

    def _read(self, name: str, arguments: dict[str, Any]) -> NodeSample:
        started = time.monotonic()
        fingerprint = self.gate.fingerprint(arguments)
        if self.gate.blocked(name, fingerprint):
            LOG.debug("%s: not logging in: the BMC refused these credentials", name)
            return NodeSample(name, False, error=AUTH_HELD, auth_failed=True, reason="auth")
        try:
            sample = read_sample(name, arguments, self.timeout)
        except HamnhwError as exc:
            if not refused_login(exc):
                raise
            self.gate.refuse(name, fingerprint)
            LOG.warning("%s: %s; not logging in again until the credentials change "
                        "(password file, config) or the exporter restarts", name, exc)
            return NodeSample(name, False, duration_s=time.monotonic() - started,
                              error=str(exc), auth_failed=True, reason="auth")
        self.gate.accept(name)
        return sample


AUTH_HELD = ("the BMC refused these credentials before: not logging in again until they "
             "change or the exporter restarts")
"""A held node's error (no login was attempted)."""


class ReadDeadline(Deadline):
    """A read's deadline, run out once SIGINT or SIGTERM was received, so that a read in
    flight (an IPMI wait) ends at its next look at it; its logout keeps its own grace."""

    def left(self) -> float:
        """Seconds left; at most 0 after a signal."""
        left = super().left()
        return min(left, 0.0) if interrupts.received() is not None else left


def read_sample(name: str, arguments: dict[str, Any], timeout: float) -> NodeSample:
    """Connect with ``arguments`` (:func:`hamnhw.connect`'s), read power and RAID health, log
    out: one sample, within ``timeout``.

    A node whose driver has no RAID (IPMI) is up with its power and no RAID metrics; a RAID
    read that fails otherwise (Redfish gone while its IPMI path answered power) makes the
    node down but keeps the power state that was read.
    """
    started = time.monotonic()
    deadline = ReadDeadline(timeout)
    node = hamnhw.connect(poll=poll_policy(), deadline=deadline, **arguments)
    raid, error, reason = None, None, None
    try:
        with node.operation(deadline=deadline):
            power = node.power.state()
            try:
                raid = read_raid_health(node)
            except HamnhwError as exc:
                no_raid = isinstance(exc, UnsupportedOperation) and not isinstance(
                    exc, BmcUnreachable)
                if not no_raid:
                    error, reason = str(exc), reason_of(exc)
                    LOG.warning("%s: RAID read failed: %s", name, exc)
    finally:
        node.close()
    power_on = {PowerState.ON: True, PowerState.OFF: False}.get(power)
    return NodeSample(name, error is None, power_on, raid, time.monotonic() - started, error,
                      reason=reason)


def active_from(config: Config | None) -> ActiveSource:
    """The exporter's ``hamnhw_pair_active`` source: journal, live state (the snapshot's
    RAID1 serials), ``[pair] active`` (see :mod:`hamnhw.monitor.pair`); whether the
    journal could be read (``hamnhw_pair_journal_unreadable``; a warning on stderr naming it
    and why when that changes); and whether the snapshot is stale
    (``hamnhw_pair_snapshot_stale``; a warning naming the serials when that changes)."""
    logged: list[str | None] = [None]
    stale_logged: list[tuple[str, ...] | None] = [None]

    def active(samples: Sequence[NodeSample]) -> PairView:
        if config is None:
            return PairView(None)
        live = {s.node: live_of(s) for s in samples if s.node in PAIR}
        found = active_for(config, live)
        if found.journal_error != logged[0] and found.journal_error is not None:
            LOG.warning("the pair's failover %s: its active node and snapshot cannot be told",
                        found.journal_error)
        logged[0] = found.journal_error
        if found.stale_serials and found.stale_serials != stale_logged[0]:
            LOG.warning("%s", stale_text(found.stale_serials))
        stale_logged[0] = found.stale_serials
        return PairView(found.node, found.journal_error, found.stale_serials)
    return active


def live_of(sample: NodeSample) -> LiveNode:
    """What a sample shows of a pair node's power and drives (whole: the storage read whole,
    every drive with a serial)."""
    drives = sample.raid.drives if sample.raid is not None else None
    if sample.raid is None or drives is None:
        return LiveNode(sample.power_on, None, False)
    return LiveNode(sample.power_on, frozenset(d.serial for d in drives if d.serial),
                    not sample.raid.incomplete and all(d.serial for d in drives))


@click.command("exporter")
@click.argument("nodes", nargs=-1, metavar="[NODE]...",
                callback=refuse_credentials)
@nodes_file_option
@click.option("--listen", default=DEFAULT_LISTEN, show_default=True, metavar="ADDR:PORT",
              help="Where to serve /metrics.")
@click.option("--textfile", "textfile", type=click.Path(file_okay=False), metavar="DIR",
              help="Write DIR/hamnhw.prom once (atomically) and exit.")
@click.option("--cache-seconds", type=click.FloatRange(0), default=DEFAULT_CACHE_S,
              show_default=True, help="Read each BMC once per this many seconds, in the "
              "background (at least 1; counted from the end of its previous read).")
@click.option("--max-parallel", type=click.IntRange(1, 64), default=DEFAULT_PARALLEL,
              show_default=True, help="BMCs read at the same time (a hung BMC holds one "
              "for up to --timeout).")
@connection_options(timeout_help="Seconds for each read of a BMC: connecting, power, "
                                 "storage and logging out (default 30; not the config's "
                                 "timeout).")
def command(nodes: tuple[str, ...], listen: str, textfile: str | None, cache_seconds: float,
            max_parallel: int, nodes_file: str | None, options: TargetOptions) -> None:
    """Prometheus metrics of the nodes' BMCs (every node in the config by default).

    NODEs may be ranges (node[001-200]) and config groups; --nodes-file adds more."""
    config = _config(options)
    names = (node_names(nodes, nodes_file, lambda: config) if nodes or nodes_file
             else sorted(config.nodes) if config else [])
    if not names:
        raise click.UsageError("no NODE given and no node in the config")
    timeout = options.timeout or READ_TIMEOUT_S
    if textfile and not Path(textfile).is_dir():
        raise ConfigError(f"--textfile {textfile!r} is not a directory")
    refresher = Refresher(Reader(options, timeout), names, cache_seconds, timeout,
                          max_parallel)
    pair = [n for n in PAIR if n in names]
    active = active_from(config)
    try:
        if textfile:  # a one-shot: every node's read waited for
            refresher.start()
            write_textfile(Path(textfile), HamnhwCollector(refresher, pair, active, math.inf))
        else:
            serve(listen, refresher, HamnhwCollector(refresher, pair, active))
    finally:
        refresher.close()


def _config(options: TargetOptions) -> Config | None:
    path = find_config(options.config)
    return load_config(path) if path else None


def write_textfile(directory: Path, collector: HamnhwCollector) -> None:
    """Collect once and write ``directory/hamnhw.prom`` atomically (temp file + rename)."""
    from prometheus_client import CollectorRegistry, write_to_textfile

    registry = CollectorRegistry()
    registry.register(collector)
    write_to_textfile(str(directory / TEXTFILE_NAME), registry)


def serve(listen: str, refresher: Refresher, collector: HamnhwCollector) -> None:
    """Serve ``/metrics`` until SIGINT or SIGTERM, the BMCs read in the background from the
    start; the reads in flight then end at once (:meth:`Refresher.close`)."""
    from prometheus_client import CollectorRegistry, start_http_server

    addr, port = parse_listen(listen)
    registry = CollectorRegistry()
    registry.register(collector)
    with interrupts.stopping() as stop:
        httpd, thread = start_http_server(port, addr, registry)
        refresher.start()
        click.echo(f"serving metrics on http://{listen}/metrics", err=True)
        try:
            while not stop.wait(0.5):
                pass
        finally:
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)
            refresher.close()
