"""``check raid``: each node's RAID health judged OK, WARNING, CRITICAL or UNKNOWN.

A check reads through a callable (the CLI connects, reads and logs out), so that the rules
here are plain functions of what was read or of the error that came instead.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

from hamnhw.errors import HamnhwError
from hamnhw.models import to_jsonable
from hamnhw.monitor.health import RaidHealth, Severity, VolumeState
from hamnhw.monitor.nagios import (
    FROM_SEVERITY,
    PerfDatum,
    PluginOutput,
    Status,
    status_for_error,
    worst,
)


@dataclasses.dataclass(frozen=True)
class NodeOutcome:
    """One node's verdict with its evidence."""

    node: str
    status: Status
    summary: str
    details: tuple[str, ...] = ()
    perfdata: tuple[PerfDatum, ...] = ()
    elapsed_s: float = 0.0
    health: RaidHealth | None = None
    error: BaseException | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object of this node."""
        payload: dict[str, Any] = {"node": self.node, "status": self.status.name,
                                   "summary": self.summary, "elapsed_s": round(self.elapsed_s, 3)}
        if self.health is not None:
            payload["volumes"] = to_jsonable(self.health.volumes)
            payload["drives"] = to_jsonable(self.health.drives)
        if self.error is not None:
            payload["error"] = {"type": type(self.error).__name__, "message": str(self.error)}
        return payload


def run_checks(nodes: Sequence[str], check: Callable[[str], NodeOutcome], *,
               concurrency: int | None = None) -> list[NodeOutcome]:
    """``check`` every node, at most ``concurrency`` at once (default: the fan-out's,
    :data:`~hamnhw.fleet.runner.DEFAULT_CONCURRENCY`; :func:`hamnhw.fleet.runner.run_each`),
    in the order given; a check that raised is judged from its error."""
    from hamnhw.fleet.runner import run_each

    order = {name: index for index, name in enumerate(nodes)}
    outcomes = [result.value if result.value is not None else failed_check(
        result.node, result.error, result.elapsed_s)
        for result in run_each(nodes, check, name=str, concurrency=concurrency)]
    return sorted(outcomes, key=lambda outcome: order[outcome.node])


def failed_check(node: str, error: BaseException | None, elapsed_s: float) -> NodeOutcome:
    """The outcome of a check that ended with ``error`` instead of a reading."""
    assert error is not None
    return NodeOutcome(node, status_for_error(error), f"{node}: {error}", elapsed_s=elapsed_s,
                       error=error, perfdata=(PerfDatum("time", elapsed_s, "s", min=0),))


def check_raid_node(node: str, read: Callable[[], RaidHealth]) -> NodeOutcome:
    """Read ``node``'s RAID health through ``read`` and judge it."""
    started = time.monotonic()
    try:
        health = read()
    except HamnhwError as exc:
        return failed_check(node, exc, time.monotonic() - started)
    return judge_raid(node, health, time.monotonic() - started)


def judge_raid(node: str, health: RaidHealth, elapsed_s: float) -> NodeOutcome:
    """The verdict on one read (see the README's outcome table)."""
    perf = raid_perfdata(health, elapsed_s)
    if health.volumes is None:
        return NodeOutcome(node, Status.UNKNOWN, f"{node}: the BMC did not tell the RAID volumes",
                           perfdata=perf, elapsed_s=elapsed_s, health=health)
    if not health.volumes:
        return NodeOutcome(node, Status.CRITICAL, f"{node}: no RAID volume", perfdata=perf,
                           elapsed_s=elapsed_s, health=health)
    details = [f"{node}: volume {v.label} ({v.raid_type}) {_state_text(v.state, v.percent)}"
               + (f": {v.reason}" if v.severity is not Severity.OK and v.reason else "")
               for v in health.volumes]
    bad_drives = [d for d in health.drives or () if d.severity in (Severity.WARNING,
                                                                    Severity.CRITICAL)]
    details += [f"{node}: drive {d.serial or d.id} in {d.bay or '?'} {d.health.value}"
                for d in bad_drives]
    status = worst([FROM_SEVERITY[v.severity] for v in health.volumes]
                   + [Status.WARNING for _ in bad_drives])
    unhealthy = [v for v in health.volumes if v.severity is not Severity.OK]
    if unhealthy:
        summary = ", ".join(f"{v.label} {_state_text(v.state, v.percent)}" for v in unhealthy)
    elif bad_drives:
        summary = f"{len(bad_drives)} drive(s) not OK outside the volumes' state"
    else:
        summary = f"{len(health.volumes)} volume(s) optimal"
    return NodeOutcome(node, status, f"{node}: {summary}", tuple(details), perf, elapsed_s,
                       health)


def _state_text(state: VolumeState, percent: int | None) -> str:
    if state is VolumeState.REBUILDING and percent is not None:
        return f"rebuilding {percent}%"
    return state.value


def raid_perfdata(health: RaidHealth, elapsed_s: float) -> tuple[PerfDatum, ...]:
    """Rebuild percent (lowest of the rebuilding volumes, ``U`` when none), degraded volume
    count, drive count, response time."""
    volumes = health.volumes or ()
    rebuilding = [v.percent for v in volumes
                  if v.state is VolumeState.REBUILDING and v.percent is not None]
    degraded = sum(v.state in (VolumeState.DEGRADED, VolumeState.REBUILDING) for v in volumes)
    return (
        PerfDatum("rebuild", min(rebuilding) if rebuilding else None, "%", min=0, max=100),
        # warn "0": the range 0..0, so one degraded volume is outside it (WARNING, as the
        # status says); "1" would alert only above 1 (monitoring-plugins threshold format)
        PerfDatum("degraded", degraded if health.volumes is not None else None, warn=0, min=0),
        PerfDatum("drives", len(health.drives) if health.drives is not None else None, min=0),
        PerfDatum("time", elapsed_s, "s", min=0),
    )


def plugin_output(service: str, outcomes: Sequence[NodeOutcome]) -> PluginOutput:
    """One plugin output for several nodes: the worst status, each node's summary, and the
    perfdata (labels prefixed with the node when there are several)."""
    status = worst(o.status for o in outcomes)
    if len(outcomes) == 1:
        only = outcomes[0]
        return PluginOutput(service, status, only.summary, only.details, only.perfdata)
    bad = [o for o in outcomes if o.status is not Status.OK]
    summary = "; ".join(o.summary for o in bad) or f"{len(outcomes)} nodes OK"
    details = [line for o in outcomes for line in (o.summary, *o.details)]
    perf = [dataclasses.replace(p, label=f"{o.node}_{p.label}")
            for o in outcomes for p in o.perfdata]
    return PluginOutput(service, status, summary, details, perf)
