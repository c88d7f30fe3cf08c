"""Power actions of the coordinator, each journaled through :meth:`RunContext.act`.

Off is believed only after ``PowerState`` reads exactly ``Off`` twice in a row, polled at
``[failover] poll_interval`` (shorter than the BMC's transition), as fence-agents confirm a
fence by reading the status back.  A fence (ForceOff) may be re-sent; a power-on of the
target never is without a typed confirmation; a 409 (not executed) is retried.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hamnhw.errors import ConflictError, HamnhwError
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.hostview import HostView, read_host
from hamnhw.failover.operator import AckRequest
from hamnhw.failover.probes import answering
from hamnhw.models import BootOverride, BootOverrideMode, BootSource, PowerState
from hamnhw.node import Node
from hamnhw.poll import poll_until

CONFLICT_RETRIES = 5
"""409 answers to one power request tolerated before giving up."""


def read_state(node: Node) -> PowerState:
    """One power read; an unreadable answer is UNKNOWN (never taken as off)."""
    try:
        return node.power.state()
    except HamnhwError:
        return PowerState.UNKNOWN


def wait_off(ctx: RunContext, node: Node, budget: float, what: str) -> bool:
    """Poll until ``Off`` is read twice in a row; False when ``budget`` runs out first."""
    seen = {"offs": 0}

    def reached(state: PowerState) -> bool:
        seen["offs"] = seen["offs"] + 1 if state is PowerState.OFF else 0
        return seen["offs"] >= 2

    try:
        poll_until(lambda: read_state(node), reached, ctx.poll.deadline(budget), ctx.poll,
                   what=what, host=node.address.netloc, describe=lambda s: s.value)
    except HamnhwError:
        return False
    return True


def cords_pulled(name: str, reason: str) -> AckRequest:
    """The acknowledgement that stands for a fence the BMC could not confirm."""
    return AckRequest("cords_pulled", f"{name} power cords pulled",
                      f"{reason}: pull {name}'s power cords, then type the acknowledgement")


def force_off(ctx: RunContext, step: str, action: str, name: str) -> dict[str, Any]:
    """ForceOff ``name`` (journaled; may be re-sent) and wait for two Off reads."""
    node = ctx.node(name)
    budget = ctx.settings.power_off_timeout

    def do() -> dict[str, Any]:
        result = node.power.off(wait=False)
        if result.changed:
            ctx.sent()
        return {"sent": result.changed, "off": wait_off(ctx, node, budget, f"{name}: force off")}

    def recover(_intent: dict[str, Any]) -> dict[str, Any] | None:
        return {"off": True} if wait_off(ctx, node, budget, f"{name}: off?") else None

    return ctx.act(step, action, name, {"reset": "ForceOff"}, do, recover)


def old_node_off(ctx: RunContext, step: str) -> None:
    """Before a power-on of the target (and at resume): the old node must read Off twice.

    Unreachable: only a journaled "power cords pulled" acknowledgement lets the run go on.
    On (it powered itself on): force it off again, then go on only with the acknowledgement.
    """
    name = ctx.source
    try:
        node = ctx.node(name)
        state = read_state(node)
    except HamnhwError as exc:
        ctx.require(cords_pulled(name, f"{name}'s BMC does not answer ({exc})"))
        return
    if state is PowerState.OFF and wait_off(ctx, node, ctx.settings.power_off_timeout,
                                            f"{name}: still off?"):
        ctx.check(f"{step}: {name} off", True, "Off read twice")
        return
    ctx.warn(f"{name} reads {state.value} after its fence: forcing it off again")
    ctx.journal.supersede(ctx.run.id, (f"{step}-refence",))
    outcome = force_off(ctx, f"{step}-refence", "force_off", name)
    ctx.require(cords_pulled(name, f"{name} powered itself back on (forced off again: "
                                   f"{'confirmed' if outcome.get('off') else 'NOT confirmed'})"))


def mn_addresses_silent(ctx: RunContext, step: str) -> None:
    """Before a power-on: no ``mn_addresses`` may answer (the MN would be running elsewhere)."""
    addresses = ctx.settings.mn_addresses
    if not addresses:
        return
    live = answering(addresses)
    if live:
        ctx.check(f"{step}: MN addresses silent", False, f"answering: {', '.join(live)}")
        raise Stop(f"MN address(es) {', '.join(live)} still answer: an MN may be running; "
                   "nothing was powered on")
    ctx.check(f"{step}: MN addresses silent", True, ", ".join(addresses))


def set_override(ctx: RunContext, step: str, target: BootSource) -> BootOverride:
    """One-time boot override on the target, read back (journaled)."""
    node = ctx.node(ctx.target)

    def do() -> dict[str, Any]:
        readback = node.management.set_boot_override(target, persistent=False)
        return {"target": readback.target.value, "mode": readback.mode.value}

    def recover(_intent: dict[str, Any]) -> dict[str, Any] | None:
        current = node.management.get_boot_override()
        if current.target is target and current.mode is BootOverrideMode.ONCE:
            return {"target": current.target.value, "mode": current.mode.value}
        return None

    outcome = ctx.act(step, f"override_{target.value.lower()}", ctx.target,
                      {"target": target.value, "mode": "Once"}, do, recover)
    return BootOverride(BootSource(outcome["target"]), BootOverrideMode(outcome["mode"]))


def before_power_on(ctx: RunContext, step: str, boot: BootSource) -> None:
    """The checks before every power-on of the target: MN addresses silent, old node off,
    one-time override read back."""
    mn_addresses_silent(ctx, step)
    old_node_off(ctx, step)
    try:
        override = set_override(ctx, step, boot)
    except HamnhwError as exc:
        raise Stop(f"the one-time boot override {boot.value} could not be set on "
                   f"{ctx.target}: {exc}") from exc
    ctx.check(f"{step}: override {boot.value}/Once", True,
              f"read back {override.target.value}/{override.mode.value}")
    current = ctx.node(ctx.target).management.get_boot_override()
    if current.target is not boot or current.mode is not BootOverrideMode.ONCE:
        raise Stop(f"{ctx.target}'s boot override reads {current.target.value}/"
                   f"{current.mode.value}, not {boot.value}/Once: nothing was powered on")


def start_target(ctx: RunContext, step: str, action: str,
                 send: Callable[[Node], bool]) -> HostView:
    """Send a power-on (or reset) of the target: journaled, 409 retried, never re-sent
    after a crash without confirmation.  Returns the marks read before it."""
    node = ctx.node(ctx.target)
    before = read_host(node)

    def do() -> dict[str, Any]:
        for attempt in range(1, CONFLICT_RETRIES + 1):
            try:
                changed = send(node)
            except ConflictError as exc:
                ctx.event("retry", f"{ctx.target}: {action} answered 409 (not executed), "
                                   f"attempt {attempt}: {exc.redfish_message or exc}")
                ctx.poll.sleep(ctx.poll.interval * 4)
                continue
            ctx.sent()
            return {"sent": changed, "marks_before": before.marks()}
        raise Stop(f"{ctx.target} refused {action} {CONFLICT_RETRIES} times (409)")

    def recover(intent: dict[str, Any]) -> dict[str, Any] | None:
        marks = intent.get("marks_before", {})
        deadline = ctx.poll.deadline(ctx.settings.post_timeout)
        try:
            poll_until(lambda: read_host(node), lambda v: _took_effect(v, marks, intent),
                       deadline, ctx.poll, what=f"{ctx.target}: did {action} take effect?")
        except HamnhwError:
            return None
        return {"sent": True, "marks_before": marks}

    ctx.act(step, action, ctx.target, {"marks_before": before.marks(),
                                       "from_state": before.power_state.value},
            do, recover, resend="confirm")
    return before


def _took_effect(view: HostView, marks: dict[str, Any], intent: dict[str, Any]) -> bool:
    if intent.get("from_state") == PowerState.OFF.value:
        return view.power_state in (PowerState.ON, PowerState.POWERING_ON)
    return view.reset_since(marks) or view.power_state in (PowerState.POWERING_ON,
                                                           PowerState.POWERING_OFF,
                                                           PowerState.OFF)
