"""``hamnhw sim`` serving: the simulated servers started, printed, their config written,
then run until SIGINT or SIGTERM (:mod:`hamnhw.cli.commands.sim` holds the options; this
module imports the simulator, which its subcommands never need)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from typing import Any

import click

from hamnhw import interrupts
from hamnhw.errors import HamnhwError
from hamnhw.sim import SIM_PASSWORD, SIM_USERNAME, ServerSpec, SimCluster
from hamnhw.sim.client_config import (
    set_old_journal_aside,
    write_client_config,
    write_pair_config,
)
from hamnhw.sim.ipmi import IpmiSim, IpmiStartError
from hamnhw.sim.mnpair import mn_pair_specs, mn_serials
from hamnhw.sim.mnservice import MnService
from hamnhw.sim.tls import TlsSetupError


def serve(names: list[str] | None, tls: bool, power_delay: float, port_base: int,
          ipmi: bool, config_out: str | None, personality: str | None,
          as_json: bool) -> None:
    """Serve the simulated BMCs until stopped.

    :param names: the servers' names; None for ``--pair`` (primary and standby, the MN).
    """
    pair = names is None
    if pair and config_out:
        _fresh_journal(config_out)
    specs = ([dataclasses.replace(spec, personality=personality)
              for spec in mn_pair_specs(power_delay)] if names is None else
             [ServerSpec(name=name, power_delay=power_delay, personality=personality)
              for name in names])
    ports = [port_base + index if port_base else 0 for index in range(len(specs))]
    if port_base and ports[-1] > 65535:
        raise click.BadParameter("too many servers for this port base", param_hint="--port-base")
    cluster = SimCluster(specs, tls=tls, ports=ports)
    with interrupts.stopping() as stop, contextlib.ExitStack() as stack:
        ipmi_sim = _start(cluster, ipmi)
        stack.callback(cluster.stop)
        if ipmi_sim is not None:
            stack.callback(ipmi_sim.stop)
        mn = stack.enter_context(MnService(cluster, mn_serials(cluster))) if pair else None
        if config_out:
            _write_config(cluster, config_out, mn.address if mn else None, ipmi_sim)
        _print_summary(cluster, ipmi_sim, as_json, mn.address if mn else None)
        interrupts.wait_until(stop)


def _summary(cluster: SimCluster, ipmi: IpmiSim | None, mn: str | None) -> dict[str, Any]:
    servers = [{"name": s.name, "url": s.url, "username": s.username} for s in cluster]
    if ipmi is not None:
        for server in servers:
            server["ipmi_url"] = ipmi[server["name"]].url
    summary = {"servers": servers, "cert_file": cluster.cert_file,
               "fingerprint": cluster.fingerprint}
    if mn is not None:
        summary["mn_address"] = mn
    return summary


def _print_summary(cluster: SimCluster, ipmi: IpmiSim | None, as_json: bool,
                   mn: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(_summary(cluster, ipmi, mn)))
    else:
        for server in cluster:
            extra = f" {ipmi[server.name].url}" if ipmi is not None else ""
            click.echo(f"{server.name} {server.url}{extra}")
        if cluster.cert_file:
            click.echo(f"cert {cluster.cert_file}")
            click.echo(f"fingerprint {cluster.fingerprint}")
        if mn is not None:
            click.echo(f"mn {mn}")
        click.echo(f"credentials {SIM_USERNAME}/{SIM_PASSWORD} (simulator only); Ctrl-C to stop",
                   err=True)
    sys.stdout.flush()


def _write_config(cluster: SimCluster, path: str, mn: str | None = None,
                  ipmi: IpmiSim | None = None) -> None:
    urls = {s.name: ipmi[s.name].url for s in cluster} if ipmi is not None else None
    if mn is not None:
        config, secret = write_pair_config(cluster, path, cluster.fingerprint, mn, urls)
    else:
        config, secret = write_client_config(cluster, path, cluster.fingerprint, urls)
    click.echo(f"config {config} (password in {secret}, mode 0600; valid while this "
               "simulator runs)", err=True)


def _fresh_journal(config_out: str) -> None:
    """A journal an earlier ``sim --pair`` left beside the config is moved aside (its runs
    and active node describe a simulator that is gone), saying where."""
    try:
        aside = set_old_journal_aside(config_out)
    except HamnhwError as exc:
        raise click.ClickException(f"cannot start with a fresh journal: {exc}") from exc
    if aside is not None:
        click.echo(f"note: the journal of an earlier simulated pair was moved to {aside} "
                   "(this simulator starts with a fresh one; the old runs stay readable "
                   f"there, `[pair] journal_dir = \"{aside}\"`)", err=True)


def _start(cluster: SimCluster, ipmi: bool) -> IpmiSim | None:
    """Start the servers (and their IPMI side); on failure stop what started."""
    try:
        cluster.start()
        return IpmiSim(cluster).start() if ipmi else None
    except (OSError, TlsSetupError, IpmiStartError) as exc:
        cluster.stop()
        raise click.ClickException(f"cannot start the simulator: {exc}") from exc
