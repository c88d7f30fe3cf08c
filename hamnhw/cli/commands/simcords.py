"""``hamnhw sim cords pull|plug NODE``: pull a simulated node's power cords, or plug them back.

The runbook's main scenario is a primary that is dead: its BMC silent, its cords pulled, the
failover stopped until ``--acknowledge 'primary power cords pulled'``.  On ``hamnhw sim``
this command makes that silence (:mod:`hamnhw.sim.cords`: the BMC's port stays bound and
answers nothing, connections time out; the host off) and ends it (the BMC answers again, the
host powered as its restore policy says)::

    hamnhw sim cords pull primary --config pair.toml
    hamnhw failover start --yes --config pair.toml      # stops: primary's BMC is silent
    hamnhw failover resume --acknowledge 'primary power cords pulled' --config pair.toml
    hamnhw sim cords plug primary --config pair.toml

A node whose cords are pulled cannot be asked anything on its own port: the request goes
through another simulated node's control port (``POST /hamnhw-sim/cords``, acting on the
node it names).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.commands.simbays import config_option, load_sim_config
from hamnhw.cli.options import failures_reported, output_of
from hamnhw.simcontrol import SimControl


def acknowledgement(node: str) -> str:
    """The phrase a failover asks for once ``node``'s BMC is silent."""
    return f"{node} power cords pulled"


def _next_step(payload: Mapping[str, Any]) -> str:
    node = payload["node"]
    if payload["pulled"]:
        return (f"a failover (`hamnhw failover start`, or `resume` of one under way) stops at "
                f"{node}'s silent BMC and asks for --acknowledge "
                f"'{acknowledgement(node)}'; `hamnhw sim cords plug {node}` plugs them back in")
    if payload["power_state"] != "Off":
        return (f"{node} is {payload['power_state']} again: a failover run under way finds "
                f"it on at its next check of {node} (an acknowledgement "
                f"'{acknowledgement(node)}' never covers a node that came back on)")
    return f"{node} stays Off (`hamnhw power on {node}` powers it on)"


def render_cords(payload: Mapping[str, Any]) -> str:
    """What happened to the node, and what comes next."""
    node, via = payload["node"], payload["via"]
    if payload["pulled"]:
        lines = [f"{node}: power cords pulled (through {via}'s control port)",
                 f"its BMC is silent now (connections time out, none refused) and its host "
                 f"Off (was {payload['power_before']})"]
    else:
        policy = payload["restore_policy"]
        if policy == "LastState":
            policy += f" ({payload['power_before']} when the cords were pulled)"
        lines = [f"{node}: power cords plugged back in (through {via}'s control port)",
                 f"its BMC answers again; restore policy {policy}: its host is "
                 f"{payload['power_state']}"]
    return "\n".join([*lines, f"next: {payload['next']}"])


@click.command("cords")
@click.argument("action", type=click.Choice(["pull", "plug"]))
@click.argument("node")
@config_option
@click.pass_context
def cords(ctx: click.Context, action: str, node: str, config_path: str | None) -> None:
    """Pull a simulated node's power cords (its BMC silent, its host off), or plug them in.

    Pulled, the node's BMC answers nothing (connections to its port time out) and its host
    is off, as with a dead node whose cords were pulled: a failover then asks for
    --acknowledge 'NODE power cords pulled'.  Plugged back in, the BMC answers again and
    the host powers on as its restore policy says."""
    with failures_reported(ctx, None):
        control = SimControl(load_sim_config(config_path))
        payload = control.cords(node, pulled=action == "pull")
        if payload["pulled"]:
            payload["acknowledge"] = acknowledgement(node)
        payload["next"] = _next_step(payload)
    output_of(ctx).result(payload, render_cords)
