"""The transport's "session expired under a request" error, imported defensively.

The transport raises ``hamnhw.errors.SessionExpired`` (a subclass of
``AuthenticationError``) when a request hit an expired session and may or may
not have been applied.  Until core defines it, a private stand-in that is never
raised keeps the drivers importable.
"""

from __future__ import annotations

from hamnhw import errors

try:
    SessionExpired: type[errors.AuthenticationError] = errors.SessionExpired  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on the core version

    class _SessionExpiredStandIn(errors.AuthenticationError):
        """Stand-in: never raised by a transport that does not define SessionExpired."""

    SessionExpired = _SessionExpiredStandIn

__all__ = ["SessionExpired"]
