"""Steps 5 to 7: boot the new MN from its local disk, verify it, and finish the run.

5. The same checks as before every power-on, a one-time override to the local disk (UEFI
   boot entries do not travel with the disks) read back, a reset into it, the old node
   re-checked off.
6. Within ``boot_timeout``: BootProgress, the ``reachable`` TCP checks, the SSH host key,
   the ``verify_commands`` (output kept in the journal); identify LEDs off.
7. The new active node gets ``active_restore_policy``; the old one stays ``AlwaysOff``; the
   target's boot override is cleared (never a restored persistent PXE); the journal records
   the active node.
"""

from __future__ import annotations

from typing import Any

from hamnhw.deadline import Deadline
from hamnhw.errors import HamnhwError
from hamnhw.failover.diskmove import identify_off
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.gates import before_power_on, old_node_off
from hamnhw.failover.hostview import SETUP_STAGE, HostView, read_host, shows_resets
from hamnhw.failover.powerops import (
    STEADY_ON_READS,
    effect_unknown,
    force_off,
    on_or_cycle,
    pending,
    power_on,
    stop_on_refusal,
    wait_off,
    wait_steady_on,
)
from hamnhw.failover.preflight import set_policy
from hamnhw.failover.probes import answering, run_command, ssh_host_key
from hamnhw.failover.states import State
from hamnhw.models import (
    BootOverrideMode,
    BootSource,
    BootStage,
    PowerRestorePolicy,
    PowerState,
)
from hamnhw.node import Node
from hamnhw.poll import poll_until

RESET, POWER_OFF, POWER_ON = "reset", "power_off", "power_on"
"""The boot step's journaled power actions: one reset, or a power-off then a power-on."""
OS_RUNNING = BootStage.OS_RUNNING.value
"""The boot stage of a running OS, as :class:`~hamnhw.failover.hostview.HostView` holds it."""


def boot(ctx: RunContext) -> None:
    """Reset the target into its local disk (the checks before a power-on first, on every
    attempt), wait for it, and check the old node is still off.

    A target whose BMC shows no reset marks (IPMI, an older Redfish BMC) is booted as an
    explicit power-off then power-on (:func:`_off_then_on`), each journaled; else by a reset
    whose effect the marks show (:func:`_reset`)."""
    sent = pending(ctx, "boot", (RESET, POWER_OFF, POWER_ON))
    with stop_on_refusal(ctx, ctx.target, effect_unknown(sent) if sent else
                         "cannot be reached to boot it into its local disk"):
        node = ctx.node(ctx.target)
    action = _off_then_on(ctx, node) if _off_on_path(ctx, node) else _reset(ctx, node)
    old_node_off(ctx, "boot-after", f"{action}#{ctx.attempts('boot', action)}")
    ctx.transition(State.CHECK)


def _off_on_path(ctx: RunContext, node: Node) -> bool:
    """The path a journaled earlier attempt took; else off-on when the BMC shows no mark a
    reset would move."""
    if ctx.journal.open_step(ctx.run.id, "boot", POWER_OFF) is not None:
        return True
    if ctx.journal.open_step(ctx.run.id, "boot", RESET) is not None:
        return False
    try:
        return not shows_resets(read_host(node).marks())
    except HamnhwError as exc:
        raise Stop(f"{ctx.target}: its power and boot marks cannot be read before the boot "
                   f"into the local disk: {exc}") from exc


def _reset(ctx: RunContext, node: Node) -> str:
    """A reset into the local disk, believed once a time mark moved or the boot stage left
    setup: a BMC showing marks tells a reset that happened from one that did not."""
    intent = power_on(ctx, "boot", RESET, ctx.target, on_or_cycle,
                      lambda first: before_power_on(ctx, "boot", BootSource.HDD, RESET, first))
    marks = intent.get("marks_before") or {}

    def up(view: HostView) -> bool:
        return view.power_state is PowerState.ON and (
            view.reset_since(marks) or view.boot_stage not in (None, SETUP_STAGE))

    try:
        poll_until(lambda: read_host(node), up, ctx.poll.deadline(ctx.settings.boot_timeout),
                   ctx.poll, what=f"{ctx.target}: reset into the local disk",
                   describe=HostView.describe)
    except HamnhwError as exc:
        raise Stop(f"{ctx.target} did not come back from its reset: {exc}") from exc
    return RESET


