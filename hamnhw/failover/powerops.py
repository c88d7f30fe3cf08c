"""Power actions of the coordinator, each journaled through :meth:`RunContext.act`.

Off is believed only after ``PowerState`` reads exactly ``Off`` twice in a row, polled at
``[failover] poll_interval`` (shorter than the BMC's transition), as fence-agents confirm a
fence by reading the status back.  A fence (ForceOff) may be re-sent, and a 409 to it (not
executed) is followed by a read and a bounded retry; a power-on is never re-sent after a
crash without a typed confirmation, its 409s are retried with the checks before a power-on
made again before each retry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from hamnhw.errors import AccessDenied, ConflictError, HamnhwError
from hamnhw.failover.bmcanswer import answered
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.hostview import HostView, drive_view, read_host
from hamnhw.failover.states import State
from hamnhw.models import BootOverride, BootOverrideMode, BootSource, PowerState
from hamnhw.monitor.lockout import refused_login
from hamnhw.node import Node
from hamnhw.poll import poll_until

CONFLICT_RETRIES = 5
"""409 answers to one power request tolerated before giving up."""
STEADY_ON_READS = 3
"""Consecutive ``On`` reads, spanning at least one poll interval fewer than their number,
that make a power-on believed over a BMC that shows no reset marks (:func:`wait_steady_on`)."""


def refused(exc: HamnhwError) -> bool:
    """A final refusal of the BMC: the credentials rejected (a refused login, not an expired
    session) or the account denied access.  Reading again cannot change it (and could add
    refused logins toward the account's lockout): the operator fixes the account."""
    return isinstance(exc, AccessDenied) or refused_login(exc)


def read_state(node: Node) -> PowerState:
    """One power read; an unreadable answer is UNKNOWN (never taken as off).

    :raises AuthenticationError: the BMC refused the credentials (:func:`refused`).
    :raises AccessDenied: the BMC denied the account access.
    """
    try:
        return node.power.state()
    except HamnhwError as exc:
        if refused(exc):
            raise
        return PowerState.UNKNOWN


def refusal_stop(ctx: RunContext, name: str, exc: HamnhwError, what: str) -> Stop:
    """The stop for ``name``'s BMC refusing the account where it ``what`` (``"cannot be
    confirmed off"``): naming the fix (:func:`~hamnhw.failover.bmcanswer.answered`) and the
    command that goes on."""
    command = {State.ABORTING: "abort", State.AWAITING_DISKS: "resume --disks-moved"}.get(
        ctx.state, "resume")
    return Stop(answered(name, exc, f"{name} {what}", command, ctx.config))


@contextlib.contextmanager
def stop_on_refusal(ctx: RunContext, name: str, what: str) -> Iterator[None]:
    """Within the block, a refusal of ``name``'s BMC (:func:`refused`) stops the run
    (:func:`refusal_stop`) instead of being waited out or forced through."""
    try:
        yield
    except HamnhwError as exc:
        if refused(exc):
            raise refusal_stop(ctx, name, exc, what) from exc
        raise


def off_twice(states: list[PowerState]) -> bool:
    """The last two reads were exactly ``Off`` (anything else between resets the count)."""
    return len(states) >= 2 and states[-1] is PowerState.OFF and states[-2] is PowerState.OFF


def wait_off(ctx: RunContext, node: Node, budget: float, what: str) -> bool:
    """Poll until ``Off`` is read twice in a row; False when ``budget`` runs out first.

    :raises Stop: the BMC refused the account (:func:`refused`): at the first such read.
    """
    seen: list[PowerState] = []

    def read() -> PowerState:
        try:
            seen.append(read_state(node))
        except HamnhwError as exc:  # a refusal (read_state): no read again, no re-login
            raise refusal_stop(ctx, node.name, exc, "cannot be confirmed off") from exc
        return seen[-1]

    try:
        poll_until(read, lambda _state: off_twice(seen), ctx.poll.deadline(budget), ctx.poll,
                   what=what, host=node.address.netloc, describe=lambda s: s.value)
    except HamnhwError:
        return False
    return True


def steady_on(reads: list[tuple[float, PowerState]], interval: float) -> bool:
    """The last :data:`STEADY_ON_READS` reads (``(clock, state)``) were all ``On`` and span at
    least ``STEADY_ON_READS - 1`` poll intervals (anything else between resets the count)."""
    last = reads[-STEADY_ON_READS:]
    return (len(last) == STEADY_ON_READS and all(s is PowerState.ON for _t, s in last)
            and last[-1][0] - last[0][0] >= (STEADY_ON_READS - 1) * interval * 0.999)


def wait_steady_on(ctx: RunContext, node: Node, budget: float, what: str) -> PowerState:
    """Poll until ``On`` is read steadily (:func:`steady_on`).

    :returns: the last state read (``On``).
    :raises WaitTimeout: ``budget`` ran out first (the error names the last state read).
    :raises Stop: the BMC refused the account (:func:`refused`): at the first such read.
    """
    reads: list[tuple[float, PowerState]] = []

    def read() -> PowerState:
        try:
            reads.append((ctx.poll.clock(), read_state(node)))
        except HamnhwError as exc:  # a refusal (read_state)
            raise refusal_stop(ctx, node.name, exc, "cannot be confirmed on") from exc
        return reads[-1][1]

    return poll_until(read, lambda _state: steady_on(reads, ctx.poll.interval),
                      ctx.poll.deadline(budget), ctx.poll, what=what,
                      host=node.address.netloc, describe=lambda s: s.value)


def force_off(ctx: RunContext, step: str, action: str, name: str) -> dict[str, Any]:
    """ForceOff ``name`` (journaled; may be re-sent) and wait for two Off reads.

    A 409 (not executed) is followed by a read: already off is success, else the ForceOff
    is sent again, at most :data:`CONFLICT_RETRIES` times in all.  A BMC refusing the
    account stops the run (:func:`stop_on_refusal`)."""
    node = ctx.node(name)
    budget = ctx.settings.power_off_timeout

    def do() -> dict[str, Any]:
        for attempt in range(1, CONFLICT_RETRIES + 1):
            try:
                with stop_on_refusal(ctx, name, "cannot be forced off"):
                    result = node.power.off(wait=False)
            except ConflictError as exc:
                ctx.event("retry", f"{name}: ForceOff answered 409 (not executed), attempt "
                                   f"{attempt}: {exc.redfish_message or exc}")
                if wait_off(ctx, node, ctx.poll.interval * 3, f"{name}: off after a 409?"):
                    return {"sent": False, "off": True, "conflicts": attempt}
                continue
            if result.changed:
                ctx.sent()
            return {"sent": result.changed, "off": wait_off(ctx, node, budget,
                                                            f"{name}: force off")}
        return {"sent": False, "off": False, "conflicts": CONFLICT_RETRIES}

    def recover(_intent: dict[str, Any]) -> dict[str, Any] | None:
        return {"off": True} if wait_off(ctx, node, budget, f"{name}: off?") else None

    return ctx.act(step, action, name, {"reset": "ForceOff"}, do, recover)


def set_override(ctx: RunContext, step: str, name: str, target: BootSource) -> BootOverride:
    """One-time boot override on ``name``, read back (journaled)."""
    node = ctx.node(name)

    def do() -> dict[str, Any]:
        readback = node.management.set_boot_override(target, persistent=False)
        return {"target": readback.target.value, "mode": readback.mode.value}

    def recover(_intent: dict[str, Any]) -> dict[str, Any] | None:
        current = node.management.get_boot_override()
        if current.target is target and current.mode is BootOverrideMode.ONCE:
            return {"target": current.target.value, "mode": current.mode.value}
        return None

    suffix = "" if name == ctx.target else f"_{name}"
    outcome = ctx.act(step, f"override_{target.value.lower()}{suffix}", name,
                      {"target": target.value, "mode": "Once"}, do, recover)
    return BootOverride(BootSource(outcome["target"]), BootOverrideMode(outcome["mode"]))


def power_on(ctx: RunContext, step: str, action: str, name: str,
             send: Callable[[Node], bool], gate: Callable[[bool], None]) -> dict[str, Any]:
    """Send a power-on (or a reset into a boot) of ``name``: journaled, 409 retried, never
    re-sent after a crash without confirmation.

    :param send: sends the request (a power-on, :func:`on_or_cycle`); a refusal of the BMC
        in it (:func:`refused`: a read or the request itself) stops the run naming the fix
        (:func:`stop_on_refusal`), the request not executed: a resume sends it again, after
        the gate, without asking for a confirmation.  A refusal while an earlier attempt's
        effect is read again (its outcome missing after a crash) is that named stop too,
        never a "resend" confirmation: nothing is known of the effect until the BMC reads.
    :param gate: the checks before a power-on, called with True right before the intent of
        every attempt (first or resumed) and with False before each 409 retry; it raises
        :class:`~hamnhw.failover.engine.Stop` to send nothing.
    :returns: the intent: the marks read before (``marks_before``), the power state
        (``from_state``) and the drive view (``drives_before``).
    """
    refusal = f"cannot be powered on ({action.replace('_', ' ')})"
    unknown = effect_unknown(action)
    with stop_on_refusal(ctx, name, unknown if pending(ctx, step, (action,)) else refusal):
        node = ctx.node(name)
        before = read_host(node)

    def do() -> dict[str, Any]:
        for attempt in range(1, CONFLICT_RETRIES + 1):
            if attempt > 1:
                gate(False)
            try:
                with stop_on_refusal(ctx, name, refusal):
                    changed = send(node)
            except ConflictError as exc:
                ctx.event("retry", f"{name}: {action} answered 409 (not executed), "
                                   f"attempt {attempt}: {exc.redfish_message or exc}")
                ctx.poll.sleep(ctx.poll.interval * 4)
                continue
            ctx.sent()
            return {"sent": changed}
        raise Stop(f"{name} refused {action} {CONFLICT_RETRIES} times (409)")

    def recover(intent: dict[str, Any]) -> dict[str, Any] | None:
        deadline = ctx.poll.deadline(ctx.settings.post_timeout)
        try:
            poll_until(lambda: read_host(node), lambda v: took_effect(v, intent), deadline,
                       ctx.poll, what=f"{name}: did {action} take effect?",
                       describe=HostView.describe)
        except HamnhwError as exc:
            if refused(exc):  # an answer, not "no effect shown": no resend is offered
                raise refusal_stop(ctx, name, exc, unknown) from exc
            return None
        return {"sent": True}

    intent = {"marks_before": before.marks(), "from_state": before.power_state.value,
              "drives_before": _drives_before(node)}
    ctx.act(step, action, name, intent, do, recover, resend="confirm",
            gate=lambda: gate(True))
    record = ctx.journal.open_step(ctx.run.id, step, action)
    return record.intent if record is not None else intent


def pending(ctx: RunContext, step: str, actions: tuple[str, ...]) -> str | None:
    """The first of ``step``'s ``actions`` an earlier attempt journaled without its outcome
    (sent, maybe, before a crash): its effect is read before anything more is sent."""
    for action in actions:
        record = ctx.journal.open_step(ctx.run.id, step, action)
        if record is not None and record.outcome is None:
            return action
    return None


def effect_unknown(action: str) -> str:
    """What a refusal leaves unknown about a pending ``action``, for its stop."""
    return (f"cannot be read: whether its {action.replace('_', ' ')} took effect is not known "
            "(it is not sent again before it is)")


def on_or_cycle(node: Node) -> bool:
    """Power on when off, else power cycle (a reset into the boot override just set)."""
    if read_state(node) is PowerState.OFF:
        return bool(node.power.on(wait=False).changed)
    return bool(node.power.cycle(wait=False).changed)


def _drives_before(node: Node) -> list[list[str]] | None:
    try:
        return drive_view(node)
    except HamnhwError:
        return None


def took_effect(view: HostView, intent: dict[str, Any]) -> bool:
    """A power-on (or reset) sent from the state in ``intent`` shows in ``view``."""
    marks = intent.get("marks_before", {})
    if intent.get("from_state") == PowerState.OFF.value:
        return view.power_state in (PowerState.ON, PowerState.POWERING_ON)
    return view.reset_since(marks) or view.power_state in (PowerState.POWERING_ON,
                                                           PowerState.POWERING_OFF,
                                                           PowerState.OFF)
