"""A partial read never passes as fact.

When a node's storage or host-NIC walk read only part of the tree (a drive, an interface
answering 404), a missing drive or NIC may be a read failure.  ``pair check`` then:

* fails ``complete_read``, naming what was not read (a preflight gate must not say ready on
  half a picture); a node not reached at all leaves it ``unknown`` (``reachable`` fails);
* turns every check resting on the incomplete part into ``unknown``, except a warning or
  failure resting on what *was* read (a drive seen in a bay the RAID1 needs, a degraded
  volume, a write-back cache, two paired NICs at different speeds): that stays.

Consumers of the report (``dhcp render``, ``lint-os --pair-report``) refuse a NIC map built
from an incomplete NIC read.
"""

from __future__ import annotations

from hamnhw.pair.nodefacts import NodeFacts, not_read
from hamnhw.pair.results import CheckResult, Status

PARTS = ("storage", "nics")
"""The fact groups read by walks that can be partial."""


def incomplete_of(part: str, *nodes: NodeFacts) -> dict[str, list[str]]:
    """Node name -> what could not be read of ``part``, for the nodes whose read was partial."""
    return {n.name: list(n.partial[part]) for n in nodes if n.partial.get(part)}


def guard(result: CheckResult, part: str, *nodes: NodeFacts,
          positive: bool = False) -> CheckResult:
    """``result``, or ``unknown`` when a node's ``part`` was read only in part.

    :param positive: the result's warn/fail rests on what was read (kept as it is).
    """
    partial = incomplete_of(part, *nodes)
    if not partial:
        return result
    evidence = {**result.evidence, "incomplete": partial}
    if positive and result.status in (Status.WARN, Status.FAIL):
        return CheckResult(result.name, result.status, evidence, result.message)
    first = next(iter(partial.values()))[0]
    return CheckResult(result.name, Status.UNKNOWN, evidence,
                       f"{' and '.join(partial)}: {part} read incomplete ({first}), so "
                       f"cannot tell (as read: {result.message})")


def check_complete_read(primary: NodeFacts, standby: NodeFacts) -> CheckResult:
    """Both nodes' storage and host NICs were read whole; ``unknown`` when a node could not
    be read at all (nothing was read whole), unless what was read of the other is partial."""
    partial = {part: found for part in PARTS if (found := incomplete_of(part, primary, standby))}
    down = [n.name for n in (primary, standby) if not n.reachable]
    if not partial and down:
        return CheckResult("complete_read", Status.UNKNOWN, {"unreachable": down},
                           f"cannot tell: {not_read((primary, standby))}")
    if not partial:
        return CheckResult("complete_read", Status.PASS, {}, "storage and NICs read whole")
    what = "; ".join(f"{node} {part}: {warnings[0]}" + (f" (+{len(warnings) - 1} more)"
                                                        if len(warnings) > 1 else "")
                     for part, nodes in partial.items() for node, warnings in nodes.items())
    return CheckResult("complete_read", Status.FAIL, {"incomplete": partial},
                       f"read only in part, so a missing drive or NIC may be a read failure: "
                       f"{what}")
