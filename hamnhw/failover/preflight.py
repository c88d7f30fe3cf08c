"""Step 1, preflight: read both nodes, compare with the snapshot, refuse what is unsafe.

Nothing is changed until every read-only check passed; then the target's restore policy
becomes ``AlwaysOff`` (read back), so that a power blip cannot boot it mid-run.
``--dry-run`` stops before that and prints the plan.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hamnhw import pair
from hamnhw.errors import ConfigError, HamnhwError
from hamnhw.failover.bmcanswer import answered, answers, maybe_applied
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.foreign import health_text, mn_raid_health, mn_volume
from hamnhw.failover.hostcheck import on_network_filesystem, pair_macs_here
from hamnhw.failover.hostview import read_host
from hamnhw.failover.powerops import read_state
from hamnhw.ipmi_pair import UNVERIFIED, ExpectedSerials, is_ipmi_only, known_macs
from hamnhw.models import PowerRestorePolicy, PowerState
from hamnhw.node import Node
from hamnhw.pair.snapshot import PairSnapshot
from hamnhw.raid import VolumeState


@dataclasses.dataclass
class Plan:
    """What preflight found and what the run will do."""

    source: str
    target: str
    snapshot_age_s: float
    mn_drives: list[dict[str, Any]]
    """``{"serial", "bay"}`` of the MN's drives in the old node (live read when possible)."""
    source_reachable: bool
    warnings: list[str] = dataclasses.field(default_factory=list)

    def text(self) -> str:
        """The plan, for the operator."""
        drives = ", ".join(f"{d['serial']} ({d['bay'] or 'bay unknown'})"
                           for d in self.mn_drives) or "none"
        lines = [f"PLAN: fail over from {self.source} to {self.target}",
                 f"  1. fence {self.source}: graceful shutdown, then force off; restore "
                 "policy AlwaysOff" + ("" if self.source_reachable else
                                        " (BMC unreachable: needs your acknowledgement)"),
                 f"  2. you move the MN disks {drives} into {self.target}",
                 f"  3. {self.target} POSTs into BIOS setup; its drives are verified",
                 f"  4. {self.target} boots its local disk; the new MN is checked",
                 f"  snapshot age: {self.snapshot_age_s:.0f} s"]
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)


def host_checks(snapshot: PairSnapshot, journal_dir: str,
                live_macs: frozenset[str] = frozenset()) -> list[str]:
    """Refuse to run on a node of the pair; return warnings (NFS journal).

    :param live_macs: MACs read now from IPMI nodes (FRU host MACs, the BMCs' own).
    :raises Stop: a local MAC is one of the pair's NICs.
    """
    mine = pair_macs_here(snapshot.macs() | live_macs)
    if mine:
        raise Stop(f"this host has the pair's MAC(s) {', '.join(mine)}: hamnhw must run from a "
                   "third host (the MN is down and its disks move during a failover)")
    fs = on_network_filesystem(journal_dir)
    return [f"the journal directory {journal_dir} is on {fs}: keep it on a local disk of the "
            "journal host"] if fs else []


def survey(ctx: RunContext) -> Plan:
    """The read-only checks.  :raises Stop: something is unsafe (nothing was changed)."""
    target = ctx.node(ctx.target)  # must answer
    source: Node | None
    warnings: list[str] = []
    try:
        source = ctx.node(ctx.source)
    except HamnhwError as exc:
        if answers(exc):  # refused, accepted and left unanswered, an HTTP or TLS error
            raise Stop(answered(ctx.source, exc, "it cannot be fenced (nothing was touched)",
                                "start", ctx.config)) from exc
        warnings.append(f"{ctx.source}'s BMC does not answer ({exc}): the fence will need "
                        "your acknowledgement that its power cords are pulled")
        source = None
    macs, notes = _ipmi_macs([n for n in (target, source) if n is not None])
    warnings = host_checks(ctx.snapshot, ctx.config.pair.journal_dir, macs) + notes + warnings
    try:
        state = read_state(target)
    except HamnhwError as exc:  # refused credentials or access (read_state re-raises them)
        raise Stop(answered(ctx.target, exc, "its power cannot be read (nothing was touched)",
                            "start", ctx.config)) from exc
    if state is not PowerState.OFF:
        raise Stop(f"the target {ctx.target} is {state.value}, not off: it may be the real MN; "
                   "nothing was touched")
    warnings += _ipmi_boot_modes(ctx, target, source)
    mn_drives = _mn_drives(ctx, source, warnings)
    warnings += _boot_mode_parity(ctx, source, target)
    if source is not None and not is_ipmi_only(source):
        warnings += _write_cache(source)
    return Plan(ctx.source, ctx.target, ctx.snapshot.age_s, mn_drives, source is not None,
                warnings)


