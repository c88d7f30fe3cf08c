"""Step 4, verify the target's drives from a fresh POST.

The target is powered on into BIOS setup (the checks of :mod:`hamnhw.failover.gates` and
the one-time override read back first, on every attempt) and its drives count only with
evidence of a POST since that power-on (:mod:`hamnhw.failover.post`).  The OS starting
(override ignored) is forced off at once.  Without evidence (or over IPMI, which shows no
drives) the operator types the serial printed on each moved disk.  Then: every MN serial
present goes on; a subset goes on only with ``--accept-degraded``; a drive that is not the
MN's, or whose serial the BMC cannot read, or none of them, stops the run with the target
powered off again.
"""

from __future__ import annotations

from typing import Any

from hamnhw.errors import HamnhwError
from hamnhw.failover.diskmove import missing_drives
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.foreign import IMPORT_STEP, volume_visible
from hamnhw.failover.gates import before_power_on
from hamnhw.failover.hostview import HostView, drive_view, read_host
from hamnhw.failover.operator import MissingDrives, SerialsRequest
from hamnhw.failover.overrides import powered_on_by
from hamnhw.failover.post import settled_drives, wait_for_post
from hamnhw.failover.powerops import force_off, on_or_cycle, power_on
from hamnhw.failover.states import State
from hamnhw.ipmi_pair import UNVERIFIED, is_ipmi_only, operator_check
from hamnhw.models import BootSource, PowerState
from hamnhw.poll import poll_until

STEP = "verify"
DRIVES_CHECK = "verify: MN drives in the target"


def verify(ctx: RunContext) -> None:
    """Power the target on into setup, judge its drives, go on to boot or stop."""
    intent = power_on(ctx, STEP, "power_on", ctx.target,
                      lambda n: bool(n.power.on(wait=False).changed),
                      lambda first: _gate(ctx, first))
    ipmi = is_ipmi_only(ctx.node(ctx.target))
    result = wait_for_post(ctx, ctx.target, intent)
    if result.view.os_starting:
        _os_started(ctx, result.view)
    if result.evidence is None and result.halted and result.view.boot_stage is not None:
        _power_off_and_stop(ctx, f"{ctx.target}'s POST did not finish within post_timeout "
                                 f"({ctx.settings.post_timeout:g} s): a controller may be "
                                 "halted at a foreign-configuration prompt",
                            check="verify: fresh POST")
    expected = list(ctx.expected_serials().serials)
    if result.evidence is not None:
        present, missing = _judge_fresh(ctx, expected, result.evidence)
    else:
        present, missing = _judge_typed(ctx, expected, ipmi)
    _os_not_started(ctx)
    if missing:
        _degraded(ctx, missing)
    if not ipmi:
        volume_visible(ctx, present, lambda reason, back_to_disks=True:
                       _power_off_and_stop(ctx, reason, back_to_disks),
                       lambda: _reset_into_setup(ctx))
    _os_not_started(ctx)
    ctx.transition(State.BOOT)


def _gate(ctx: RunContext, first: bool) -> None:
    """The checks before the power-on into setup, the target read Off first."""
    if first:
        _target_off(ctx)
    before_power_on(ctx, STEP, BootSource.BIOS_SETUP, "power_on", first)


def _target_off(ctx: RunContext) -> None:
    """Before anything is sent to it, the target must read Off: found on, someone else
    powered it on (the moved disks may be booting) and nothing is sent (no override, no
    power request).  :raises Stop: it does not read Off."""
    state = ctx.node(ctx.target).power.state()  # an error stops the run: nothing was sent
    if state is PowerState.OFF:
        return
    ctx.check("verify: target off before its power-on", False, f"reads {state.value}")
    if state not in (PowerState.ON, PowerState.POWERING_ON):
        raise Stop(f"{ctx.target} reads {state.value}, not Off, before hamnhw powered it on: "
                   f"nothing was sent to it; `hamnhw failover resume` once it reads Off")
    by = powered_on_by(ctx.journal, ctx.run, ctx.target)
    who = (f"it was {by}" if by else f"someone else powered it on (`hamnhw power on "
                                     f"{ctx.target}`, its BMC's web UI, a power button)")
    raise Stop(f"{ctx.target} reads {state.value} before hamnhw powered it on: {who}, and the "
               "moved disks may already be booting its OS; nothing was sent to "
               f"{ctx.target}.  Find out what runs on it, power it off (`hamnhw power off "
               f"{ctx.target}`), then `hamnhw failover resume`")


