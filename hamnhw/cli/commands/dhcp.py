"""``hamnhw dhcp render``: DHCP reservations giving both nodes' NICs the MN's addresses."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from hamnhw.cli.exit_codes import ExitCode
from hamnhw.cli.options import connect_config_node, fail, output_of
from hamnhw.config import Config, find_config, load_config
from hamnhw.dhcp.plan import check_network, plan_reservations
from hamnhw.dhcp.render import FORMATS, RenderOptions, default_kea_hooks_dir, render
from hamnhw.errors import ConfigError, OperationFailed
from hamnhw.nodenames import no_such
from hamnhw.pair import PAIR_NODES
from hamnhw.pair.check import check_pair
from hamnhw.pair.nicmap import read_pair_report


@click.group("dhcp")
def command() -> None:
    """DHCP reservations for both nodes' NICs (ISC, Kea, dnsmasq, xCAT)."""


def live_nic_map(config: str) -> list[Mapping[str, Any]]:
    """Read both BMCs now and match their NICs (as ``pair check`` does).

    :raises OperationFailed: a BMC could not be read, or its NICs only in part: a NIC map
        from it could give a standby port another network's address, so nothing is rendered.
    """
    report = check_pair(lambda name: connect_config_node(name, config))
    down = {n: f.error or "NICs unknown" for n, f in report.nodes.items()
            if not f.reachable or f.nics is None}
    down.update({n: "NICs read only in part: " + "; ".join(f.partial["nics"])
                 for n, f in report.nodes.items() if f.partial.get("nics") and n not in down})
    if down:
        raise OperationFailed("cannot build the NIC map, nothing rendered: " + "; ".join(
            f"{name}: {why}" for name, why in down.items()))
    return list(report.to_json()["nic_map"])


def require_pair_nodes(config: Config) -> None:
    """:raises ConfigError: ``[primary]`` or ``[standby]`` missing, which the live NIC map
    is read from: the message names ``--pair-report``, the way without them."""
    for name in PAIR_NODES:
        if name not in config.nodes:
            raise ConfigError(f"{no_such('node', name, config.nodes, 'nodes')}: without "
                              "--pair-report, dhcp render reads the NIC map from the [primary] "
                              "and [standby] BMCs; define both, or give --pair-report FILE "
                              "(saved by `hamnhw --json pair check > FILE`)", path=config.path)


@command.command("render")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="Which DHCP server to render for.")
@click.option("--config", metavar="FILE", type=click.Path(dir_okay=False),
              help="Config file with [network] (and [primary]/[standby] unless "
                   "--pair-report).")
@click.option("--pair-report", metavar="FILE", type=click.Path(dir_okay=False),
              help="Saved `hamnhw --json pair check` output to take the NIC map from, instead "
                   "of reading both BMCs.")
@click.option("--output", "-o", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the file here (default: stdout).")
@click.option("--interface", "interfaces", multiple=True, metavar="IF",
              help="Kea: interface to listen on (repeatable; default *).")
@click.option("--kea-socket", default=RenderOptions.kea_socket, show_default=True,
              metavar="PATH", help="Kea: control socket the lease4-del commands go to.")
@click.option("--kea-lease-file", metavar="PATH", help="Kea: memfile lease file.")
@click.option("--kea-hooks-dir", default=default_kea_hooks_dir, show_default=True,
              metavar="DIR", help="Kea: directory of libdhcp_lease_cmds.so.")
@click.pass_context
def render_command(ctx: click.Context, fmt: str, config: str | None, pair_report: str | None,
                   output: str | None, interfaces: tuple[str, ...], kea_socket: str,
                   kea_lease_file: str | None, kea_hooks_dir: str) -> None:
    """Render reservations of the [network] addresses for both nodes' MACs.

    Each primary NIC's address also goes to the standby NIC that `pair check` maps to it.
    The failover commands (Kea: lease4-del) and notes are printed with the render, as
    comments in the file; with --json as {"format", "text", "commands", "notes",
    "unreserved"}.  An address left unreserved for a node (a NIC without a MAC, no standby
    counterpart) is a warning on stderr and exit 5; the file is still written.
    """
    try:
        found = find_config(config)
        if found is None:
            raise ConfigError("dhcp render needs a config file with [network] (--config, "
                              "$HAMNHW_CONFIG, ./hamnhw.toml, /etc/hamnhw/hamnhw.toml)")
        path = str(found)
        loaded = load_config(path)
        if not pair_report:
            require_pair_nodes(loaded)
        network = loaded.network
        check_network(network, path)  # before the BMCs are read
        nic_map = read_pair_report(pair_report) if pair_report else live_nic_map(path)
        plan = plan_reservations(network, nic_map, path)
        options = RenderOptions(interfaces=interfaces or ("*",), kea_socket=kea_socket,
                                kea_lease_file=kea_lease_file, kea_hooks_dir=kea_hooks_dir)
        rendered = render(fmt, plan, options)
        if output:
            Path(output).write_text(rendered.text)
    except (ConfigError, OperationFailed, OSError) as exc:
        fail(ctx, None, ConfigError(str(exc)) if isinstance(exc, OSError) else exc)
        return
    payload = {"format": fmt, "output": output, "text": rendered.text,
               "commands": list(rendered.commands), "notes": list(rendered.notes),
               "unreserved": list(plan.unreserved)}
    output_of(ctx).result(payload, _human(output))
    for gap in plan.unreserved:
        click.echo(f"hamnhw: warning: {gap}", err=True)
    if plan.unreserved:
        ctx.exit(int(ExitCode.UNHEALTHY))


def _human(output: str | None) -> Any:
    def show(payload: Mapping[str, Any]) -> str:
        if output is None:
            return str(payload["text"])
        lines = [f"wrote {output} ({payload['format']})"]
        lines += [f"command: {c}" for c in payload["commands"]]
        lines += [f"note: {n}" for n in payload["notes"]]
        return "\n".join(lines)
    return show