def _ipmi_macs(nodes: list[Node]) -> tuple[frozenset[str], list[str]]:
    """What IPMI nodes show for the local-MAC refusal, and notes on what they cannot."""
    macs: set[str] = set()
    notes: list[str] = []
    for node in nodes:
        if is_ipmi_only(node):
            found, missing = known_macs(node)
            macs |= {m.lower() for m in found}
            notes += [f"{node.name} (IPMI): {n}: the check that hamnhw does not run on a node "
                      "of the pair rests on fewer MACs" for n in missing]
    return frozenset(macs), notes


def _ipmi_boot_modes(ctx: RunContext, target: Node, source: Node | None) -> list[str]:
    """IPMI cannot read a node's boot mode, and a one-time boot override needs it: the
    target's (BIOS setup at verify, the local disk at boot) must come from its config table
    or the pair snapshot, else the run is refused now, before anything is fenced.  The old
    node's is needed only to power it on again (abort, failback): a warning.

    :raises Stop: the target is reached over IPMI and its boot mode is unknown.
    """
    warnings = []
    for name, node in ((ctx.target, target), (ctx.source, source)):
        if node is None or not is_ipmi_only(node) or pair.ipmi_boot_mode(ctx.config, name):
            continue
        missing = (f"{name} is reached over IPMI, which cannot read its boot mode, and neither "
                   f"[{name}] boot_mode in the config nor the pair snapshot gives it")
        if name == ctx.target:
            raise Stop(f"{missing}: the one-time boot overrides of the failover (BIOS setup, "
                       f'then the local disk) need it; set boot_mode = "UEFI" or "Legacy" in '
                       f"[{name}]; nothing was touched")
        warnings.append(f"{missing}: abort --power-on-old-node and the failback will need it "
                        f'(boot_mode = "UEFI" or "Legacy" in [{name}])')
    return warnings


def _expected(ctx: RunContext) -> ExpectedSerials:
    try:
        return ctx.expected_serials()
    except ConfigError as exc:
        raise Stop("the snapshot shows no RAID1 volume on either node and the config lists no "
                   "drive_serials: take `hamnhw pair snapshot` while the MN runs on its RAID1 "
                   f"({exc.message})") from exc


def _mn_drives(ctx: RunContext, source: Node | None,
               warnings: list[str]) -> list[dict[str, Any]]:
    expected = _expected(ctx)
    recorded = {s: b for n in ctx.snapshot.nodes.values() for s, b in n.raid1_members()}
    fallback = [{"serial": s, "bay": recorded.get(s)} for s in expected.serials]
    if source is None:
        return fallback
    if is_ipmi_only(source):
        ctx.check("preflight: MN drives in the old node", None,
                  f"{UNVERIFIED}: {', '.join(expected.serials)} from {expected.source}")
        return fallback
    view = source.raid.storage()
    if view.drives is None:
        warnings.append(f"{ctx.source}'s BMC shows no drives: the work order uses the "
                        "snapshot's bays")
        return fallback
    live = {d.serial: d.location for d in view.drives if d.serial}
    missing = [s for s in expected.serials if s not in live]
    if missing and view.incomplete:  # not shown is not absent: told as when not read at all
        return _partly_read(ctx, expected, live, missing, recorded, view.warnings, warnings)
    if missing:
        raise Stop(f"{ctx.source} does not show the MN drive(s) {', '.join(missing)} recorded "
                   f"by {expected.source}: is it the active node? Take a new `hamnhw pair "
                   "snapshot`")
    ctx.check("preflight: MN drives in the old node", True,
              ", ".join(f"{s} ({live[s]})" for s in expected.serials))
    _mn_raid(ctx, source, list(expected.serials), warnings)
    return [{"serial": s, "bay": live[s]} for s in expected.serials]


def _partly_read(ctx: RunContext, expected: ExpectedSerials, live: dict[str, str | None],
                 missing: list[str], recorded: dict[str, str | None],
                 unread: tuple[str, ...], warnings: list[str]) -> list[dict[str, Any]]:
    """The MN drives when the old node's drive list was read only in part and some are not
    in that part: unverified (as with a BMC that shows no drives), the work order giving the
    snapshot's bay for those."""
    why = "; ".join(unread) or "the storage read was incomplete"
    ctx.check("preflight: MN drives in the old node", None,
              f"{UNVERIFIED}: {', '.join(missing)} not in the part of {ctx.source}'s drive "
              f"list read ({why})")
    warnings.append(f"{ctx.source}'s drive list was read only in part ({why}): the work "
                    f"order uses the snapshot's bays for {', '.join(missing)}")
    return [{"serial": s, "bay": live[s] if s in live else recorded.get(s)}
            for s in expected.serials]


