"""``hamnhw record NODE OUT_DIR``: write scrubbed fixtures of a BMC.

Without ``--session`` the BMC's resources are walked breadth first from
``/redfish/v1``; with ``--session NAME`` one operation (e.g. ``power-cycle``:
power off, then on) is run through :func:`hamnhw.connect` and every exchange
recorded.  Output goes to ``OUT_DIR/<vendor>/<model>_<fw>/<walk|NAME>/``.

The sessions that change the power state (``power-cycle``, ``power-off``, ``power-on``)
need ``--yes``; ``power-cycle`` refuses a node that is off, as ``hamnhw power cycle`` does.
``--timeout`` bounds connecting, each request and each power change a session waits for,
not the command as a whole.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.options import (
    TargetOptions,
    failures_reported,
    node_options,
    output_of,
    poll_policy,
)
from hamnhw.cli.resolve import tty_connect_arguments
from hamnhw.errors import ConfigError
from hamnhw.fixturetools.record import WalkLimits
from hamnhw.fixturetools.sessions import CHANGES_STATE, SESSIONS, record_session, record_walk

TIMEOUT_HELP = ("Seconds for connecting, for each request, and for each power change a "
                "session waits for (default: config, else 120); not for the command as a "
                "whole: a walk makes up to --max-resources requests.")
_CHANGING = ", ".join(sorted(CHANGES_STATE))


@click.command("record")
@node_options
@click.argument("out_dir", metavar="OUT_DIR", type=click.Path(file_okay=False))
@click.option("--session", type=click.Choice(sorted(SESSIONS)),
              help=f"Record this operation instead of a resource walk. {_CHANGING} change the "
                   "host's power state (they need --yes; power-cycle refuses a node that is "
                   "off); the others only read.")
@click.option("--yes", is_flag=True,
              help=f"Confirm a session that changes the power state ({_CHANGING}).")
@click.option("--vendor", metavar="V", help="Vendor directory name (default: ServiceRoot Vendor).")
@click.option("--model", metavar="M", help="Model (default: the first Manager's Model).")
@click.option("--firmware", metavar="F",
              help="Firmware (default: the first Manager's FirmwareVersion).")
@click.option("--source", default="bmc", show_default=True,
              help="What is recorded, for meta.json (bmc, hamnhw-sim, sushy-tools ...).")
@click.option("--max-resources", type=click.IntRange(min=1), default=500, show_default=True,
              help="Walk at most this many resources.")
@click.pass_context
def command(ctx: click.Context, target: TargetOptions, out_dir: str, session: str | None,
            vendor: str | None, model: str | None, firmware: str | None, source: str,
            max_resources: int, yes: bool) -> None:
    """Record NODE's exchanges as scrubbed fixtures under OUT_DIR.

    Sessions power-cycle, power-off and power-on change the host's power state and need
    --yes; power-cycle refuses a node that is off (nothing sent). Not bounded as a whole:
    --timeout bounds connecting, each request and each power change of a session,
    --max-resources the walk's length."""
    with failures_reported(ctx, target.node):
        if session in CHANGES_STATE and not yes:
            raise ConfigError(f"--session {session} changes the power state of "
                              f"{target.node}: add --yes to record it (nothing was sent)")
        kwargs = tty_connect_arguments(target)
        url = kwargs.pop("url")
        policy = poll_policy()
        timeout = kwargs.get("timeout")
        kwargs["poll"] = dataclasses.replace(policy, timeout=timeout) if timeout else policy
        if session:
            written = record_session(url, out_dir, session, source=source, vendor=vendor,
                                     model=model, firmware=firmware, **kwargs)
        else:
            limits = WalkLimits(max_resources=max_resources)
            written = record_walk(url, out_dir, limits=limits, source=source, vendor=vendor,
                                  model=model, firmware=firmware, **kwargs)
    output_of(ctx).result(_payload(target.node, written, session), _render)


for _param in command.params:
    if _param.name == "timeout":  # the shared text speaks of the whole command
        _param.help = TIMEOUT_HELP


def _payload(node: str, directory: pathlib.Path, session: str | None) -> dict[str, Any]:
    from hamnhw.fixturetools.fixture import load_meta

    meta = load_meta(directory)
    return {"node": node, "directory": str(directory), "kind": meta.get("kind"),
            "session": session, "exchanges": meta.get("exchanges"),
            "scrubbed": meta.get("scrubbed", {})}


def _render(payload: Mapping[str, Any]) -> str:
    scrubbed = ", ".join(f"{k} {v}" for k, v in payload["scrubbed"].items()) or "nothing"
    what = payload["session"] or "walk"
    return (f"{payload['node']}: recorded {what}, {payload['exchanges']} exchanges, "
            f"into {payload['directory']}\nscrubbed: {scrubbed}")