def _off_then_on(ctx: RunContext, node: Node) -> str:
    """The boot of a target whose BMC shows no reset marks: a power-on read ``On`` right
    after a reset proves nothing there (IPMI's chassis status reads on while a power cycle
    still powers down), so the target is forced off and confirmed ``Off`` twice
    (``boot.power_off``), then powered on from that confirmed off (``boot.power_on``, after
    the checks before a power-on and the target read ``Off`` twice again), and believed up
    only once it reads ``On`` steadily (:func:`~hamnhw.failover.powerops.wait_steady_on`).
    Each power action's intent is journaled before it is sent: a resume re-reads the BMC."""
    if ctx.journal.open_step(ctx.run.id, "boot", POWER_ON) is None:
        outcome = force_off(ctx, "boot", POWER_OFF, ctx.target)
        if not outcome.get("off"):
            _not_off(ctx, "did not read Off twice after its force-off within "
                          f"power_off_timeout ({ctx.settings.power_off_timeout:g} s)")

    def gate(first: bool) -> None:
        if first and not wait_off(ctx, node, ctx.settings.power_off_timeout,
                                  f"{ctx.target}: still off before its power-on?"):
            _not_off(ctx, "no longer reads Off twice before its power-on")
        before_power_on(ctx, "boot", BootSource.HDD, POWER_ON, first)

    power_on(ctx, "boot", POWER_ON, ctx.target,
             lambda n: bool(n.power.on(wait=False).changed), gate)
    try:
        wait_steady_on(ctx, node, ctx.settings.boot_timeout,
                       f"{ctx.target}: power-on into the local disk")
    except HamnhwError as exc:
        raise Stop(f"{ctx.target} did not read On steadily ({STEADY_ON_READS} reads in a row) "
                   f"after its power-on into the local disk: {exc}") from exc
    ctx.check(f"boot: {ctx.target} on", True,
              f"Off read twice, then On read {STEADY_ON_READS} times in a row after the "
              "power-on (no reset marks on this BMC)")
    return POWER_ON


def _not_off(ctx: RunContext, why: str) -> None:
    """The target is not confirmed off before its power-on: nothing is powered on; the
    resume forces it off again."""
    ctx.journal.supersede(ctx.run.id, ("boot",))
    ctx.check(f"boot: {ctx.target} off before its power-on", False, why)
    raise Stop(f"{ctx.target} {why}: nothing was powered on; `hamnhw failover resume` "
               "forces it off again")


def check(ctx: RunContext) -> None:
    """Verify the new MN within ``boot_timeout``; every check is reported."""
    deadline = ctx.poll.deadline(ctx.settings.boot_timeout)
    results = [_boot_progress(ctx, deadline), _reachable(ctx, deadline), _ssh_key(ctx),
               *_commands(ctx, deadline)]
    identify_off(ctx)
    failed = [name for name, passed in results if passed is False]
    if failed:
        raise Stop(f"the new MN on {ctx.target} failed: {', '.join(failed)} (see `hamnhw "
                   "failover status`); fix it and `hamnhw failover resume` to check again")
    ctx.transition(State.FINISH)


def _boot_progress(ctx: RunContext, deadline: Deadline) -> tuple[str, bool | None]:
    node = ctx.node(ctx.target)
    name = "check: OS running"
    try:
        view = poll_until(lambda: read_host(node),
                          lambda v: v.boot_stage in (None, OS_RUNNING), deadline, ctx.poll,
                          what=f"{ctx.target}: OS running", describe=HostView.describe)
    except HamnhwError as exc:
        return name, ctx.check(name, False, str(exc))
    if view.boot_stage is None:
        ctx.check(name, None, "the BMC shows no BootProgress")
        return name, None
    return name, ctx.check(name, True, "BootProgress OSRunning")


