"""One request a write would send (:class:`PlannedRequest`), for every plan.

Apart from :mod:`hamnhw.plan` (which re-exports it) because the drivers build these and
every command loads the drivers: ``hamnhw power status``, timed as a whole process against
redfishtool (docs/performance.md), does without the plans themselves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class PlannedRequest:
    """One request a write would send."""

    method: str
    """``POST``, ``PATCH``, ``DELETE``."""
    path: str
    """The BMC path."""
    body: Mapping[str, Any] | None = None
    """The JSON body."""
    etag: str | None = None
    """Sent as ``If-Match`` (PATCH)."""
