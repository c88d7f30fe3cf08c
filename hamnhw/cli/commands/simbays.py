"""``hamnhw sim bays|move|pull|insert|fail``: the operator's hands on a running simulator
(``hamnhw sim cords``, its power cords: :mod:`hamnhw.cli.commands.simcords`).

A failover's (or a drill's, or ``pair setup-raid``'s) WORK ORDER asks someone to move disks
between the two servers; on ``hamnhw sim`` these commands do it, through the simulator's
control API (:mod:`hamnhw.sim.control`, loopback only) on the BMC URLs of the config
``hamnhw sim --config-out FILE`` wrote::

    hamnhw sim bays --config pair.toml                 # which drive sits in which bay
    hamnhw sim move --all-mn --config pair.toml        # what the pending work order says
    hamnhw sim move SIM79805968D1 --to standby --config pair.toml
    hamnhw sim pull SIM79805968D2 --config pair.toml   # the failed disk, out
    hamnhw sim insert --new --to primary --bay 2 --config pair.toml   # a blank replacement
    hamnhw sim fail SIM79805968D2 --config pair.toml   # a disk fails: its RAID1 degrades

Nothing here talks to a BMC's Redfish service; a node whose BMC is not on a loopback
address is never spoken to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.options import failures_reported, output_of
from hamnhw.config import Config, find_config, load_config
from hamnhw.errors import ConfigError
from hamnhw.simcontrol import SimControl, SimControlError

config_option = click.option(
    "--config", "config_path", metavar="FILE", type=click.Path(dir_okay=False),
    help="The config `hamnhw sim --config-out FILE` wrote (default: $HAMNHW_CONFIG, "
         "./hamnhw.toml, /etc/hamnhw/hamnhw.toml).")


def bay_name(value: str | None) -> str | None:
    """``3``, ``Bay3``, ``bay 3`` -> ``Bay 3`` (the simulator's bay names); else as given."""
    if value is None:
        return None
    match = re.fullmatch(r"(?i)\s*(?:bay\s*)?(\d+)\s*", value)
    return f"Bay {int(match.group(1))}" if match else value


def load_sim_config(config_path: str | None) -> Config:
    """The config ``--config`` names (or the default one): the simulator's."""
    path = find_config(config_path, environ=os.environ)
    if path is None:
        raise ConfigError("no config file found (--config, $HAMNHW_CONFIG, ./hamnhw.toml): "
                          "give the config `hamnhw sim --config-out FILE` wrote")
    return load_config(path)


def _located(control: SimControl, serial: str) -> str:
    place = control.locate(serial)
    if place is None:
        raise SimControlError(f"no drive with serial {serial!r} in a bay (`hamnhw sim bays` "
                              "lists them)")
    return place[0]


def render_bays(view: Mapping[str, Any]) -> str:
    """``NODE BAY SERIAL`` rows, then the pulled drives and the nodes whose cords are
    pulled."""
    rows = [("NODE", "BAY", "SERIAL")]
    for server, bays in view["servers"].items():
        rows += [(server, bay, serial) for bay, serial in bays.items()] or [
            (server, "-", "(no drive)")]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]}".rstrip() for r in rows]
    pulled = ", ".join(view.get("pulled") or ()) or "none"
    cords = ", ".join(view.get("cords_pulled") or ()) or "none"
    return "\n".join([*lines, f"pulled (held by the operator): {pulled}",
                      f"power cords pulled: {cords}"])


def render_moves(payload: Mapping[str, Any]) -> str:
    """One line per drive placed or left, then what to run next."""
    lines = []
    for move in payload["moved"]:
        origin = f"from {move['from']} {move['from_bay']}" if move.get("from") else "new"
        lines.append(f"{move['serial']}: {origin} -> {move['to']} {move['bay']}")
    lines += [f"{skip['serial']}: {skip['reason']}" for skip in payload.get("skipped", ())]
    lines += [f"pulled {p['serial']} from {p['from']} {p['from_bay']} (held by the operator)"
              for p in payload.get("pulled", ())]
    if payload.get("next"):
        lines.append(f"next: {payload['next']}")
    return "\n".join(lines)


@click.command("bays")
@config_option
@click.pass_context
def bays(ctx: click.Context, config_path: str | None) -> None:
    """Show which drive (serial) sits in which bay of each simulated node, the drives
    pulled and not inserted again, and the nodes whose power cords are pulled."""
    with failures_reported(ctx, None):
        view = SimControl(load_sim_config(config_path)).bays()
    output_of(ctx).result(view, render_bays)


@click.command("move")
@click.argument("serials", nargs=-1)
@click.option("--from", "source", metavar="NODE",
              help="The node the drives come out of (default: where each one is).")
@click.option("--to", "target", metavar="NODE", help="The node they go into.")
@click.option("--bay", help="The bay they go into (one drive only; default: the first "
                            "free bay): 'Bay 3', Bay3 or 3.")
@click.option("--all-mn", is_flag=True,
              help="Move the drives the pair's pending WORK ORDER names (a failover, a "
                   "drill's leg or pair setup-raid waiting for the disks), from its old node "
                   "into its target, as the operator would; drives already there are left.")