def _reachable(ctx: RunContext, deadline: Deadline) -> tuple[str, bool | None]:
    name = "check: new MN reachable"
    addresses = ctx.settings.reachable
    if not addresses:
        ctx.check(name, None, "unverified (BootProgress only): no [failover] reachable check")
        return name, None
    timeout = ctx.settings.probe_timeout
    try:
        poll_until(lambda: answering(addresses, timeout), lambda live: len(live) == len(addresses),
                   deadline, ctx.poll, what=f"{ctx.target}: reachable",
                   describe=lambda live: f"{len(live)}/{len(addresses)} answering")
    except HamnhwError:
        live = answering(addresses, timeout)
        silent = [a for a in addresses if a not in live]
        return name, ctx.check(name, False, f"silent: {', '.join(silent)}")
    return name, ctx.check(name, True, ", ".join(addresses))


def _ssh_key(ctx: RunContext) -> tuple[str, bool | None]:
    name = "check: SSH host key"
    address = ctx.settings.ssh_host
    if address is None:
        return name, None
    recorded = ctx.snapshot.ssh_host_key
    key = ssh_host_key(address)
    if recorded is None:
        ctx.check(name, None, "the snapshot recorded no key")
        return name, None
    if key is None:
        return name, ctx.check(name, False, f"no key read from {address}")
    return name, ctx.check(name, tuple(key) == tuple(recorded),
                           "matches the snapshot" if tuple(key) == tuple(recorded) else
                           f"DIFFERS from the snapshot's: {'; '.join(key)}")


def _commands(ctx: RunContext, deadline: Deadline) -> list[tuple[str, bool | None]]:
    secrets = [n.password_env for n in (ctx.config.node(ctx.source), ctx.config.node(ctx.target))
               if n.password_env]
    results: list[tuple[str, bool | None]] = []
    for argv in ctx.settings.verify_commands:
        name = "check: " + " ".join(argv)
        result = run_command(argv, max(1.0, deadline.left()), secrets)
        ctx.event("command", name, {"argv": list(argv), "exit_code": result.exit_code,
                                    "output": result.output, "error": result.error})
        detail = (f"exit {result.exit_code}" if result.error is None else result.error)
        results.append((name, ctx.check(name, result.ok, detail)))
    return results


def finish(ctx: RunContext) -> None:
    """Policies, override cleared, active node recorded."""
    try:
        set_policy(ctx, "finish", "target_restore_policy", ctx.target,
                   ctx.settings.active_restore_policy)
        ctx.check(f"finish: {ctx.target} restore policy {ctx.settings.active_restore_policy}",
                  True, "read back")
    except HamnhwError as exc:
        ctx.warn(f"{ctx.target}: restore policy not set: {exc}")
    _old_stays_off(ctx)
    _clear_override(ctx)
    ctx.logout()
    ctx.journal.set_active_node(ctx.target, f"failover run {ctx.run.id}")
    ctx.remember(active_node_after=ctx.target)
    ctx.transition(State.DONE)


def _old_stays_off(ctx: RunContext) -> None:
    try:
        policy = ctx.node(ctx.source).power.get_restore_policy()
    except HamnhwError as exc:
        ctx.warn(f"{ctx.source}: restore policy unreadable ({exc}); it must stay AlwaysOff")
        return
    if policy is not PowerRestorePolicy.ALWAYS_OFF:
        ctx.warn(f"{ctx.source}'s restore policy reads {policy.value}: setting AlwaysOff again")
        set_policy(ctx, "finish", "source_restore_policy", ctx.source,
                   PowerRestorePolicy.ALWAYS_OFF)


def _clear_override(ctx: RunContext) -> None:
    node = ctx.node(ctx.target)

    def do() -> dict[str, Any]:
        readback = node.management.set_boot_override(BootSource.NONE)
        return {"target": readback.target.value, "mode": readback.mode.value}

    def recover(_intent: dict[str, Any]) -> dict[str, Any] | None:
        current = node.management.get_boot_override()
        return ({"target": current.target.value, "mode": current.mode.value}
                if current.mode is BootOverrideMode.DISABLED else None)

    try:
        ctx.act("finish", "clear_override", ctx.target, {"target": "None"}, do, recover)
        ctx.check("finish: boot override cleared", True, "None/Disabled read back")
    except HamnhwError as exc:
        ctx.warn(f"{ctx.target}: boot override not cleared: {exc}")
