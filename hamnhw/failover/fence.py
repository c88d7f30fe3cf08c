"""Step 2, fence the old node: graceful shutdown, then force-off; Off read twice; its restore
policy ``AlwaysOff`` read back (old value remembered).

An unreachable BMC (no read answered for ``power_off_timeout``), an off that cannot be
confirmed or a policy the BMC cannot set stops the run until the operator types that the
node's power cords are pulled; each of these answers only its own situation, but the
acknowledgement of a silent BMC stands for its later silences in the run, until it answers
(:mod:`~hamnhw.failover.standing`).  A BMC that
answers with an error when its power is read, or that rejects the credentials or the
certificate pin, stops the run naming the fix instead (:mod:`~hamnhw.failover.bmcanswer`):
no acknowledgement stands for a BMC that answers.  Nothing says
"move the disks" before the fence holds.
"""

from __future__ import annotations

from typing import Any

from hamnhw.errors import AccessDenied, AuthenticationError, HamnhwError, TlsError
from hamnhw.failover.bmcanswer import answered
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.gates import UNREACHABLE, cords_pulled, poll_power
from hamnhw.failover.powerops import force_off, read_state, stop_on_refusal, wait_off
from hamnhw.failover.preflight import set_policy
from hamnhw.models import PowerRestorePolicy, PowerState
from hamnhw.node import Node


def fence(ctx: RunContext) -> None:
    """Fence the old node, or stop asking for the power-cords acknowledgement."""
    name = ctx.source
    found, _state = poll_power(ctx, name, f"{name}: BMC answering?")
    if found == UNREACHABLE:
        ctx.require(cords_pulled(name, f"{name}'s BMC does not answer; the fence cannot be "
                                       "confirmed", "fence:unreachable", silence=True))
        ctx.remember(fenced_by="acknowledgement")
        return
    node = ctx.node(name)
    off = _graceful(ctx, node) if ctx.settings.graceful_timeout > 0 else False
    if not off:
        outcome = force_off(ctx, "fence", "force_off", name)
        ctx.remember(forced=True)
        ctx.warn(f"{name} needed a force-off: its OS and controller may not have flushed their "
                 "caches (possible cache loss)")
        off = bool(outcome.get("off"))
    if not off:
        record = ctx.journal.open_step(ctx.run.id, "fence", "force_off")
        ctx.check("fence: off confirmed", False, f"{name} never read Off twice")
        ctx.require(cords_pulled(name, f"{name} could not be confirmed off",
                                 f"fence:not_off:{record.id if record else 0}"))
        ctx.remember(fenced_by="acknowledgement")
    else:
        ctx.check("fence: off confirmed", True, f"{name} read Off twice")
        ctx.remember(fenced_by="bmc")
    try:
        set_policy(ctx, "fence", "restore_policy", name, PowerRestorePolicy.ALWAYS_OFF,
                   "source_policy_before")
        ctx.check("fence: restore policy AlwaysOff", True, "read back")
    except HamnhwError as exc:
        ctx.check("fence: restore policy AlwaysOff", False, str(exc))
        if isinstance(exc, AuthenticationError | AccessDenied | TlsError):
            raise Stop(answered(name, exc, f"{name}'s restore policy could not be set to "
                                           "AlwaysOff", config=ctx.config)) from exc
        ctx.require(cords_pulled(name, f"{name}'s restore policy could not be set to AlwaysOff "
                                       f"({exc}): a power blip could boot it", "fence:policy"))


def _graceful(ctx: RunContext, node: Node) -> bool:
    """GracefulShutdown, then wait ``graceful_timeout`` for two Off reads.  A BMC refusing
    the account stops the run (no force-off tried with the refused credentials)."""
    name, budget = ctx.source, ctx.settings.graceful_timeout

    def do() -> dict[str, Any]:
        with stop_on_refusal(ctx, name, "cannot be shut down"):
            state = read_state(node)
        if state is PowerState.OFF:
            return {"sent": False, "off": wait_off(ctx, node, budget, f"{name}: off?")}
        result = node.power.soft_off(wait=False)
        if result.changed:
            ctx.sent()
        return {"sent": result.changed,
                "off": wait_off(ctx, node, budget, f"{name}: graceful shutdown")}

    def recover(_intent: dict[str, Any]) -> dict[str, Any]:
        return {"off": wait_off(ctx, node, budget, f"{name}: graceful shutdown (resumed)")}

    try:
        outcome = ctx.act("fence", "graceful", name, {"reset": "GracefulShutdown",
                                                      "budget_s": budget}, do, recover)
    except HamnhwError as exc:
        ctx.warn(f"{name}: graceful shutdown failed ({exc}); forcing it off")
        return False
    return bool(outcome.get("off"))