def _mn_raid(ctx: RunContext, source: Node, serials: list[str], warnings: list[str]) -> None:
    """The MN RAID1's health in the old node, as ``raid show --check`` classifies it: a
    degraded or rebuilding mirror is a warning the operator sees before the fence, a failed
    one (no whole member: the disks could not boot) refuses the run.

    :raises Stop: the MN RAID1 is failed (nothing was touched).
    """
    try:
        volume = mn_volume(source, serials, serials)
        health = mn_raid_health(source, volume) if volume is not None else None
    except HamnhwError as exc:  # informational: a sick MN is the usual reason to fail over
        ctx.check("preflight: MN RAID1 health", None, f"not read: {exc}")
        warnings.append(f"the MN RAID1's health on {ctx.source} could not be read ({exc})")
        return
    if volume is None or health is None:
        ctx.check("preflight: MN RAID1 health", None, f"no RAID1 over {', '.join(serials)} "
                                                       f"shows on {ctx.source}")
        return
    text = health_text(volume, health)
    sick = health.state in (VolumeState.DEGRADED, VolumeState.REBUILDING)
    ctx.check("preflight: MN RAID1 health", {VolumeState.OPTIMAL: True,
                                              VolumeState.UNKNOWN: None}.get(health.state,
                                                                             False), text,
              warning=sick)  # the run goes on: a warning (WARN), not a failure
    if health.state is VolumeState.FAILED:
        raise Stop(f"the MN RAID1 on {ctx.source} is failed ({text}): its disks could not "
                   f"boot {ctx.target}; nothing was touched")
    if sick:
        warnings.append(f"the MN RAID1 on {ctx.source} is {health.state.value} ({text}): "
                        f"{ctx.target} will boot it without a whole mirror, which then needs "
                        "a rebuild (`hamnhw raid rebuild`)")


def _boot_mode_parity(ctx: RunContext, source: Node | None, target: Node) -> list[str]:
    modes = {ctx.target: read_host(target).boot_mode}
    modes[ctx.source] = (read_host(source).boot_mode if source is not None
                         else ctx.snapshot.nodes[ctx.source].boot_mode
                         if ctx.source in ctx.snapshot.nodes else None)
    known = {m for m in modes.values() if m}
    if len(known) > 1:
        raise Stop(f"boot modes differ ({', '.join(f'{n}: {m}' for n, m in modes.items())}): "
                   "the disks would not boot; align the firmware settings first")
    if None in modes.values():
        return ["boot mode parity unverified (a BMC does not report BootSourceOverrideMode)"]
    ctx.check("preflight: boot-mode parity", True, next(iter(known)))
    return []


def _write_cache(source: Node) -> list[str]:
    """Warn about write-back caches: only a clean shutdown puts them on the disks."""
    warnings = []
    for volume in source.raid.volumes() or ():
        policy = volume.write_cache_policy
        if policy is not None and "WriteBack" in policy:
            warnings.append(f"volume {volume.name or volume.id} caches writes ({policy}): only "
                            "a clean (graceful) shutdown puts the cache on the disks")
    return warnings


def protect_target(ctx: RunContext) -> None:
    """The target's restore policy becomes AlwaysOff, read back (old value remembered).

    A write left without a sure outcome (:func:`~hamnhw.failover.bmcanswer.maybe_applied`:
    timed out, connection lost) may have been applied: its outcome stays open, so the run
    is not closed as refused (:mod:`hamnhw.failover.refusal`) and the resume reads the policy
    again before sending anything."""
    try:
        set_policy(ctx, "preflight", "target_restore_policy", ctx.target,
                   PowerRestorePolicy.ALWAYS_OFF, "target_policy_before", doubt=True)
    except HamnhwError as exc:
        failed = (f"the target {ctx.target}'s restore policy could not be set to AlwaysOff "
                  f"and read back: {exc}")
        if maybe_applied(exc):
            failed += ("; the BMC may have applied it, so the run stays open: `hamnhw "
                       "failover resume` reads the policy again before anything is sent (the "
                       "policy from before the run is kept), `hamnhw failover abort` gives it "
                       "back")
        raise Stop(failed) from exc
    ctx.check("preflight: target restore policy AlwaysOff", True, "read back")


def set_policy(ctx: RunContext, step: str, action: str, name: str,
               policy: PowerRestorePolicy, remember_as: str | None = None, *,
               doubt: bool = True) -> None:
    """Set ``name``'s restore policy and read it back (journaled; the value before is kept
    in the intent, and in the run's facts as ``remember_as``).

    :param doubt: a failure that may have left the policy applied
        (:func:`~hamnhw.failover.bmcanswer.maybe_applied`) leaves the action's outcome open:
        the next attempt re-reads the policy first (:meth:`RunContext.act`), so a PATCH is
        never sent again before a read shows it did not take (every step's write: the
        preflight's, the fence's, the finish's and abort's)."""
    node = ctx.node(name)
    record = ctx.journal.open_step(ctx.run.id, step, action)
    before = (record.intent.get("before") if record is not None
              else node.power.get_restore_policy().value)

    def do() -> dict[str, Any]:
        return {"before": before, "after": node.power.set_restore_policy(policy).value}

    def recover(intent: dict[str, Any]) -> dict[str, Any] | None:
        current = node.power.get_restore_policy()
        return {"before": intent.get("before"), "after": current.value} if (
            current is policy) else None

    ctx.act(step, action, name, {"policy": policy.value, "before": before}, do, recover,
            facts=lambda o: {remember_as: o["before"]} if remember_as else {},
            doubt=maybe_applied if doubt else None)
