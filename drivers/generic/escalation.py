"""Why a soft-off with ``escalate_after`` escalates to ``ForceOff``: the code
:attr:`~hamnhw.models.PowerResult.escalation` carries, and the warning's words."""

from __future__ import annotations

from hamnhw.errors import HamnhwError, PowerStateTimeout, StateUnconfirmed, UnsupportedOperation


def escalation_code(exc: HamnhwError) -> str:
    """Why a soft-off escalates, as :attr:`~hamnhw.models.PowerResult.escalation` codes it."""
    if isinstance(exc, PowerStateTimeout):
        return "still-on"
    if isinstance(exc, StateUnconfirmed):
        return "graceful-unanswered"
    return "not-offered" if isinstance(exc, UnsupportedOperation) else "refused"


def why_escalate(exc: HamnhwError) -> str:
    """Why a soft-off escalates, for its warning."""
    if isinstance(exc, PowerStateTimeout):
        return (f"still {exc.last_state} {exc.elapsed_s:.1f}s into the soft-off; "
                "escalating to ForceOff")
    if isinstance(exc, StateUnconfirmed):
        # ForceOff is another request: escalating re-sends nothing.
        return (f"GracefulShutdown was not confirmed ({exc.message}): its outcome is unknown; "
                "escalating to ForceOff")
    what = "is not offered" if isinstance(exc, UnsupportedOperation) else "refused"
    return f"GracefulShutdown {what} ({exc.message}); escalating to ForceOff at once"
