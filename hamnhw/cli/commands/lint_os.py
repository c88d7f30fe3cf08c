"""``hamnhw lint-os [--root DIR] [--pair-report F]``: what in the OS breaks after the move."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from hamnhw.cli.exit_codes import ExitCode
from hamnhw.cli.options import fail, output_of
from hamnhw.errors import ConfigError
from hamnhw.oslint.lint import lint_root
from hamnhw.pair.nicmap import read_pair_report


def render(payload: Mapping[str, Any]) -> str:
    """One block per finding: file:line [kind], the line, why, fix."""
    blocks = []
    for f in payload["findings"]:
        where = f"{f['file']}:{f['line']}" if f["line"] else f["file"]
        lines = [f"{where} [{f['kind']}]"]
        if f["text"]:
            lines.append(f"    {f['text']}")
        lines += [f"  why: {f['why']}", f"  fix: {f['fix']}"]
        blocks.append("\n".join(lines))
    summary = (f"{payload['count']} finding(s) under {payload['root']}" if payload["count"]
               else f"no findings under {payload['root']}")
    notes = [f"note: {n}" for n in payload["notes"]]
    return "\n\n".join([*blocks, "\n".join([summary, *notes])])


@click.command("lint-os")
@click.option("--root", "root", default="/", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False),
              help="Root of the OS to lint (a mounted image, or / for this host).")
@click.option("--pair-report", metavar="FILE", type=click.Path(dir_okay=False),
              help="Saved `hamnhw --json pair check` output: judge interface names bound to "
                   "PCI slots against the nodes' NIC layouts, and eth0-style names against "
                   "their NIC counts.")
@click.option("--json", "json_output", is_flag=True,
              help="Print the report as one JSON object (same as the global --json).")
@click.pass_context
def command(ctx: click.Context, root: str, pair_report: str | None, json_output: bool) -> None:
    """Find OS settings that break when the disks boot in the other node.

    MAC matches (HWADDR=, mac-address=, netplan match: macaddress, [Match] MACAddress=, udev
    rules) and MAC sets (MACADDR=, cloned-mac-address=, [Link] MACAddress=, netplan
    macaddress), PCI-slot interface names where the layouts differ, kernel probe-order
    names (eth0; a note when the pair report shows one Ethernet NIC per node), host-only
    initramfs, disks by-path/by-id, no UEFI fallback loader, LUKS bound to the TPM.  Each
    finding with file, line, why and fix; exit 5 when there is one.
    """
    try:
        if not Path(root).is_dir():
            raise ConfigError(f"--root {root}: not a directory")
        nic_map = read_pair_report(pair_report) if pair_report else None
        report = lint_root(root, nic_map)
    except ConfigError as exc:
        fail(ctx, None, exc)
        return
    output = output_of(ctx)
    output.json = output.json or json_output
    output.result(report.to_json(), render)
    if report.findings:
        ctx.exit(int(ExitCode.UNHEALTHY))