def _reset_into_setup(ctx: RunContext) -> None:
    """A staged foreign import runs at the next POST: the target is reset into BIOS setup
    again (the checks before a power-on first, on every attempt), before the boot step's
    reset into the local disk, and that POST is waited for."""
    intent = power_on(ctx, IMPORT_STEP, "reset_for_import", ctx.target, on_or_cycle,
                      lambda first: before_power_on(ctx, IMPORT_STEP, BootSource.BIOS_SETUP,
                                                    "reset_for_import", first))
    result = wait_for_post(ctx, ctx.target, intent)
    if result.view.os_starting:
        _os_started(ctx, result.view)


def _judge_fresh(ctx: RunContext, expected: list[str],
                 evidence: str) -> tuple[list[str], list[str]]:
    """The drive list after a fresh POST: unknown or unreadable drives stop the run, and so
    does a list read only in part (an MN drive not read is not known missing)."""
    read = settled_drives(ctx, ctx.target)
    if read.unread:
        _power_off_and_stop(ctx, f"{ctx.target}'s drive list was read incomplete "
                            f"({'; '.join(read.unread)}): a drive not read is not known "
                            "missing, so which MN drives arrived cannot be told (expected "
                            f"{', '.join(expected)})", check=DRIVES_CHECK)
    drives = read.drives or []
    seen = [serial for serial, _bay in drives if serial]
    unknown = [f"{serial} ({bay})" if serial else f"a drive whose serial the BMC cannot read "
               f"({bay})" for serial, bay in drives
               if not serial or (serial not in expected and serial not in _known_here(ctx))]
    present = [s for s in expected if s in seen]
    missing = [s for s in expected if s not in seen]
    ctx.remember(verified_drives={"seen": drives, "present": present, "missing": missing,
                                  "unknown": unknown, "evidence": evidence})
    if unknown or not present:
        _power_off_and_stop(ctx, f"{ctx.target} shows "
                            + (f"unknown drive(s) {', '.join(unknown)}" if unknown else
                               "none of the MN drives")
                            + f" (expected {', '.join(expected)})", check=DRIVES_CHECK)
    ctx.check("verify: fresh POST", True, f"evidence: {evidence}")
    ctx.check(DRIVES_CHECK, not missing,
              f"present {', '.join(present)}" + (f"; missing {', '.join(missing)}"
                                                 if missing else ""))
    return present, missing


def _judge_typed(ctx: RunContext, expected: list[str],
                 ipmi: bool) -> tuple[list[str], list[str]]:
    """No evidence: the serials the operator reads on the moved disks decide."""
    shown = None if ipmi else _drives_when_posted(ctx, expected)
    why = (UNVERIFIED if ipmi else "unverified: the BMC shows no evidence of a fresh POST")
    ctx.check("verify: fresh POST", None, why)
    record = ctx.journal.open_step(ctx.run.id, STEP, "power_on")
    typed = ctx.typed_serials(SerialsRequest(
        ctx.target, len(expected),
        f"{ctx.target}'s drives cannot be read from a fresh POST ({why}): read the serial "
        f"printed on each moved disk in {ctx.target} and type them",
        f"serials:{record.id if record else 0}"))
    answers = iter(typed)
    check = operator_check(ctx.expected_serials(), lambda _prompt: next(answers, ""))
    ctx.remember(verified_drives={"shown_unverified": shown, "typed": list(typed),
                                  "missing": list(check.missing),
                                  "unknown": list(check.unexpected), "evidence": None})
    if check.unexpected or not set(expected) - set(check.missing):
        _power_off_and_stop(ctx, f"the serials typed for {ctx.target} "
                            + (f"include unknown drive(s) {', '.join(check.unexpected)}"
                               if check.unexpected else "name none of the MN drives")
                            + f" (expected {', '.join(expected)})", check=DRIVES_CHECK)
    present = [s for s in expected if s not in check.missing]
    ctx.check(DRIVES_CHECK, not check.missing,
              f"typed by the operator ({UNVERIFIED if ipmi else 'unverified'}): "
              f"{', '.join(present)}" + (f"; missing {', '.join(check.missing)}"
                                         if check.missing else ""))
    return present, list(check.missing)


