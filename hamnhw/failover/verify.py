"""Step 4, verify the target's drives from a fresh POST.

A powered-off BMC shows the drives of its last POST, so the target is powered on into BIOS
setup (one-time override read back) and its drives count only with evidence of a POST after
the power-on: ``SetupEntered``, or ``SystemHardwareInitializationComplete`` with a moved
``LastResetTime``/``LastStateTime``.  The OS starting (override ignored) is forced off at
once.  Without evidence the operator types each expected serial.  Then: every MN serial
present goes on; a subset goes on only with ``--accept-degraded``; unknown serials or none
stop the run with the target powered off again.
"""

from __future__ import annotations

from typing import Any, NoReturn

from hamnhw.errors import HamnhwError
from hamnhw.failover import mnimport
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.hostview import SETUP_STAGE, HostView, read_host
from hamnhw.failover.operator import AckRequest
from hamnhw.failover.powerops import before_power_on, force_off, start_target
from hamnhw.failover.states import State
from hamnhw.models import BootSource, PowerState
from hamnhw.poll import poll_until

STEP = "verify"
IMPORT_STEP = "verify_import"
"""The journal step of a foreign import and the reset a staged one needs."""


def verify(ctx: RunContext) -> None:
    """Power the target on into setup, judge its drives, go on to boot or stop."""
    node = ctx.node(ctx.target)
    if ctx.journal.open_step(ctx.run.id, STEP, "power_on") is None:
        before_power_on(ctx, STEP, BootSource.BIOS_SETUP)
    before = start_target(ctx, STEP, "power_on", lambda n: n.power.on(wait=False).changed)
    marks = _marks_before(ctx, before)
    view = _wait_for_post(ctx, marks)
    evidence = view is not None and view.fresh_post_since(marks)
    seen = _drives_seen(ctx, node, wait=view is None)
    _os_not_started(ctx)
    expected = list(ctx.snapshot.mn_serials())
    known_here = {s for snap in (ctx.snapshot.nodes.get(ctx.target),) if snap
                  for s in (d.get("serial") for d in snap.drives or ()) if s}
    unknown = [s for s in seen if s not in expected and s not in known_here]
    present = [s for s in expected if s in seen]
    missing = [s for s in expected if s not in seen]
    ctx.remember(verified_drives={"seen": seen, "present": present, "missing": missing,
                                  "unknown": unknown, "evidence": evidence})
    if unknown or not present:
        _power_off_and_stop(ctx, f"{ctx.target} shows "
                            + (f"unknown drive(s) {', '.join(unknown)}" if unknown else
                               "none of the MN drives")
                            + f" (expected {', '.join(expected)})")
    if not evidence:
        _typed_serials(ctx, present)
    else:
        ctx.check("verify: fresh POST", True, f"BootProgress {view.boot_stage if view else ''}")
    ctx.check("verify: MN drives in the target", not missing,
              f"present {', '.join(present)}" + (f"; missing {', '.join(missing)}"
                                                 if missing else ""))
    if missing:
        _degraded(ctx, missing)
    _volume(ctx, node, present)
    _os_not_started(ctx)
    ctx.transition(State.BOOT)


def _drives_seen(ctx: RunContext, node: Any, wait: bool) -> list[str]:
    """Serials the target shows.  Without BootProgress there is no telling when POST ended:
    the list is polled until an MN serial shows or ``post_timeout`` passes (the operator then
    types the serials all the same: the list may be the BMC's cache)."""
    def read() -> list[str]:
        return [d.serial for d in node.raid.storage().drives or () if d.serial]

    if not wait:
        return read()
    expected = set(ctx.snapshot.mn_serials())
    try:
        return poll_until(read, lambda seen: bool(expected & set(seen)),
                          ctx.poll.deadline(ctx.settings.post_timeout), ctx.poll,
                          what=f"{ctx.target}: drives after POST (no BootProgress)",
                          describe=lambda seen: ", ".join(seen) or "none")
    except HamnhwError:
        return read()


def _os_not_started(ctx: RunContext) -> None:
    """BootProgress must never show the OS starting before the reset into the local disk."""
    view = read_host(ctx.node(ctx.target))
    if view.os_starting:
        _os_started(ctx, view)


def _os_started(ctx: RunContext, view: HostView) -> None:
    ctx.check("verify: BIOS setup entered", False, f"BootProgress {view.boot_stage}")
    force_off(ctx, STEP, "os_started_force_off", ctx.target)
    ctx.journal.supersede(ctx.run.id, (STEP, IMPORT_STEP))
    raise Stop(f"{ctx.target} ignored the BiosSetup override and started its OS "
               f"({view.boot_stage}): forced off at once; check its firmware's boot "
               "override support, then `hamnhw failover resume`")


def _marks_before(ctx: RunContext, fallback: HostView) -> dict[str, Any]:
    record = ctx.journal.open_step(ctx.run.id, STEP, "power_on")
    if record is not None and isinstance(record.intent.get("marks_before"), dict):
        return dict(record.intent["marks_before"])
    return fallback.marks()


