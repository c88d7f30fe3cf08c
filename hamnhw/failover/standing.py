"""One acknowledgement of an old node's silence stands for the rest of its run.

Pulled power cords stay pulled: the operator's typed ``'<node> power cords pulled'``, given
for a check that found the node's BMC silent (no connection made, no route to it:
:func:`~hamnhw.failover.bmcanswer.silent`), stands for every later check of that node in the
run that finds its BMC silent again (the fence's, the disk move's, each one before a
power-on, the one after the boot).  Each check it answers journals an ``ack`` event naming
the acknowledgement it stands on, and the check's detail names it: ``failover log`` shows
where it was used.

It stands only while the BMC stays silent: any answer of that BMC afterwards (a power state
read, a login accepted or refused, a refused connection, a new connection accepted and left
unanswered: :data:`hamnhw.noanswer.ANSWERED`) cancels it, journaled; the next silence is
asked about again, and a BMC that reads on is the re-fence's stop as ever.  It answers
silence only: a check whose reads answered never uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hamnhw.failover.engine import RunContext
    from hamnhw.failover.operator import AckRequest

FACT = "standing_acks"
"""The run fact: ``{node: {"situation", "who", "at"}}``, the acknowledgement standing for
each node's silence."""


def standing(ctx: RunContext, name: str) -> dict[str, Any] | None:
    """The acknowledgement standing for ``name``'s silence, if one does."""
    entry = (ctx.facts.get(FACT) or {}).get(name)
    return dict(entry) if isinstance(entry, dict) else None


def establish(ctx: RunContext, name: str, situation: str) -> None:
    """The acknowledgement journaled for ``situation`` (a silence of ``name``'s BMC) stands
    for its later silences."""
    event = _ack_event(ctx, situation)
    who = (event or {}).get("who") or "the operator"
    acks = dict(ctx.facts.get(FACT) or {})
    acks[name] = {"situation": situation, "who": who, "at": ctx.journal.now()}
    ctx.remember(**{FACT: acks})
    ctx.event("ack", f"the acknowledgement of {situation} by {who} stands for every later "
                     f"check finding {name}'s BMC silent, until it answers")


def use(ctx: RunContext, request: AckRequest) -> bool:
    """Answer ``request`` (a check that found its node's BMC silent) with the acknowledgement
    standing for that node, journaled; False when none stands or it asks about no silence."""
    name = request.silence_of
    entry = standing(ctx, name) if name else None
    if entry is None:
        return False
    ctx.event("ack", f"{request.phrase!r} stands for {request.situation}: acknowledged by "
                     f"{entry['who']} at {entry['situation']}, no answer from {name}'s BMC "
                     "since",
              {"situation": request.situation, "kind": request.kind, "typed": True,
               "phrase": request.phrase, "who": entry["who"], "reason": request.reason,
               "standing": entry["situation"]})
    if (ctx.facts.get("pending_ask") or {}).get("situation") == request.situation:
        ctx.remember(pending_ask=None)
    return True


def cancel(ctx: RunContext, name: str, what: str) -> None:
    """``name``'s BMC answered (``what``): no acknowledgement stands for its silence now."""
    entry = standing(ctx, name)
    if entry is None:
        return
    acks = {k: v for k, v in (ctx.facts.get(FACT) or {}).items() if k != name}
    ctx.remember(**{FACT: acks})
    ctx.event("ack", f"the acknowledgement of {entry['situation']} no longer stands: "
                     f"{name}'s BMC answered ({what}); a later silence is asked about again",
              {"standing_cancelled": entry["situation"], "node": name, "answered": what})


def described(ctx: RunContext, situation: str) -> str:
    """How the check of ``situation`` was acknowledged, for its detail."""
    event = _ack_event(ctx, situation) or {}
    if event.get("standing"):
        return (f"power cords acknowledged pulled at {event['standing']} by {event.get('who')} "
                "(standing: no answer from its BMC since)")
    return f"power cords acknowledged pulled by {event.get('who') or 'the operator'}"


def _ack_event(ctx: RunContext, situation: str) -> dict[str, Any] | None:
    for event in ctx.journal.events(ctx.run.id):
        if event.kind == "ack" and isinstance(event.data, dict) and (
                event.data.get("situation") == situation):
            return dict(event.data)
    return None
