"""``hamnhw pair check``: is the pair ready for a disk-move failover?

Every check passes, warns or fails with its evidence, or says ``unknown`` where a BMC can't
tell.  A BMC that can't be reached is a failed ``reachable`` check (the others that needed it
are unknown), never a different exit code.  :func:`evaluate` is pure: it judges two
:class:`~hamnhw.pair.nodefacts.NodeFacts`; :func:`check_pair` reads them first.

The *active* node is the one holding the MN's RAID1 (by default: the powered-on node showing a
RAID1 volume, else the one showing it, else the primary); the other is the *spare*, which
receives the disks and must stay off after a power loss.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hamnhw.models import Health, PowerRestorePolicy, PowerState, RaidType, Volume
from hamnhw.pair.nicchecks import judge_nics
from hamnhw.pair.nicmap import NicPair, match_nics, nic_map_json
from hamnhw.pair.nodefacts import (
    NodeFacts,
    Opener,
    answered,
    facts_json,
    not_read,
    read_pair,
)
from hamnhw.pair.partial import check_complete_read, guard, incomplete_of
from hamnhw.pair.results import CheckResult, Status, result
from hamnhw.pair.stale import stale_drives, stale_note


@dataclasses.dataclass(frozen=True)
class PairReport:
    """Everything ``pair check`` found."""

    checks: tuple[CheckResult, ...]
    nic_map: tuple[NicPair, ...] | None
    """None when a node's NICs are unknown (not read, or its BMC shows none): no map."""
    active: str
    """Which node was taken as active, and :attr:`active_reason` why."""
    active_reason: str
    nodes: dict[str, NodeFacts]

    @property
    def failed(self) -> bool:
        """True when any check failed (exit 5)."""
        return any(c.status is Status.FAIL for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        """``{"checks": [...], "nic_map": [...] or null, "active", "nodes"}``."""
        return {"checks": [c.to_json() for c in self.checks],
                "nic_map": None if self.nic_map is None else nic_map_json(self.nic_map),
                "active": {"node": self.active, "reason": self.active_reason},
                "nodes": {name: facts_json(f) for name, f in self.nodes.items()}}


WRITE_BACK = ("WriteBack", "ProtectedWriteBack", "UnprotectedWriteBack")


def _unknown_if_unreachable(name: str, *nodes: NodeFacts) -> CheckResult | None:
    down = [n.name for n in nodes if not n.reachable]
    if not down:
        return None
    return result(name, Status.UNKNOWN, f"cannot tell: {not_read(nodes)}", unreachable=down)


def check_reachable(primary: NodeFacts, standby: NodeFacts) -> CheckResult:
    """Both BMCs answered and accepted the credentials; else what each one answered
    (credentials rejected, naming the account and the password source; a certificate not
    accepted; the connection refused, which is an answer; no answer)."""
    evidence = {n.name: "ok" if n.reachable else f"{n.error_type}: {n.error}"
                for n in (primary, standby)}
    down = [n for n in (primary, standby) if not n.reachable]
    if down:
        return CheckResult("reachable", Status.FAIL, evidence,
                           "; ".join(answered(n) for n in down))
    return CheckResult("reachable", Status.PASS, evidence, "both BMCs answered")


def _compare(name: str, primary: NodeFacts, standby: NodeFacts, value: Callable[[NodeFacts], Any],
             differ: Status, what: str) -> CheckResult:
    """Same value on both nodes: pass; different: ``differ``; either unknown: unknown."""
    skipped = _unknown_if_unreachable(name, primary, standby)
    if skipped:
        return skipped
    a, b = value(primary), value(standby)
    evidence = {"primary": a, "standby": b}
    if a is None or b is None:
        return CheckResult(name, Status.UNKNOWN, evidence, f"a BMC does not tell the {what}")
    if a != b:
        return CheckResult(name, differ, evidence, f"{what} differs: {a} vs {b}")
    return CheckResult(name, Status.PASS, evidence, f"same {what}: {a}")


def check_model(primary: NodeFacts, standby: NodeFacts) -> CheckResult:
    """Same model recommended (the seed: similar hardware, not required identical)."""
    return _compare("model", primary, standby, lambda n: n.system.model if n.system else None,
                    Status.WARN, "model")


def check_bios(primary: NodeFacts, standby: NodeFacts) -> CheckResult:
    """Same BIOS/UEFI firmware version (a difference is worth knowing, not fatal)."""
    return _compare("bios_version", primary, standby,
                    lambda n: n.system.bios_version if n.system else None, Status.WARN,
                    "BIOS version")


def check_boot_mode(primary: NodeFacts, standby: NodeFacts) -> CheckResult:
    """UEFI disks do not boot in legacy mode (and the reverse): a difference fails."""
    return _compare("boot_mode", primary, standby, lambda n: n.boot_mode, Status.FAIL,
                    "boot mode")


def check_ipmi_boot_mode(modes: Mapping[str, str | None]) -> CheckResult:
    """Nodes reached over IPMI (``modes``: name -> the boot mode their config table or the
    pair snapshot gives, None when neither does): IPMI cannot read a boot mode, and the
    failover's one-time boot overrides need it, so an unknown one fails."""
    unknown = [name for name, mode in modes.items() if mode is None]
    evidence = dict(modes)
    if unknown:
        keys = ", ".join(f"[{name}] boot_mode" for name in unknown)
        return CheckResult("ipmi_boot_mode", Status.FAIL, evidence,
                           f"{', '.join(unknown)} reached over IPMI, which cannot read a boot "
                           f'mode, and none is known: set {keys} = "UEFI" or "Legacy" (a '
                           "failover would refuse this at preflight)")
    return CheckResult("ipmi_boot_mode", Status.PASS, evidence,
                       "boot mode of the IPMI node(s) from the config or the pair snapshot")


def _controllers(node: NodeFacts) -> list[dict[str, Any]] | None:
    if node.controllers is None:
        return None
    return [{"id": c.id, "model": c.model, "firmware": c.firmware} for c in node.controllers]


def check_storage_controller(primary: NodeFacts, standby: NodeFacts) -> CheckResult:
    """Same controller model (the moved RAID1 must be importable); same firmware advised."""
    name = "storage_controller"
    skipped = _unknown_if_unreachable(name, primary, standby)
    if skipped:
        return skipped
    a, b = _controllers(primary), _controllers(standby)
    evidence = {"primary": a, "standby": b}
    if not a or not b:
        return CheckResult(name, Status.UNKNOWN, evidence,
                           "a BMC shows no storage controller (hidden while off, or none)")
    if any(c["model"] is None for c in a + b):
        return CheckResult(name, Status.UNKNOWN, evidence,
                           "a BMC does not tell its storage controller's model")
    models = [sorted(str(c["model"]) for c in side) for side in (a, b)]
    if models[0] != models[1]:
        return CheckResult(name, Status.FAIL, evidence, f"controller models differ: "
                           f"{', '.join(models[0])} vs {', '.join(models[1])}")
    firmware = [sorted(str(c["firmware"]) for c in side) for side in (a, b)]
    if any(c["firmware"] is None for c in a + b):
        return CheckResult(name, Status.UNKNOWN, evidence,
                           "same controller model; a BMC does not tell the firmware")
    if firmware[0] != firmware[1]:
        return CheckResult(name, Status.WARN, evidence,
                           f"same controller model, firmware differs: {', '.join(firmware[0])}"
                           f" vs {', '.join(firmware[1])}")
    return CheckResult(name, Status.PASS, evidence, "same controller model and firmware")


def raid1_volumes(node: NodeFacts) -> list[Volume] | None:
    """The node's RAID1 volumes; None when the BMC does not tell."""
    if node.volumes is None:
        return None
    return [v for v in node.volumes if v.raid_type in (RaidType.RAID1, RaidType.RAID10)
            or v.raid_type is RaidType.RAID1E]


def check_raid1(active: NodeFacts) -> CheckResult:
    """The active node's RAID1 is optimal: healthy, two members, nothing running."""
    name = "raid1"
    skipped = _unknown_if_unreachable(name, active)
    if skipped:
        return skipped
    volumes = raid1_volumes(active)
    if volumes is None:
        return result(name, Status.UNKNOWN, f"{active.name}'s BMC does not show its volumes",
                       node=active.name)
    evidence = {"node": active.name,
                "volumes": [{"id": v.id, "name": v.name, "health": v.health.value,
                             "state": v.state, "drives": list(v.drive_ids or []) or None,
                             "operation": v.operation.name if v.operation else None}
                            for v in volumes]}
    if not volumes:
        return CheckResult(name, Status.FAIL, evidence, f"{active.name} has no RAID1 volume")
    bad = [v for v in volumes if v.health in (Health.WARNING, Health.CRITICAL)
           or (v.drive_ids is not None and len(v.drive_ids) < 2)]
    if bad:
        return CheckResult(name, Status.FAIL, evidence,
                           f"RAID1 {bad[0].name or bad[0].id} is not optimal "
                           f"(health {bad[0].health.value})")
    if any(v.operation for v in volumes):
        return CheckResult(name, Status.WARN, evidence, "RAID1 has an operation running")
    if any(v.health is Health.UNKNOWN for v in volumes):
        return CheckResult(name, Status.UNKNOWN, evidence, "the BMC does not tell RAID1 health")
    return CheckResult(name, Status.PASS, evidence, "RAID1 optimal")


def check_write_cache(active: NodeFacts) -> CheckResult:
    """Write-through is safe across a forced power-off; write-back only after a clean one."""
    name = "write_cache"
    skipped = _unknown_if_unreachable(name, active)
    if skipped:
        return skipped
    volumes = raid1_volumes(active) or []
    policies = {v.id: v.write_cache_policy for v in volumes}
    evidence = {"node": active.name, "policies": {k: str(p) if p else None
                                                  for k, p in policies.items()}}
    if not policies or any(p is None for p in policies.values()):
        return CheckResult(name, Status.UNKNOWN, evidence,
                           "the BMC does not tell the RAID1 write-cache policy")
    if any(str(p) in WRITE_BACK for p in policies.values()):
        return CheckResult(name, Status.WARN, evidence,
                           "write-back cache: only a clean shutdown puts the cache on the disks "
                           "before they move")
    return CheckResult(name, Status.PASS, evidence, "no write-back cache on the RAID1")


def _member_bays(active: NodeFacts) -> list[str] | None:
    volumes = raid1_volumes(active)
    if not volumes or active.drives is None:
        return None
    members = {d for v in volumes for d in (v.drive_ids or ())}
    bays = [d.location for d in active.drives if d.id in members]
    return None if not bays or any(b is None for b in bays) else sorted(str(b) for b in bays)


def check_free_bays(active: NodeFacts, spare: NodeFacts) -> CheckResult:
    """The spare has the active RAID1's bays free to receive its disks (drives it shows only
    from its last POST, now in the active node, do not take a bay: :func:`stale_drives`)."""
    name = "free_bays"
    skipped = _unknown_if_unreachable(name, active, spare)
    if skipped:
        return skipped
    bays = _member_bays(active)
    stale = stale_drives(active, spare)
    occupied = None if spare.drives is None else sorted(
        str(d.location) for d in spare.drives if d.state != "Absent" and d not in stale)
    evidence = {"raid1_bays": {active.name: bays}, "occupied": {spare.name: occupied},
                "empty": {spare.name: list(spare.empty_bays)
                          if spare.empty_bays is not None else None}}
    if stale:
        evidence["stale"] = {spare.name: [f"{d.serial} ({d.location})" for d in stale]}
    if bays is None or occupied is None:
        return CheckResult(name, Status.UNKNOWN, evidence,
                           "cannot tell which bays the RAID1 uses or which are free on "
                           f"{spare.name}")
    clash = [b for b in bays if b in occupied]
    if clash:
        return CheckResult(name, Status.FAIL, evidence,
                           f"{spare.name} has drives in {', '.join(clash)}, where "
                           f"{active.name}'s RAID1 disks go" + stale_note(stale, active, spare))
    return CheckResult(name, Status.PASS, evidence,
                       f"{', '.join(bays)} free on {spare.name}" + stale_note(stale, active, spare))


def check_restore_policy(active: NodeFacts, spare: NodeFacts) -> CheckResult:
    """The spare must stay off after a power loss; the active MN should come back."""
    name = "restore_policy"
    evidence = {n.name: n.restore_policy.value if n.restore_policy else None
                for n in (active, spare)}
    if not spare.reachable:
        return CheckResult(name, Status.UNKNOWN, evidence, f"cannot tell: {not_read([spare])}")
    if spare.restore_policy is None:
        return CheckResult(name, Status.UNKNOWN, evidence,
                           f"{spare.name}'s BMC does not tell its power-restore policy")
    if spare.restore_policy is not PowerRestorePolicy.ALWAYS_OFF:
        return CheckResult(name, Status.FAIL, evidence,
                           f"{spare.name} is {spare.restore_policy.value}: a power blip could "
                           "boot it during a disk move (set AlwaysOff)")
    if active.restore_policy is PowerRestorePolicy.ALWAYS_OFF:
        return CheckResult(name, Status.WARN, evidence,
                           f"{active.name} (the MN) stays off after a power loss")
    return CheckResult(name, Status.PASS, evidence, f"{spare.name} AlwaysOff")


def _serial(node: NodeFacts) -> tuple[str | None, str | None]:
    """(serial, placeholder text): the placeholder when the BMC showed one instead."""
    if node.system is None:
        return None, None
    raw = node.system.placeholders.get("serial") if node.system.placeholders else None
    return node.system.serial, raw


def check_serial(primary: NodeFacts, standby: NodeFacts) -> CheckResult:
    """Distinct real serial numbers; a placeholder (``To Be Filled By O.E.M.``, which the
    driver reads as no serial) or the same serial on both nodes is warned."""
    name = "serial"
    skipped = _unknown_if_unreachable(name, primary, standby)
    if skipped:
        return skipped
    (a, raw_a), (b, raw_b) = _serial(primary), _serial(standby)
    evidence = {"primary": a, "standby": b,
                "placeholders": {n: r for n, r in (("primary", raw_a), ("standby", raw_b))
                                 if r is not None}}
    placeholders = [n for n, raw in (("primary", raw_a), ("standby", raw_b)) if raw is not None]
    if placeholders:
        where = "both nodes" if len(placeholders) == 2 else placeholders[0]
        shown = ", ".join(repr(r) for r in dict.fromkeys((raw_a, raw_b)) if r is not None)
        return CheckResult(name, Status.WARN, evidence,
                           f"placeholder serial on {where} ({shown}): not an identity, the "
                           "nodes cannot be told apart by it")
    if a is None or b is None:
        return CheckResult(name, Status.UNKNOWN, evidence, "a BMC does not tell its serial")
    if a.strip().lower() == b.strip().lower():
        return CheckResult(name, Status.WARN, evidence,
                           f"same serial {a!r} on both nodes: a placeholder, not an identity")
    return CheckResult(name, Status.PASS, evidence, "distinct serial numbers")


def choose_active(primary: NodeFacts, standby: NodeFacts) -> tuple[str, str]:
    """(node name, reason): the powered-on node showing a RAID1, else one showing a RAID1,
    else the primary."""
    holders = [n for n in (primary, standby) if raid1_volumes(n)]
    powered = [n for n in holders if n.power_state is PowerState.ON]
    if len(powered) == 1:
        return powered[0].name, "powered on and showing a RAID1 volume"
    if len(holders) == 1:
        return holders[0].name, "the only node showing a RAID1 volume"
    if not holders and not (primary.reachable and standby.reachable):
        return primary.name, f"default, nothing seen of a RAID1: {not_read((primary, standby))}"
    return primary.name, "default (no single node shows a RAID1 while powered on)"


def evaluate(primary: NodeFacts, standby: NodeFacts, *, active: str | None = None,
             ipmi_boot_modes: Mapping[str, str | None] | None = None,
             reason: str | None = None, journal_error: str | None = None) -> PairReport:
    """Judge the pair from what was read (no I/O).

    :param active: ``primary`` or ``standby`` to say which holds the MN; None to work it out.
    :param reason: where ``active`` comes from (default: the command line).
    :param ipmi_boot_modes: the nodes reached over IPMI and the boot mode known for each
        (:func:`check_ipmi_boot_mode`); none: no such check.
    :param journal_error: why the pair's journal on this host cannot be read: a failed
        ``journal`` check (the failover keeps its state there).
    """
    if active is None:
        active, reason = choose_active(primary, standby)
    else:
        reason = reason or "chosen on the command line"
    nodes = {primary.name: primary, standby.name: standby}
    live, spare = nodes[active], nodes[primary.name if active == standby.name else standby.name]
    pairs = nic_pairs(primary, standby)
    checks = [check_reachable(primary, standby), check_complete_read(primary, standby),
              check_model(primary, standby), check_bios(primary, standby),
              check_boot_mode(primary, standby),
              guard(check_storage_controller(primary, standby), "storage", primary, standby),
              guard(check_raid1(live), "storage", live, positive=bool(raid1_volumes(live))),
              guard(check_write_cache(live), "storage", live, positive=True),
              guard(check_free_bays(live, spare), "storage", live, spare, positive=True),
              check_restore_policy(live, spare), check_serial(primary, standby),
              *nic_checks(primary, standby, pairs)]
    if ipmi_boot_modes:
        checks.insert(5, check_ipmi_boot_mode(ipmi_boot_modes))
    if journal_error is not None:
        checks.insert(0, result("journal", Status.FAIL, f"the failover {journal_error}: no "
                                "failover can run, and the active node and the RAID1 it "
                                "records cannot be told", error=journal_error))
    return PairReport(tuple(checks), None if pairs is None else tuple(pairs), active, reason,
                      nodes)


def nic_pairs(primary: NodeFacts, standby: NodeFacts) -> list[NicPair] | None:
    """The NIC map, or None when either node's NICs are unknown."""
    if primary.nics is None or standby.nics is None:
        return None
    alike = primary.power_state is standby.power_state is not PowerState.UNKNOWN
    complete = not incomplete_of("nics", primary, standby)
    return match_nics(primary.nics, standby.nics, compare_link=alike, complete=complete)


def nic_checks(primary: NodeFacts, standby: NodeFacts,
               pairs: Sequence[NicPair] | None) -> list[CheckResult]:
    """``nic_count`` (fail), ``nic_speed``, ``nic_order``, ``nic_link``, ``nic_mac`` (warn)."""
    names = ("nic_count", "nic_speed", "nic_order", "nic_link", "nic_mac")
    if pairs is None:
        down = [n.name for n in (primary, standby) if n.nics is None]
        why = (f"cannot tell: {not_read((primary, standby))}"
               if not (primary.reachable and standby.reachable) else
               f"NICs of {', '.join(down)} unknown")
        return [result(name, Status.UNKNOWN, why,
                        unread={n: primary.unread.get("nics") if n == "primary"
                                else standby.unread.get("nics") for n in down})
                for name in names]
    positive = {"nic_speed", "nic_link", "nic_mac"}
    return [guard(found, "nics", primary, standby, positive=found.name in positive)
            for found in judge_nics(pairs, primary, standby)]


def check_pair(opener: Opener, *, active: str | None = None,
               ipmi_boot_modes: Mapping[str, str | None] | None = None) -> PairReport:
    """Read both nodes through ``opener`` and :func:`evaluate` them."""
    found = read_pair(opener)
    return evaluate(found["primary"], found["standby"], active=active,
                    ipmi_boot_modes=ipmi_boot_modes)
