"""Vendor personalities of the simulator: ``ServerSpec(personality="idrac"|"ilo5"|"xcc"|
"supermicro")`` serves that BMC's real shapes (ids, OEM blocks, job and task bodies, error
messages) with the RAID semantics of :mod:`hamnhw.sim.raid`.

============  ==================================================================================
``idrac``     Dell iDRAC 9 (:mod:`.idrac`): FQDD ids, ``JID_`` jobs (realtime or staged),
              Lifecycle Controller status, DellRaidService (spares, foreign import), foreign
              configuration after a bay move
``ilo5``      HPE iLO 5 with a Smart Array (:mod:`.ilo5`): SmartStorage read model,
              SmartStorageConfig settings applied at the next reset, arrays recognised at POST
``xcc``       Lenovo XCC (:mod:`.xcc`): ``RAID_Slot`` ids, a top-level ``Drives`` key refused,
              ``Name`` required, foreign configuration imported only from the controller's setup
``supermicro``  Supermicro X12 with a Broadcom controller (:mod:`.supermicro`): ``HA-RAID`` ids,
              sessions that expire after an idle time, no ``LastResetTime``
============  ==================================================================================

The personality fills in the :class:`~hamnhw.sim.spec.ServerSpec` fields its BMC fixes
(``Vendor``, ``Oem``, ids, models) unless the caller gave them, and answers the storage paths
before the generic routes.  The shared modules call the four functions below and nothing else.
"""

from __future__ import annotations

import importlib
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hamnhw.sim.actions import Response
    from hamnhw.sim.personalities.base import Personality, Route
    from hamnhw.sim.state import ServerState

PERSONALITIES: Mapping[str, str] = {
    "idrac": "hamnhw.sim.personalities.idrac",
    "ilo5": "hamnhw.sim.personalities.ilo5",
    "xcc": "hamnhw.sim.personalities.xcc",
    "supermicro": "hamnhw.sim.personalities.supermicro",
}
"""Personality name -> module (each has ``SPEC_DEFAULTS`` and a ``PERSONALITY`` class)."""

_ATTACHED: weakref.WeakKeyDictionary[Any, Personality] = weakref.WeakKeyDictionary()


def _module(name: str) -> Any:
    if name not in PERSONALITIES:
        raise ValueError(f"personality must be one of {', '.join(PERSONALITIES)}, "
                         f"got {name!r}")
    return importlib.import_module(PERSONALITIES[name])


def spec_defaults(name: str) -> Mapping[str, Any]:
    """The :class:`~hamnhw.sim.spec.ServerSpec` fields the personality sets (unless given).

    :raises ValueError: an unknown personality.
    """
    return dict(_module(name).SPEC_DEFAULTS)


def attach(state: ServerState) -> None:
    """Give a server its personality (called once, when the server is built)."""
    name = state.spec.personality
    if name is not None:
        _ATTACHED[state] = _module(name).PERSONALITY(state)


def of(state: ServerState) -> Personality | None:
    """The personality of a server, or None for the plain DMTF simulator."""
    return _ATTACHED.get(state)


def routes(state: ServerState) -> list[Route]:
    """GET routes the personality answers before the generic ones."""
    found = of(state)
    return found.routes() if found is not None else []


def write(state: ServerState, method: str, path: str, body: Any,
          headers: Mapping[str, str] | None = None) -> Response | None:
    """A write the personality answers (its storage, jobs, OEM actions), or None.

    :param headers: the request's headers (``If-Match``).
    """
    found = of(state)
    return found.write(method, path, body, headers or {}) if found is not None else None


def on_reset(state: ServerState) -> None:
    """The host reset (power on): staged jobs and pending settings apply."""
    found = of(state)
    if found is not None:
        found.on_reset()


def session_alive(state: ServerState, session_id: str) -> bool:
    """False when the personality expired the session (an idle timeout)."""
    found = of(state)
    return found.session_alive(session_id) if found is not None else True