def _wait_for_post(ctx: RunContext, marks: dict[str, Any]) -> HostView | None:
    """Wait for POST evidence or the OS starting; None when the BMC shows no BootProgress."""
    node = ctx.node(ctx.target)

    def done(view: HostView) -> bool:
        return view.os_starting or view.fresh_post_since(marks) or (
            view.power_state is PowerState.ON and view.boot_stage is None)

    try:
        view = poll_until(lambda: read_host(node), done,
                          ctx.poll.deadline(ctx.settings.post_timeout), ctx.poll,
                          what=f"{ctx.target}: POST into BIOS setup",
                          describe=lambda v: f"{v.power_state.value} {v.boot_stage or ''}")
    except HamnhwError as exc:
        _power_off_and_stop(ctx, f"{ctx.target}'s POST did not finish within post_timeout "
                                 f"({ctx.settings.post_timeout:g} s): a controller may be halted "
                                 f"at a foreign-configuration prompt ({exc})")
    if view.os_starting:
        _os_started(ctx, view)
    return None if view.boot_stage is None else view


def _typed_serials(ctx: RunContext, present: list[str]) -> None:
    ctx.check("verify: fresh POST", None, "the BMC shows no POST evidence: drives unverified")
    for serial in present:
        ctx.require(AckRequest("serial", serial,
                               f"{ctx.target}'s drive list is unverified (no evidence of a fresh "
                               f"POST): read serial {serial} on the drive's label in "
                               f"{ctx.target} and type it"), waiting=True)
    ctx.check("verify: serials typed by the operator", True, ", ".join(present))


def _degraded(ctx: RunContext, missing: list[str]) -> None:
    for serial in missing:
        ctx.event("warning", f"drive {serial}: stale mirror half: wipe before reuse",
                  {"serial": serial, "stale_mirror_half": True})
    ctx.remember(degraded=missing)
    if not ctx.options.accept_degraded:
        _power_off_and_stop(ctx, f"only part of the MN mirror arrived (missing "
                                 f"{', '.join(missing)}): resume with --accept-degraded to go on "
                                 "degraded, or move the missing drive", back_to_disks=False)


def _volume(ctx: RunContext, node: Any, present: list[str]) -> None:
    """The moved RAID1 must show as a volume; a foreign one is imported (never cleared) and
    the import followed to its end (:mod:`hamnhw.failover.mnimport`): a staged one through
    a reset into setup here, before the boot step's reset into the local disk."""
    recorded = list(ctx.snapshot.mn_serials())
    found = mnimport.mn_volume(node, recorded, present)
    if found is not None:
        ctx.check("verify: MN RAID1 volume visible", True, mnimport.describe(found))
        return
    try:
        found = mnimport.import_mn_volume(ctx, IMPORT_STEP, ctx.target, recorded, present,
                                          lambda: _reset_into_setup(ctx))
    except HamnhwError as exc:
        ctx.check("verify: foreign volume import", False, str(exc))
        _power_off_and_stop(ctx, f"the MN RAID1 does not show on {ctx.target} (foreign "
                                 f"configuration?) and could not be imported: {exc}",
                            back_to_disks=False)
    ctx.check("verify: foreign volume import", True,
              f"imported: {mnimport.describe(found)}")


def _reset_into_setup(ctx: RunContext) -> None:
    """A staged import runs at the next POST: the target is reset into BIOS setup again
    (the checks before every power-on, the override read back), and that POST waited for."""
    before_power_on(ctx, IMPORT_STEP, BootSource.BIOS_SETUP)
    before = start_target(ctx, IMPORT_STEP, "reset_for_import",
                          lambda n: n.power.cycle(wait=False).changed)
    record = ctx.journal.open_step(ctx.run.id, IMPORT_STEP, "reset_for_import")
    marks = record.intent.get("marks_before", before.marks()) if record else before.marks()

    def posted(view: HostView) -> bool:  # setup was entered before the reset already
        return view.os_starting or (view.reset_since(marks) and (
            view.boot_stage == SETUP_STAGE or (view.boot_stage is None and
                                               view.power_state is PowerState.ON)))

    try:
        view = poll_until(lambda: read_host(ctx.node(ctx.target)), posted,
                          ctx.poll.deadline(ctx.settings.post_timeout), ctx.poll,
                          what=f"{ctx.target}: POST into setup after the reset for the import",
                          describe=lambda v: f"{v.power_state.value} {v.boot_stage or ''}")
    except HamnhwError:
        return  # no evidence either way: the import job's own state says whether it ran
    if view.os_starting:
        _os_started(ctx, view)


def _power_off_and_stop(ctx: RunContext, reason: str, back_to_disks: bool = True) -> NoReturn:
    """Power the target off again (journaled), forget this verification and stop."""
    try:
        force_off(ctx, STEP, "power_off_again", ctx.target)
    except HamnhwError as exc:
        reason += f"; powering {ctx.target} off again FAILED: {exc}"
    ctx.journal.supersede(ctx.run.id, (STEP, IMPORT_STEP))
    if back_to_disks:
        ctx.transition(State.AWAITING_DISKS, reason)
        raise Stop(reason + f"; {ctx.target} is off again: fix the drives, then `hamnhw "
                   "failover resume --disks-moved`")
    raise Stop(reason)