def _drives_when_posted(ctx: RunContext, expected: list[str]) -> list[list[str]] | None:
    """Without boot progress there is no telling when POST ended: the list is polled until
    an MN serial shows or ``post_timeout`` passes (reported, never believed)."""
    node = ctx.node(ctx.target)
    try:
        return poll_until(lambda: drive_view(node),
                          lambda v: bool(set(expected) & {s for s, _b in v or ()}),
                          ctx.poll.deadline(ctx.settings.post_timeout), ctx.poll,
                          what=f"{ctx.target}: drives after POST (no boot progress)",
                          describe=lambda v: ", ".join(s or "?" for s, _b in v or ()) or "none")
    except HamnhwError:
        return None


def _known_here(ctx: RunContext) -> set[str]:
    """Serials the snapshot recorded in the target itself (its own drives)."""
    snap = ctx.snapshot.nodes.get(ctx.target)
    return {d["serial"] for d in (snap.drives or ()) if d.get("serial")} if snap else set()


def _os_not_started(ctx: RunContext) -> None:
    """BootProgress must never show the OS starting before the reset into the local disk."""
    view = read_host(ctx.node(ctx.target))
    if view.os_starting:
        _os_started(ctx, view)


def _os_started(ctx: RunContext, view: HostView) -> None:
    ctx.check("verify: BIOS setup entered", False, f"BootProgress {view.boot_stage}")
    record = ctx.journal.open_step(ctx.run.id, STEP, "power_on")
    already_on = record is not None and (record.outcome or {}).get("sent") is False
    force_off(ctx, STEP, "os_started_force_off", ctx.target)
    ctx.journal.supersede(ctx.run.id, (STEP, IMPORT_STEP))
    if already_on:  # the BMC found it on already: no power-on was sent
        raise Stop(f"{ctx.target} was already on when hamnhw's power-on was sent (someone "
                   f"else powered it on) and started its OS ({view.boot_stage}): forced off "
                   "at once; make sure nobody powers it on during the failover, then "
                   "`hamnhw failover resume`")
    raise Stop(f"{ctx.target} ignored the BiosSetup override and started its OS "
               f"({view.boot_stage}): forced off at once; check its firmware's boot "
               "override support, then `hamnhw failover resume`")


def _degraded(ctx: RunContext, missing: list[str]) -> None:
    """Stop naming what is needed (the missing drives moved, or ``--accept-degraded``);
    once the operator chose to go on without them, each is a stale mirror half."""
    if not ctx.options.accept_degraded:
        reason = (f"only part of the MN mirror arrived (missing {', '.join(missing)}): "
                  "resume with --accept-degraded to go on degraded, or move the missing drive")
        _power_off_and_stop(ctx, reason, back_to_disks=False,
                            needs=missing_drives(ctx, missing, reason))
    ctx.remember(degraded=missing)
    for serial in missing:
        ctx.event("warning", f"drive {serial}: stale mirror half: wipe before reuse",
                  {"serial": serial, "stale_mirror_half": True})


def _power_off_and_stop(ctx: RunContext, reason: str, back_to_disks: bool = True,
                        needs: MissingDrives | None = None, check: str | None = None) -> Any:
    """Power the target off again (journaled), forget this verification and stop.

    :param check: the check that failed, recorded with ``reason`` (the report's FAIL line).
    """
    if check is not None:
        ctx.check(check, False, reason)
    try:
        force_off(ctx, STEP, "power_off_again", ctx.target)
    except HamnhwError as exc:
        reason += f"; powering {ctx.target} off again FAILED: {exc}"
    ctx.journal.supersede(ctx.run.id, (STEP, IMPORT_STEP))
    if back_to_disks:
        ctx.transition(State.AWAITING_DISKS, reason)
        raise Stop(reason + f"; {ctx.target} is off again: fix the drives, then `hamnhw "
                   "failover resume --disks-moved`")
    raise Stop(reason, needs=needs)
