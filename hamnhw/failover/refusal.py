"""A run that stops in its preflight having touched nothing ends ``refused``.

The preflight reads both nodes and changes nothing but the target's restore policy
(``AlwaysOff``, the safe side for a node that is not the MN).  Whatever stops it there (a
safety refusal, a BMC rejecting the credentials or unreachable, a Ctrl-C) leaves nothing to
resume or abort: the run is closed as ``refused`` with its reason journaled, so that
``hamnhw failover start`` again works and the power guard (:mod:`hamnhw.pair.runguard`) does
not count it.  A run that journaled anything else, or an action whose outcome is missing
(it may have been sent: a crash, or the restore policy's write timed out or lost its
connection, :func:`~hamnhw.failover.bmcanswer.maybe_applied`), is never closed this way: it
stays unfinished, to be resumed (which reads the BMC again first) or aborted.
"""

from __future__ import annotations

from hamnhw.errors import HamnhwError, Interrupted
from hamnhw.failover.bmcanswer import remedy
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.journal_records import in_run_words, start_command
from hamnhw.failover.states import State


def acted(ctx: RunContext) -> bool:
    """True when the run journaled an action beyond the preflight's (any later step's), or
    one whose outcome is missing."""
    return any(r.step != "preflight" or r.outcome is None
               for r in ctx.journal.steps(ctx.run.id))


def refuse_untouched(ctx: RunContext, exc: BaseException) -> bool:
    """Close the run as refused when ``exc`` stopped it in its preflight with nothing done
    (see the module docstring); True when it did."""
    if ctx.state is not State.PREFLIGHT or acted(ctx):
        return False
    reason = in_run_words(refusal_reason(ctx, exc), ctx.run.kind)
    ctx.transition(State.REFUSED, reason)
    if not isinstance(exc, Stop):  # a stop's reason is journaled with the stop
        ctx.event("stop", reason)
    return True


def refusal_reason(ctx: RunContext, exc: BaseException) -> str:
    """Why the run was refused, what was left as it was and how to start again."""
    if isinstance(exc, Stop):
        return exc.reason
    again = f"`{start_command(ctx.run.kind)}` again"
    touched = ("nothing was touched" if not ctx.journal.steps(ctx.run.id) else
               f"nothing was touched but {ctx.target}'s restore policy (now AlwaysOff)")
    if isinstance(exc, Interrupted):
        return f"interrupted in the preflight (signal {exc.signum}): {touched}; {again}"
    fix = "fix it"
    if isinstance(exc, HamnhwError) and (name := ctx.refused_node(exc)) is not None:
        fix = remedy(name, exc, ctx.config)
    return (f"refused in the preflight: {type(exc).__name__}: {exc}; {touched}: {fix}, "
            f"then {again}")
