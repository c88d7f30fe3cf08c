"""``hamnhw failover abort [--power-on-old-node]``: journaled, and resumable by running it
again (the run goes ``aborting`` before anything is done, ``aborted`` when all is done).

Before the disk move the remembered restore policies come back and the identify LEDs go
off; each node's state is reported.  ``--power-on-old-node`` powers the old node on only
once a fresh read shows every MN drive back in it, and only while the target reads Off
twice and no MN address answers:

* before the disk move, an old node that does not read Off (never fenced, or back on by
  itself) is left as it is: it may be the running MN, and nothing is sent to it (it gets its
  remembered restore policy back when it reads on);
* an old node that reads Off twice gets the fresh read through a POST into BIOS setup
  (one-time override read back; evidence of the POST required, the OS starting is forced
  off at once); all drives back: a reset into the local disk, else it is forced off again;
* once the disks are journaled as moved (``disks_moved_by``, whatever the state), nothing is
  ever powered on (the issue's rule: within a run, once the disks are journaled as moved,
  the old node is never powered on by hamnhw): nothing is sent, the restore policies stay
  ``AlwaysOff``, and the operator powers it on by hand once the drives are back.  Even a
  drive list from a POST after the move is only a picture of that moment: the disks may
  have been moved again since.

Every power action is journaled (intent before the request) through
:meth:`~hamnhw.failover.engine.RunContext.act`, so an abort killed midway is finished by
``hamnhw failover abort`` again, without a power-on ever sent twice.
"""

from __future__ import annotations

import dataclasses

from hamnhw.errors import HamnhwError
from hamnhw.failover.bmcanswer import did, remedy
from hamnhw.failover.diskmove import identify_off
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.gates import OFF, UNREACHABLE, mn_addresses_silent, poll_power
from hamnhw.failover.livepower import run_power
from hamnhw.failover.post import settled_drives, wait_for_post
from hamnhw.failover.powerops import force_off, on_or_cycle, power_on, set_override
from hamnhw.failover.preflight import set_policy
from hamnhw.failover.report import PowerNow
from hamnhw.failover.states import BOOTED_STATES, DISKS_MOVED_STATES, State
from hamnhw.models import BootOverrideMode, BootSource, PowerRestorePolicy

STEP = "abort"


@dataclasses.dataclass(frozen=True)
class AbortResult:
    """What the abort did."""

    power: PowerNow
    """Each node's power state at the end (None where its BMC did not give it)."""
    refused: str | None = None
    """Why ``--power-on-old-node`` left the old node off, when it did."""


def disks_journaled_moved(ctx: RunContext) -> bool:
    """The operator said the disks are moved in this run (even if a failed verification
    sent the run back to ``awaiting_disks`` since)."""
    return bool(ctx.facts.get("disks_moved_by")) or ctx.state in DISKS_MOVED_STATES


def abort(ctx: RunContext, power_on_old_node: bool) -> AbortResult:
    """Abort the run (or finish an abort that was interrupted)."""
    if ctx.state is not State.ABORTING:
        ctx.remember(abort={"power_on_old_node": power_on_old_node,
                            "moved": disks_journaled_moved(ctx), "from": ctx.state.value,
                            "by": ctx.operator.identity()})
        ctx.transition(State.ABORTING)
    info = ctx.facts["abort"]
    power_on_old_node = power_on_old_node or bool(info["power_on_old_node"])
    if info["moved"]:
        ctx.event("step", f"abort after the disks were moved into {ctx.target}: the restore "
                          "policies stay AlwaysOff")
    else:
        _restore(ctx, include_old=not power_on_old_node)
    identify_off(ctx, STEP)
    booted = State(info["from"]) in BOOTED_STATES
    ctx.remember(active_node_after=None if booted else ctx.source)
    if booted:
        ctx.journal.forget_active_node()
        ctx.warn(f"{ctx.target} was booted from the MN disks by this run: the journal no "
                 "longer names an active node (the next start works it out and asks)")
    refused = None
    if power_on_old_node:
        refused = (_after_move(ctx) if info["moved"] else _before_move(ctx))
    ctx.transition(State.ABORTED, f"aborted by {info['by']}" + (f"; {refused}" if refused
                                                                  else ""))
    return AbortResult(_power(ctx), refused)


