"""``hamnhw pair check``: preflight of the pair, every check with its evidence, and the NIC map.

Exit 0 when no check fails (warnings and unknowns included), 5 when one fails; an unreachable
BMC is a failed check (exit 5), a bad config exit 2.  A stale pair snapshot (a RAID1 serial it
records in no bay of either node) is a failed ``snapshot`` check: the failover would stop at
its preflight (:func:`hamnhw.pair.snapshotcheck.snapshot_check`, which the Ansible
``pair_check`` module runs too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.exit_codes import ExitCode
from hamnhw.cli.options import connect_config_node, fail, output_of
from hamnhw.config import Config, find_config, load_config
from hamnhw.errors import ConfigError
from hamnhw.monitor.pair import active_for, live_node
from hamnhw.pair import ipmi_boot_modes, read_records
from hamnhw.pair.check import PairReport, evaluate
from hamnhw.pair.nodefacts import read_pair
from hamnhw.pair.snapshotcheck import with_snapshot_check
from hamnhw.views import section, table

PAIR_NODES = ("primary", "standby")


def require_pair(config: str | None) -> str:
    """The config file path, checked to define ``[primary]`` and ``[standby]``.

    :raises ConfigError: no config file, or a node missing.
    """
    path = find_config(config)
    if path is None:
        raise ConfigError("pair commands need a config file with [primary] and [standby] "
                          "(--config, $HAMNHW_CONFIG, ./hamnhw.toml, /etc/hamnhw/hamnhw.toml)")
    loaded = load_config(path)
    for name in PAIR_NODES:
        loaded.node(name)
    return str(path)


def render(payload: Mapping[str, Any]) -> str:
    """The checks, then the NIC map, as tables."""
    checks = table(("CHECK", "STATUS", "MESSAGE"),
                   ((c["name"], c["status"].upper(), c["message"]) for c in payload["checks"]))
    entries = payload["nic_map"]
    rows = [(e["primary"], e["standby"], e["matched_by"], e["primary_mac"], e["standby_mac"],
             "; ".join(e["issues"]) or "-") for e in entries or ()]
    nic_map = (table(("PRIMARY", "STANDBY", "MATCHED BY", "PRIMARY MAC", "STANDBY MAC",
                      "ISSUES"), rows) if rows
               else "(NICs unknown)" if entries is None else "(no NICs on either node)")
    active = payload["active"]
    verdict = ("FAILED: a check failed" if any(c["status"] == "fail" for c in payload["checks"])
               else "ok: no check failed")
    return "\n\n".join([section(f"pair check (active node: {active['node']}, "
                                f"{active['reason']})", checks),
                        section("NIC map", nic_map), verdict])


def check_with_recorded_active(path: str, active: str | None) -> PairReport:
    """Read both nodes and judge them, the active node being ``active``, else the one the
    failover journal records, else the powered-on holder of the last snapshot's RAID1
    serials, else ``[pair] active`` (as ``check pair`` finds it:
    :func:`~hamnhw.monitor.pair.active_for`), else worked out from what the BMCs show."""
    config: Config = load_config(path)
    found = read_pair(lambda name: connect_config_node(name, path))
    records = read_records(config)
    reason = None
    if active is None:
        live = {name: live_node(facts) for name, facts in found.items()}
        recorded = active_for(config, live, records)
        active, reason = recorded.node, f"from {recorded.source}"
    report = evaluate(found["primary"], found["standby"], active=active, reason=reason,
                      ipmi_boot_modes=ipmi_boot_modes(config),
                      journal_error=None if records.error is None else str(records.error))
    return with_snapshot_check(report, records.snapshot)


@click.command("check")
@click.option("--config", metavar="FILE", type=click.Path(dir_okay=False),
              help="Config file with [primary] and [standby] (default: $HAMNHW_CONFIG, "
                   "./hamnhw.toml, /etc/hamnhw/hamnhw.toml).")
@click.option("--active", type=click.Choice(PAIR_NODES),
              help="The node holding the MN's RAID1 (default: the failover journal's, else "
                   "the powered-on holder of the last snapshot's RAID1 serials, else [pair] "
                   "active, else worked out from what the BMCs show).")
@click.pass_context
def command(ctx: click.Context, config: str | None, active: str | None) -> None:
    """Check that the pair is ready for a disk-move failover; print the NIC map.

    Reads both BMCs: reachability, model, BIOS and boot mode, storage controller and
    firmware, RAID1 health and write cache on the active node, free bays on the other,
    power-restore policies, serial numbers, and NIC count, speed, order and link (each
    primary NIC paired with its standby counterpart by PCI location, Id, or order).  A node
    reached over IPMI (ipmi://) needs a known boot mode (its boot_mode, or the pair
    snapshot's): IPMI cannot read one, and the failover's boot overrides need it.  Drives
    a powered-off node's BMC shows from its last POST whose serials the active node shows
    (after a failover) do not take a bay.  The pair's journal on this host, where it
    exists, must be readable (else the failed check names it and why).  The last pair
    snapshot's RAID1 serials must be in a bay of either node (else it is stale: run
    hamnhw pair snapshot).
    Exit 0 when nothing fails, 5 when a check fails.
    """
    try:
        report = check_with_recorded_active(require_pair(config), active)
    except ConfigError as exc:
        fail(ctx, None, exc)
        return
    output_of(ctx).result(report.to_json(), render)
    if report.failed:
        ctx.exit(int(ExitCode.UNHEALTHY))
