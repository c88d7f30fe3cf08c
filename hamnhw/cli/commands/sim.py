"""``hamnhw sim``: run simulated Redfish BMCs on loopback until SIGINT or SIGTERM.

Each server is printed as one line ``NAME URL`` (``NAME URL IPMI_URL`` with ``--ipmi``: the
same simulated node over IPMI lanplus, see :mod:`hamnhw.sim.ipmi`). The credentials are the
simulator-only defaults ``admin`` / ``sim-only-K7q2x`` (:data:`hamnhw.sim.SIM_PASSWORD`); never
use them on a real BMC.
``--config-out F`` writes a hamnhw config naming the servers
(:mod:`hamnhw.sim.client_config`).  ``--pair`` serves an MN pair instead (the primary running
the MN on a RAID1 with a loopback stand-in of its address, the standby off and empty, both
with POST evidence), so that ``failover start`` can be tried against ``--config-out F``.

It runs until stopped: either signal stops the servers and exits 0.

Its subcommands play the operator's hands on a running simulator's drive bays (``hamnhw sim
bays|move|pull|insert|fail --config FILE``, :mod:`hamnhw.cli.commands.simbays`) and power
cords (``hamnhw sim cords pull|plug NODE``, :mod:`hamnhw.cli.commands.simcords`), and make
a BMC misbehave (``hamnhw sim fault NODE KIND``, :mod:`hamnhw.cli.commands.simfault`).
"""

from __future__ import annotations

import click

PERSONALITY_NAMES = ("idrac", "ilo5", "xcc", "supermicro")
"""``--personality`` values: :data:`hamnhw.sim.personalities.PERSONALITIES`' names (not
imported here: the subcommands need no simulator)."""


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


def _no_server_options(ctx: click.Context) -> None:
    """A subcommand talks to a running simulator: the options that start one are refused."""
    given = [name for name in ctx.params
             if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
    if given:
        raise click.UsageError(f"--{given[0].replace('_', '-')} starts a simulator: give it "
                               f"without the subcommand {ctx.invoked_subcommand!r}")


class SimGroup(click.Group):
    """``hamnhw sim [OPTIONS]`` runs the simulator; ``hamnhw sim SUBCOMMAND`` talks to a
    running one (its subcommands are imported only then)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return ["bays", "move", "pull", "insert", "fail", "cords", "fault"]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.list_commands(ctx):
            return None
        if cmd_name == "cords":
            from hamnhw.cli.commands.simcords import cords

            return cords
        if cmd_name == "fault":
            from hamnhw.cli.commands.simfault import fault

            return fault
        from hamnhw.cli.commands.simbays import COMMANDS

        return {command.name: command for command in COMMANDS}[cmd_name]


@click.group("sim", cls=SimGroup, invoke_without_command=True,
             subcommand_metavar="[bays|move|pull|insert|fail|cords|fault] ...")
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
@click.option("--personality", type=click.Choice(PERSONALITY_NAMES),
              help="Serve a vendor BMC's shapes (ids, OEM blocks, jobs, RAID semantics): "
                   "idrac, ilo5, xcc or supermicro; default: plain DMTF Redfish.")
@click.option("--pair", is_flag=True,
              help="Serve an MN pair to try the failover on: primary running the MN on a "
                   "RAID1 (and a loopback stand-in of the MN's address), standby off with "
                   "empty bays; --config-out then writes [primary], [standby], [pair] and "
                   "[failover], with a fresh journal beside the config (an earlier "
                   "simulator's is moved aside, saying where).")
@click.pass_context
def command(ctx: click.Context, count: int, names: str | None, tls: bool, power_delay: float,
            port_base: int, ipmi: bool, config_out: str | None, personality: str | None,
            pair: bool) -> None:
    """Run simulated Redfish BMCs on 127.0.0.1 until SIGINT or SIGTERM.

    Runs until stopped (no --timeout): either signal stops the servers and exits 0.
    The subcommands move disks in a running simulator, as a WORK ORDER asks:
    hamnhw sim move --all-mn --config pair.toml; pull a node's power cords (its BMC
    silent): hamnhw sim cords pull primary --config pair.toml; and inject faults (a BMC
    that hangs, answers slowly or 5xx, refuses the password...): hamnhw sim fault node2
    hang --config sim.toml (hamnhw sim fault --help lists them)."""
    if ctx.invoked_subcommand is not None:
        _no_server_options(ctx)
        return
    if pair and names:
        raise click.BadParameter("--pair names its servers primary and standby",
                                 param_hint="--names")
    from hamnhw.cli.commands.simserve import serve

    serve(None if pair else server_names(count, names), tls, power_delay, port_base, ipmi,
          config_out, personality, bool(getattr(ctx.obj, "json", False)))
