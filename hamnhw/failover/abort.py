"""``hamnhw failover abort``.

Before the disk move: the remembered restore policies come back, the identify LEDs go off,
and each node's state is reported.  ``--power-on-old-node`` then powers the old node on only
after a fresh POST (into BIOS setup, evidence required) shows every MN drive back in it, and
only while the target reads off and no MN address answers; it then boots its local disk.
After the disks were journaled as moved, abort powers nothing.
"""

from __future__ import annotations

from hamnhw.errors import HamnhwError
from hamnhw.failover.diskmove import identify_off
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.hostview import read_host
from hamnhw.failover.powerops import force_off, mn_addresses_silent, read_state, wait_off
from hamnhw.failover.preflight import set_policy
from hamnhw.failover.states import DISKS_MOVED_STATES, State
from hamnhw.models import BootSource, PowerRestorePolicy, PowerState
from hamnhw.pair import PAIR_NODES
from hamnhw.poll import poll_until


def abort(ctx: RunContext, power_on_old_node: bool) -> dict[str, str]:
    """Abort the run; returns each node's power state.

    :raises Stop: ``--power-on-old-node`` refused (the run stays aborted all the same).
    """
    moved = ctx.state in DISKS_MOVED_STATES
    if moved:
        ctx.event("step", f"abort after the disks were moved into {ctx.target}: nothing is "
                          "powered on or off")
        if power_on_old_node:
            raise Stop(f"the disks are journaled as moved into {ctx.target}: hamnhw never "
                       f"powers {ctx.source} on in this run")
    else:
        _restore(ctx)
    identify_off(ctx)
    ctx.transition(State.ABORTED, "aborted by " + ctx.operator.identity())
    if power_on_old_node:
        _power_on_old_node(ctx)
    return _power(ctx)


def _restore(ctx: RunContext) -> None:
    for name, fact in ((ctx.target, "target_policy_before"), (ctx.source, "source_policy_before")):
        before = ctx.facts.get(fact)
        if not before:
            continue
        try:
            set_policy(ctx, "abort", f"restore_policy_{name}", name, PowerRestorePolicy(before))
            ctx.event("step", f"{name}: restore policy {before} again")
        except HamnhwError as exc:
            ctx.warn(f"{name}: restore policy not restored to {before}: {exc}")


def _power_on_old_node(ctx: RunContext) -> None:
    old, other = ctx.source, ctx.target
    target = ctx.node(other)
    if read_state(target) is not PowerState.OFF or not wait_off(
            ctx, target, ctx.settings.power_off_timeout, f"{other}: off?"):
        raise Stop(f"{other} is not off: {old} is not powered on")
    mn_addresses_silent(ctx, "abort")
    node = ctx.node(old)
    node.management.set_boot_override(BootSource.BIOS_SETUP)
    before = read_host(node).marks()
    node.power.on(wait=False)
    view = poll_until(lambda: read_host(node),
                      lambda v: v.os_starting or v.fresh_post_since(before),
                      ctx.poll.deadline(ctx.settings.post_timeout), ctx.poll,
                      what=f"{old}: POST into BIOS setup")
    seen = {d.serial for d in node.raid.storage().drives or () if d.serial}
    missing = [s for s in ctx.snapshot.mn_serials() if s not in seen]
    if view.os_starting or missing:
        force_off(ctx, "abort", "power_off_old_node", old)
        why = (f"it started its OS ({view.boot_stage})" if view.os_starting else
               f"the MN drive(s) {', '.join(missing)} are not back in it")
        raise Stop(f"{old} was not powered on: {why}; it is off again")
    ctx.check("abort: MN drives back in the old node", True, ", ".join(sorted(seen)))
    node.management.set_boot_override(BootSource.HDD)
    node.power.cycle(wait=False)
    ctx.event("step", f"{old} boots its local disk again")


def _power(ctx: RunContext) -> dict[str, str]:
    power = {}
    for name in PAIR_NODES:
        try:
            power[name] = read_state(ctx.node(name)).value
        except HamnhwError:
            power[name] = "unreachable"
    ctx.event("step", "after abort: " + ", ".join(f"{n} {s}" for n, s in power.items()))
    return power
