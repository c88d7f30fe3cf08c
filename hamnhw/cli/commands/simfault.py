"""``hamnhw sim fault NODE KIND``: make a simulated BMC misbehave; ``--clear`` ends it.

The simulator's faults (:mod:`hamnhw.simfaults`: a BMC that hangs, answers slowly, answers
5xx or HTML, refuses the password, ignores a power action...) from the command line, through
the control API (``POST /hamnhw-sim/faults``, :mod:`hamnhw.sim.control`) of the config
``hamnhw sim --config-out FILE`` wrote::

    hamnhw sim fault node2 hang --config sim.toml          # node2's BMC never answers
    hamnhw power status node1 node2 --config sim.toml      # node1 answers, node2 times out
    hamnhw sim fault node2 --clear --config sim.toml
    hamnhw sim fault node1 latency --param seconds=5 --count 3 --config sim.toml
    hamnhw sim fault primary refuse_password --config pair.toml
    hamnhw sim fault node1 --config sim.toml               # the faults active on node1

The request goes through another simulated node's control port where one answers (as for
``hamnhw sim cords``), so a node whose cords are pulled still has its faults set or cleared.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import click

from hamnhw.cli.commands.simbays import config_option, load_sim_config
from hamnhw.cli.options import failures_reported, output_of
from hamnhw.simcontrol import SimControl
from hamnhw.simfaults import FAULT_DESCRIPTIONS, FAULT_KINDS, parameters_text

METHODS = ("GET", "HEAD", "POST", "PATCH", "PUT", "DELETE")


def kinds_help() -> str:
    """The kinds, their parameters with defaults, and what each does (for ``--help``:
    wrapped here, Click keeps a ``\\b`` paragraph as it is)."""
    lines = []
    for kind, text in FAULT_DESCRIPTIONS.items():
        head = f"{kind} ({parameters_text(kind)})" if FAULT_KINDS[kind] else kind
        lines += textwrap.wrap(f"{head}: {text}", width=76, initial_indent="  ",
                               subsequent_indent="      ")
    return "\b\nKINDS (--param NAME=VALUE, defaults shown):\n" + "\n".join(lines)


def parse_params(kind: str, given: Sequence[str]) -> dict[str, int | float]:
    """``--param NAME=VALUE`` of ``kind`` as numbers.

    :raises click.BadParameter: not NAME=NUMBER, a negative number, or a parameter the kind
        does not take."""
    params: dict[str, int | float] = {}
    for item in given:
        name, sep, text = item.partition("=")
        if not sep or name not in FAULT_KINDS[kind]:
            takes = ", ".join(FAULT_KINDS[kind]) or "none"
            raise click.BadParameter(f"{item!r}: {kind} takes NAME=VALUE with NAME one of: "
                                     f"{takes}", param_hint="--param")
        try:
            value: int | float = int(text) if text.strip().isdigit() else float(text)
        except ValueError:
            raise click.BadParameter(f"{item!r}: VALUE must be a number",
                                     param_hint="--param") from None
        if value < 0:
            raise click.BadParameter(f"{item!r}: VALUE must be >= 0", param_hint="--param")
        params[name] = value
    return params


def describe(fault: Mapping[str, Any]) -> str:
    """``hang on every request``, ``latency (seconds=5) on the next 3 GET requests under
    /redfish/v1/Systems``."""
    params = " ".join(f"{k}={v}" for k, v in (fault.get("params") or {}).items())
    count = fault.get("count")
    left = count - fault.get("hits", 0) if count else None
    method = f" {fault['method'].upper()}" if fault.get("method") else ""
    under = f" under {fault['path']}" if fault.get("path") else ""
    which = f"the next {left}{method} request{'s' if left != 1 else ''}" if left else \
        f"every{method} request"
    return f"{fault['kind']}{f' ({params})' if params else ''} on {which}{under}"


def render_fault(payload: Mapping[str, Any]) -> str:
    """What was injected, cleared or is active on the node, and what comes next."""
    node = payload["node"]
    if "fault" in payload:
        lines = [f"{node}: fault {describe(payload['fault'])}",
                 f"its BMC: {FAULT_DESCRIPTIONS[payload['fault']['kind']]}"]
    elif "cleared" in payload:
        cleared = payload["cleared"]
        lines = [f"{node}: {len(cleared)} fault(s) cleared: "
                 + "; ".join(describe(f) for f in cleared) if cleared
                 else f"{node}: no fault was active"]
    else:
        active = payload["faults"]
        lines = [f"{node}: {describe(f)} ({f.get('hits', 0)} hit(s) so far)" for f in active]
        lines = lines or [f"{node}: no fault active"]
    return "\n".join([*lines, f"next: {payload['next']}"] if payload.get("next") else lines)


def _next(node: str, payload: Mapping[str, Any]) -> str | None:
    fault = payload.get("fault")
    if fault is not None and fault["kind"] == "rotate_password":
        return "the changed password holds until the simulator restarts"
    if fault is not None:
        return f"`hamnhw sim fault {node} --clear` ends it"
    if any(f["kind"] == "rotate_password" and f.get("hits") for f in payload.get("cleared", ())):
        return "the password rotate_password changed stays changed until the simulator restarts"
    return None


@click.command("fault", epilog=kinds_help())
@click.argument("node")
@click.argument("kind", required=False, type=click.Choice(tuple(FAULT_KINDS)),
                metavar="[KIND]")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of KIND (a number; repeat for several), e.g. seconds=5.")
@click.option("--count", type=click.IntRange(1), metavar="N",
              help="Only the next N matching requests (default: every one until --clear).")
@click.option("--path", metavar="PREFIX",
              help="Only requests whose path starts with PREFIX, e.g. /redfish/v1/Systems/1.")
@click.option("--method", type=click.Choice(METHODS, case_sensitive=False),
              help="Only requests with this HTTP method.")
@click.option("--clear", is_flag=True, help="Remove every fault of NODE.")
@config_option
@click.pass_context
def fault(ctx: click.Context, node: str, kind: str | None, params: tuple[str, ...],
          count: int | None, path: str | None, method: str | None, clear: bool,
          config_path: str | None) -> None:
    """Make a simulated node's BMC misbehave (hang, slow, 5xx, wrong password...).

    With KIND, inject that fault into NODE's BMC; with --clear, remove every fault of
    NODE; with neither, list NODE's active faults.  Control requests (hamnhw sim ...)
    are never faulted."""
    if clear and (kind or params or count or path or method):
        raise click.UsageError("--clear takes no KIND nor fault option: it removes every "
                               "fault of NODE")
    if kind is None and (params or count or path or method):
        raise click.UsageError("--param, --count, --path and --method go with a KIND")
    options: dict[str, Any] = {**parse_params(kind, params)} if kind else {}
    options.update({k: v for k, v in (("count", count), ("path", path),
                                      ("method", method and method.upper())) if v})
    with failures_reported(ctx, None):
        control = SimControl(load_sim_config(config_path))
        payload: dict[str, Any] = {"node": node}
        if clear:
            payload["cleared"] = control.clear_faults(node)
        elif kind is not None:
            payload["fault"] = control.fault(node, kind, **options)
        else:
            payload["faults"] = control.faults(node)
        payload["next"] = _next(node, payload)
    output_of(ctx).result(payload, render_fault)
