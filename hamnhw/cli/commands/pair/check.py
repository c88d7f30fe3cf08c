"""``hamnhw pair check``: preflight of the pair, every check with its evidence, and the NIC map.

Exit 0 when no check fails (warnings and unknowns included), 5 when one fails; an unreachable
BMC is a failed check (exit 5), a bad config exit 2.  A stale pair snapshot (a RAID1 serial it
records in no bay of either node) is a failed ``snapshot`` check: the failover would stop at
its preflight (:func:`snapshot_check`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import click

from hamnhw.cli.exit_codes import ExitCode
from hamnhw.cli.options import connect_config_node, fail, output_of
from hamnhw.config import Config, find_config, load_config
from hamnhw.errors import ConfigError
from hamnhw.monitor.pair import LiveNode, active_for, live_node, missing_serials, stale_text
from hamnhw.pair import ipmi_boot_modes, read_records
from hamnhw.pair.check import PairReport, evaluate
from hamnhw.pair.nodefacts import NodeFacts, read_pair
from hamnhw.pair.results import CheckResult, Status, result
from hamnhw.pair.snapshot import PairSnapshot
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
    live = {name: live_node(facts) for name, facts in found.items()}
    if active is None:
        recorded = active_for(config, live, records)
        active, reason = recorded.node, f"from {recorded.source}"
    report = evaluate(found["primary"], found["standby"], active=active, reason=reason,
                      ipmi_boot_modes=ipmi_boot_modes(config),
                      journal_error=None if records.error is None else str(records.error))
    checked = snapshot_check(records.snapshot, found, live)
    if checked is None:
        return report
    after = next((i + 1 for i, c in enumerate(report.checks) if c.name == "raid1"),
                 len(report.checks))
    return dataclasses.replace(report, checks=(*report.checks[:after], checked,
                                               *report.checks[after:]))


def snapshot_check(snapshot: PairSnapshot | None, found: Mapping[str, NodeFacts],
                   live: Mapping[str, LiveNode]) -> CheckResult | None:
    """``snapshot``: every RAID1 serial of the last ``pair snapshot`` is in a bay of one
    of the nodes (pass), else it is stale (fail: the failover checks the RAID1 members by
    serial and stops at its preflight; when the active node is down no new snapshot can be
    taken); ``unknown`` when a node's drives were not read whole.  None without a snapshot
    RAID1 to compare (none taken yet: preparation)."""
    serials = snapshot.mn_serials() if snapshot is not None else ()
    if not serials:
        return None
    missing = missing_serials(serials, live)
    where = {d.serial: f"{name} {d.location or '?'}" for name, facts in found.items()
             for d in facts.drives or () if d.serial in serials}
    evidence = {"serials": list(serials), "found": where}
    if missing is None:
        unread = [n for n, state in live.items() if state.serials is None or not state.whole]
        return result("snapshot", Status.UNKNOWN, "cannot tell whether the pair snapshot's "
                      f"RAID1 serials are still in a bay: the drives of {', '.join(unread)} "
                      "were not all read", **evidence)
    if missing:
        return result("snapshot", Status.FAIL, stale_text(missing), missing=list(missing),
                      **evidence)
    return result("snapshot", Status.PASS, "the pair snapshot's RAID1 serials are in a bay: "
                  + ", ".join(f"{s} ({where[s]})" for s in serials), **evidence)


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