@config_option
@click.pass_context
def move(ctx: click.Context, serials: tuple[str, ...], source: str | None, target: str | None,
         bay: str | None, all_mn: bool, config_path: str | None) -> None:
    """Move drives between simulated nodes, as the operator does after a WORK ORDER."""
    if all_mn == bool(serials):
        raise click.UsageError("give the drives' SERIALS or --all-mn (one of them)")
    if bay and (all_mn or len(serials) > 1):
        raise click.UsageError("--bay places one drive: give one SERIAL")
    if not all_mn and not target:
        raise click.UsageError("--to NODE is needed (the node the drives go into)")
    with failures_reported(ctx, None):
        config = load_sim_config(config_path)
        control = SimControl(config)
        if all_mn:
            from hamnhw.cli.commands.simorder import pending_order

            plan = pending_order(config, source, target, config_path)
            payload = _move_all(control, plan.serials, plan.source, plan.target)
            payload["next"] = plan.next_command
        else:
            assert target is not None
            payload = _move_all(control, serials, source, target, bay_name(bay))
    output_of(ctx).result(payload, render_moves)


def _move_all(control: SimControl, serials: tuple[str, ...], source: str | None, target: str,
              bay: str | None = None) -> dict[str, Any]:
    control.node(target)
    moved: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for serial in serials:
        place = control.locate(serial)
        if place is not None and place[0] == target:
            skipped.append({"serial": serial, "reason": f"already in {target} {place[1]}"})
            continue
        if place is None and serial in control.bays()["pulled"]:
            placed = control.insert(target, serial, bay)
            moved.append({"serial": serial, "from": None, "from_bay": None, "to": target,
                          "bay": placed["bay"]})
            continue
        origin = source or _located(control, serial)
        if place is None or place[0] != origin:
            raise SimControlError(f"no drive with serial {serial!r} in {origin} (`hamnhw sim "
                                  "bays` lists where each drive is)")
        placed = control.move(serial, origin, target, bay)
        moved.append({"serial": serial, "from": origin, "from_bay": place[1], "to": target,
                      "bay": placed["bay"]})
    return {"moved": moved, "skipped": skipped}


@click.command("pull")
@click.argument("serials", nargs=-1, required=True)
@click.option("--from", "source", metavar="NODE",
              help="The node to pull them from (default: where each one is).")
@config_option
@click.pass_context
def pull(ctx: click.Context, serials: tuple[str, ...], source: str | None,
         config_path: str | None) -> None:
    """Pull drives out of their bays: the operator holds them until `hamnhw sim insert`."""
    with failures_reported(ctx, None):
        control = SimControl(load_sim_config(config_path))
        pulled = []
        for serial in serials:
            origin = source or _located(control, serial)
            drive = control.pull(origin, serial)
            pulled.append({"serial": serial, "from": origin, "from_bay": drive["bay"]})
    output_of(ctx).result({"moved": [], "pulled": pulled}, render_moves)


@click.command("insert")
@click.argument("serials", nargs=-1)
@click.option("--to", "target", metavar="NODE", required=True, help="The node they go into.")
@click.option("--bay", help="The bay (one drive only; default: the first free bay): "
                            "'Bay 3', Bay3 or 3.")
@click.option("--new", "new", is_flag=True,
              help="Insert blank drives with new serials (a replacement disk, or the disks "
                   "`pair setup-raid` builds its RAID1 on) instead of pulled ones.")
@click.option("--count", type=click.IntRange(1, 64), default=1, show_default=True,
              help="With --new: how many.")
@config_option
@click.pass_context
def insert(ctx: click.Context, serials: tuple[str, ...], target: str, bay: str | None,
           new: bool, count: int, config_path: str | None) -> None:
    """Insert pulled drives, or new blank ones (--new), into a simulated node's bays."""
    if new == bool(serials):
        raise click.UsageError("give the pulled drives' SERIALS or --new (one of them)")
    if bay and (len(serials) > 1 or (new and count > 1)):
        raise click.UsageError("--bay places one drive")
    with failures_reported(ctx, None):
        control = SimControl(load_sim_config(config_path))
        moved = []
        for serial in serials or (None,) * count:
            drive = control.insert(target, serial, bay_name(bay), new=new)
            moved.append({"serial": drive["serial"], "from": None, "from_bay": None,
                          "to": target, "bay": drive["bay"]})
    output_of(ctx).result({"moved": moved}, render_moves)


@click.command("fail")
@click.argument("serial")
@config_option
@click.pass_context
def fail(ctx: click.Context, serial: str, config_path: str | None) -> None:
    """Fail a drive where it sits: its RAID volume degrades (a hot spare takes over)."""
    with failures_reported(ctx, None):
        control = SimControl(load_sim_config(config_path))
        node = _located(control, serial)
        control.fail(node, serial)
    output_of(ctx).result({"failed": serial, "node": node},
                          lambda p: f"{p['failed']}: failed in {p['node']}")


COMMANDS = (bays, move, pull, insert, fail)
"""The subcommands of ``hamnhw sim``."""