def _restore(ctx: RunContext, include_old: bool = True) -> None:
    pairs = [(ctx.target, "target_policy_before")]
    if include_old:
        pairs.append((ctx.source, "source_policy_before"))
    for name, fact in pairs:
        before = ctx.facts.get(fact)
        if not before:
            continue
        try:
            set_policy(ctx, STEP, f"restore_policy_{name}", name, PowerRestorePolicy(before))
            ctx.event("step", f"{name}: restore policy {before} again")
        except HamnhwError as exc:
            ctx.warn(f"{name}: restore policy not restored to {before}: {exc}")


def _gate(ctx: RunContext, boot: BootSource, first: bool) -> None:
    """Before a power-on of the old node: the target Off twice, no MN address answering,
    the one-time override read back."""
    old, other = ctx.source, ctx.target
    mn_addresses_silent(ctx, STEP)
    if first:
        set_override(ctx, STEP, old, boot)
        current = ctx.node(old).management.get_boot_override()
        if current.target is not boot or current.mode is not BootOverrideMode.ONCE:
            raise Stop(f"{old}'s boot override reads {current.target.value}/"
                       f"{current.mode.value}, not {boot.value}/Once: {old} is not powered on")
    found, state = poll_power(ctx, other, f"{other}: off?")
    if found != OFF:
        raise Stop(f"{other} is not confirmed off ({found}, {state.value}): {old} is not "
                   "powered on; run `hamnhw failover abort` again once it is off")


def _before_move(ctx: RunContext) -> str | None:
    """A POST into BIOS setup shows the drives; all back: boot the local disk."""
    old = ctx.source
    if "abort_refused" in ctx.facts:
        return _refused(ctx)
    if ctx.journal.open_step(ctx.run.id, STEP, "power_on_old_node") is None and (
            not _reads_off(ctx)):
        return None
    if not _started(ctx, "reset_old_node"):
        intent = power_on(ctx, STEP, "power_on_old_node", old,
                          lambda n: bool(n.power.on(wait=False).changed),
                          lambda first: _gate(ctx, BootSource.BIOS_SETUP, first))
        result = wait_for_post(ctx, old, intent)
        read = None if result.evidence is None else settled_drives(ctx, old)
        drives = read.drives if read is not None else None
        problem = (f"it started its OS ({result.view.boot_stage})" if result.view.os_starting
                   else f"its drive list was read incomplete ({'; '.join(read.unread)})"
                   if read is not None and read.unread
                   else "no evidence of a fresh POST" if drives is None
                   else _drives_problem(ctx, drives))
        if problem:
            return _refuse(ctx, f"{old} was not left on: {problem}; it is off again", True)
        ctx.check("abort: MN drives back in the old node", True, _described(drives or []))
    _boot_old(ctx, "reset_old_node")
    return None


def _reads_off(ctx: RunContext) -> bool:
    """The old node reads Off twice (an abort may power it on); otherwise it is left as it
    is, never switched off nor reset: it may be the running MN (a run stopped before or
    during its fence), and it gets its remembered restore policy back when it reads on."""
    old = ctx.source
    try:
        found, state = poll_power(ctx, old, f"{old}: off?")
    except Stop as stop:  # its BMC answers (the cause), or no read judged it: left as it is
        cause = stop.__cause__
        fix = remedy(old, cause, ctx.config) if isinstance(cause, HamnhwError) else "check its BMC"
        ctx.warn(f"{old}'s BMC {did(cause) if isinstance(cause, HamnhwError) else 'answers'} "
                 f"({cause}): it was left as it is (nothing was sent); {fix}")
        return False
    if found == OFF:
        return True
    if found == UNREACHABLE:
        ctx.warn(f"{old}'s BMC does not answer: it was left as it is (nothing was sent)")
        return False
    ctx.warn(f"{old} reads {state.value}, not off: it was left as it is (nothing was sent "
             "to it: it may be running the MN)")
    _restore_old(ctx)
    return False


