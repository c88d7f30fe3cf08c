"""BMC sessions a crashed coordinator left behind: deleted on resume where the account may.

Every session the coordinator opens is journaled with its path and marked closed at logout;
a session still open in the journal when a new invocation starts belongs to a process that
died.  Where the account may not delete it (or the BMC refuses), it expires by itself: said
so in the journal.
"""

from __future__ import annotations

from hamnhw.errors import HamnhwError, NotFoundError
from hamnhw.failover.engine import RunContext
from hamnhw.pair import PAIR_NODES


def delete_stale_sessions(ctx: RunContext) -> None:
    """Delete the sessions the journal shows open on either node (before opening ours)."""
    stale = {name: ctx.journal.open_sessions(name) for name in PAIR_NODES}
    for name, sessions in stale.items():
        if not sessions:
            continue
        try:
            client = ctx.node(name).driver.client
        except HamnhwError as exc:
            ctx.event("warning", f"{name}: {len(sessions)} stale session(s) not deleted "
                                 f"({exc}); they expire by themselves")
            continue
        for session_id, path in sessions:
            _delete(ctx, client, name, session_id, path)


def _delete(ctx: RunContext, client: object, name: str, session_id: int, path: str) -> None:
    delete = getattr(client, "delete_session", None)
    if delete is None:  # not a Redfish transport: nothing to delete
        ctx.journal.session_closed(session_id)
        return
    try:
        delete(path)
        ctx.event("session", f"{name}: stale session {path} deleted")
    except NotFoundError:
        ctx.event("session", f"{name}: stale session {path} already gone")
    except (HamnhwError, ValueError) as exc:
        ctx.event("warning", f"{name}: stale session {path} not deleted ({exc}): the account "
                             "may not delete sessions; it expires by itself")
    ctx.journal.session_closed(session_id)
