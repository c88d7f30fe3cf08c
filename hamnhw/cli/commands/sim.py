"""``hamnhw sim``: run simulated Redfish BMCs on loopback until SIGINT or SIGTERM.

Each server is printed as one line ``NAME URL`` (``NAME URL IPMI_URL`` with ``--ipmi``: the
same simulated node over IPMI lanplus, see :mod:`hamnhw.sim.ipmi`). The credentials are the
simulator-only defaults ``admin`` / ``password``; never use them on a real BMC.
``--config-out F`` writes a hamnhw config naming the servers
(:mod:`hamnhw.sim.client_config`).  ``--pair`` serves an MN pair instead (the primary running
the MN on a RAID1 with a loopback stand-in of its address, the standby off and empty, both
with POST evidence), so that ``failover start`` can be tried against ``--config-out F``.

It runs until stopped: either signal stops the servers and exits 0.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from typing import Any

import click

from hamnhw import interrupts
from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.sim.client_config import write_client_config, write_pair_config
from hamnhw.sim.ipmi import IpmiSim, IpmiStartError
from hamnhw.sim.mnpair import mn_pair_specs, mn_serials
from hamnhw.sim.mnservice import MnService
from hamnhw.sim.personalities import PERSONALITIES
from hamnhw.sim.tls import TlsSetupError


def server_names(count: int, names: str | None) -> list[str]:
    """The names to serve: ``--names a,b`` wins, else ``node1`` .. ``nodeN``.

    :raises click.BadParameter: ``--names`` given without a name (``,``) or twice the same.
    """
    if names is None:
        return [f"node{index}" for index in range(1, count + 1)]
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    if not chosen:
        raise click.BadParameter(f"no server name in {names!r}", param_hint="--names")
    if len(set(chosen)) != len(chosen):
        raise click.BadParameter("names must be unique", param_hint="--names")
    return chosen


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
        click.echo("credentials admin/password (simulator only); Ctrl-C to stop", err=True)
    sys.stdout.flush()


def _write_config(cluster: SimCluster, path: str, mn: str | None = None) -> None:
    if mn is not None:
        config, secret = write_pair_config(cluster, path, cluster.fingerprint, mn)
    else:
        config, secret = write_client_config(cluster, path, cluster.fingerprint)
    click.echo(f"config {config} (password in {secret}, mode 0600; valid while this "
               "simulator runs)", err=True)


def _start(cluster: SimCluster, ipmi: bool) -> IpmiSim | None:
    """Start the servers (and their IPMI side); on failure stop what started."""
    try:
        cluster.start()
        return IpmiSim(cluster).start() if ipmi else None
    except (OSError, TlsSetupError, IpmiStartError) as exc:
        cluster.stop()
        raise click.ClickException(f"cannot start the simulator: {exc}") from exc


@click.command("sim")
@click.option("--count", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Number of simulated servers (ignored with --names).")
@click.option("--names", help="Comma-separated server names, e.g. primary,standby.")
@click.option("--tls", is_flag=True, help="Serve HTTPS with a generated self-signed certificate.")
@click.option("--power-delay", type=click.FloatRange(0), default=0.0, show_default=True,
              help="Seconds spent in PoweringOn / PoweringOff.")
@click.option("--port-base", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="First port (server i gets port-base + i); 0 = any free port.")
@click.option("--ipmi", is_flag=True,
              help="Also serve each server over IPMI lanplus on a loopback UDP port (same "
                   "power state); printed as a third column.")
@click.option("--config-out", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write a hamnhw config naming the servers (address them by name: "
                   "--config FILE primary); the password goes beside it, mode 0600.")
@click.option("--personality", type=click.Choice(list(PERSONALITIES)),
              help="Serve a vendor BMC's shapes (ids, OEM blocks, jobs, RAID semantics): "
                   "idrac, ilo5, xcc or supermicro; default: plain DMTF Redfish.")
@click.option("--pair", is_flag=True,
              help="Serve an MN pair to try the failover on: primary running the MN on a "
                   "RAID1 (and a loopback stand-in of the MN's address), standby off with "
                   "empty bays; --config-out then writes [primary], [standby], [pair] and "
                   "[failover].")
@click.pass_context
def command(ctx: click.Context, count: int, names: str | None, tls: bool, power_delay: float,
            port_base: int, ipmi: bool, config_out: str | None, personality: str | None,
            pair: bool) -> None:
    """Run simulated Redfish BMCs on 127.0.0.1 until SIGINT or SIGTERM.

    Runs until stopped (no --timeout): either signal stops the servers and exits 0."""
    if pair and names:
        raise click.BadParameter("--pair names its servers primary and standby",
                                 param_hint="--names")
    specs = ([dataclasses.replace(spec, personality=personality)
              for spec in mn_pair_specs(power_delay)] if pair else
             [ServerSpec(name=name, power_delay=power_delay, personality=personality)
              for name in server_names(count, names)])
    ports = [port_base + index if port_base else 0 for index in range(len(specs))]
    if port_base and ports[-1] > 65535:
        raise click.BadParameter("too many servers for this port base", param_hint="--port-base")
    as_json = bool(getattr(ctx.obj, "json", False))
    cluster = SimCluster(specs, tls=tls, ports=ports)
    with interrupts.stopping() as stop, contextlib.ExitStack() as stack:
        ipmi_sim = _start(cluster, ipmi)
        stack.callback(cluster.stop)
        if ipmi_sim is not None:
            stack.callback(ipmi_sim.stop)
        mn = stack.enter_context(MnService(cluster, mn_serials(cluster))) if pair else None
        if config_out:
            _write_config(cluster, config_out, mn.address if mn else None)
        _print_summary(cluster, ipmi_sim, as_json, mn.address if mn else None)
        interrupts.wait_until(stop)