def _after_move(ctx: RunContext) -> str:
    """Once the disks were journaled as moved, nothing is sent to the old node."""
    old, other = ctx.source, ctx.target
    if "abort_refused" in ctx.facts:
        return _refused(ctx)
    return _refuse(ctx, f"{old} was not powered on: the disks are journaled as moved into "
                        f"{other}, and hamnhw never powers the old node on after that; "
                        f"nothing was sent. Put the MN drives back into {old}, then power it "
                        f"on by hand (`hamnhw power on {old}`) once {other} is off", False)


def _boot_old(ctx: RunContext, action: str) -> None:
    """The old node boots its local disk (one-time override read back, the target off
    twice right before), and gets its remembered restore policy back."""
    power_on(ctx, STEP, action, ctx.source, on_or_cycle,
             lambda first: _gate(ctx, BootSource.HDD, first))
    _restore_old(ctx)
    ctx.event("step", f"{ctx.source} boots its local disk again")


def _started(ctx: RunContext, action: str) -> bool:
    """``abort.action`` was journaled (an interrupted abort may have sent it: the action
    itself settles it by re-reading, never by judging the drives again)."""
    record = ctx.journal.open_step(ctx.run.id, STEP, action)
    return record is not None and not (record.outcome or {}).get("not_applied") and (
        "error" not in (record.outcome or {}))


def _drives_problem(ctx: RunContext, drives: list[list[str]]) -> str | None:
    """Why ``drives`` are not the MN's drives back in the old node, or None."""
    expected = ctx.expected_serials().serials
    snap = ctx.snapshot.nodes.get(ctx.source)
    own = {d["serial"] for d in (snap.drives or ()) if d.get("serial")} if snap else set()
    seen = {serial for serial, _bay in drives if serial}
    unreadable = [bay for serial, bay in drives if not serial]
    missing = [s for s in expected if s not in seen]
    unknown = sorted(seen - set(expected) - own)
    if missing:
        return f"the MN drive(s) {', '.join(missing)} are not back in it"
    if unreadable or unknown:
        return ("it shows drive(s) that are not the MN's: "
                + ", ".join(unknown + [f"unreadable serial ({b})" for b in unreadable]))
    return None


def _refuse(ctx: RunContext, reason: str, power_off: bool) -> str:
    """Leave the old node off (forced off again when it was powered on), remembered so that
    an abort run again after a crash ends the same way."""
    ctx.remember(abort_refused={"reason": reason, "power_off": power_off})
    return _refused(ctx)


def _refused(ctx: RunContext) -> str:
    refusal = ctx.facts["abort_refused"]
    if refusal["power_off"]:
        force_off(ctx, STEP, "power_off_old_node", ctx.source)
    if not any(e.kind == "warning" and e.message == refusal["reason"]
               for e in ctx.journal.events(ctx.run.id)):
        ctx.warn(refusal["reason"])
    return str(refusal["reason"]) + f"; {ctx.source}'s restore policy stays AlwaysOff"


def _restore_old(ctx: RunContext) -> None:
    """The old node is the MN again: its remembered restore policy comes back."""
    before = ctx.facts.get("source_policy_before")
    if before:
        try:
            set_policy(ctx, STEP, f"restore_policy_{ctx.source}", ctx.source,
                       PowerRestorePolicy(before))
        except HamnhwError as exc:
            ctx.warn(f"{ctx.source}: restore policy not restored to {before}: {exc}")


def _described(drives: list[list[str]]) -> str:
    return ", ".join(f"{serial} ({bay})" for serial, bay in drives)


def _power(ctx: RunContext) -> PowerNow:
    """Both nodes' power after the abort (read side by side), said in a step event."""
    now = run_power(ctx)
    ctx.event("step", "after abort: " + ", ".join(
        f"{name} {state}" if state is not None else f"{name}: {now.answers[name]['answer']}"
        for name, state in now.power.items()))
    return now
