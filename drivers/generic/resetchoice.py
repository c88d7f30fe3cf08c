"""Which ``ComputerSystem.Reset`` to send: the ResetType for a hamnhw power action among
the values the BMC allows (inline or from ``@Redfish.ActionInfo``), the action's target,
and the plans (:mod:`hamnhw.plan`) of those resets.

A mixin of :class:`~hamnhw_drivers.generic.power.RedfishPower` (kept apart so that the
power module stays about sending and confirming resets); its hooks
(:meth:`~ResetChoiceMixin.reset_type_for`, :meth:`~ResetChoiceMixin.allowed_reset_types`)
are overridden by vendor subclasses of ``RedfishPower``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NoReturn

from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.resets import ResetMarks
from hamnhw_drivers.generic.resource import Resource

from hamnhw.errors import HttpError
from hamnhw.log import get_logger
from hamnhw.plannedrequest import PlannedRequest

LOG = get_logger("hamnhw.drivers.generic.power")

RESET_ACTION = "#ComputerSystem.Reset"

RESET_PREFERENCES: Mapping[str, tuple[str, ...]] = {
    "on": ("On", "ForceOn"),
    "off": ("ForceOff",),
    "soft_off": ("GracefulShutdown",),
    "cycle": ("PowerCycle", "ForceRestart"),
}
"""ResetType values per hamnhw action, best first, chosen among the allowable values."""

RESET_WHEN_UNLISTED: Mapping[str, str] = {
    "on": "On", "off": "ForceOff", "soft_off": "GracefulShutdown", "cycle": "ForceRestart",
}
"""ResetType sent when the BMC does not list its allowable values (widest support)."""


class ResetChoiceMixin:
    """The reset-choice part of the Redfish power interface (the restore policy is
    :class:`~hamnhw_drivers.generic.restorepolicy.RestorePolicyMixin`).

    Needs ``context``, ``host``, ``_system()`` and ``_unsupported()`` from the class it
    is mixed into.
    """

    context: DriverContext
    host: str | None

    if TYPE_CHECKING:   # provided by the power interface this is mixed into (declared here,
        # not in a shared base: mypy reads hamnhw_drivers imports as Any, and would lose
        # the NoReturn of _unsupported)
        def _system(self) -> Resource: ...

        def _unsupported(self, operation: str, detail: str | None = None) -> NoReturn: ...

    def allowed_reset_types(self, system: Resource) -> tuple[str, ...] | None:
        """ResetType values the BMC accepts, inline or from ``@Redfish.ActionInfo``.

        :returns: the values, or None when the BMC does not list them.
        """
        action = system.get(("Actions", RESET_ACTION), dict)
        if action is None:
            return None
        inline = system.get(("Actions", RESET_ACTION, "ResetType@Redfish.AllowableValues"), list)
        if inline is not None:
            return tuple(v for v in inline if isinstance(v, str))
        info_uri = system.get(("Actions", RESET_ACTION, "@Redfish.ActionInfo"), str)
        return self._action_info_values(info_uri) if info_uri else None

    def _action_info_values(self, uri: str) -> tuple[str, ...] | None:
        try:
            info = self.context.reader.read(uri)
        except HttpError as exc:
            LOG.debug("%s: ActionInfo %s unreadable: %s", self.host, uri, exc)
            return None
        for param in info.get("Parameters", list, []):
            if isinstance(param, Mapping) and param.get("Name") == "ResetType":
                values = param.get("AllowableValues")
                if isinstance(values, list):
                    return tuple(v for v in values if isinstance(v, str))
        return None

    def reset_type_for(self, action: str, allowed: tuple[str, ...] | None) -> str:
        """The ResetType to send for a hamnhw ``action`` (on, off, soft_off, cycle).

        :param allowed: the BMC's allowable values, or None when unlisted.
        """
        if allowed is None:
            return RESET_WHEN_UNLISTED[action]
        for candidate in RESET_PREFERENCES[action]:
            if candidate in allowed:
                return candidate
        self._unsupported(f"power.{action}",
                          f"no suitable ResetType among {', '.join(allowed) or 'none'}")

    def reset_target(self, system: Resource) -> str:
        """URI of the reset action (the conventional one when the BMC does not say)."""
        target = system.get(("Actions", RESET_ACTION, "target"), str)
        return target or f"{system.uri.rstrip('/')}/Actions/ComputerSystem.Reset"

    # -- plans (hamnhw.plan): what the writes would send, from a fresh read ----------------

    def reset_requests(self, action: str) -> tuple[PlannedRequest, ...]:
        """The resets ``action`` (on, off, soft_off, cycle) would POST, chosen by the same
        hooks as the write (:meth:`reset_type_for`, :meth:`reset_target`); a cycle of a BMC
        without reset marks is an off, then an on, as
        :meth:`~hamnhw_drivers.generic.power.RedfishPower.cycle` runs it."""
        system = self._system()
        allowed = self.allowed_reset_types(system)
        steps: tuple[str, ...] = (action,)
        if action == "cycle" and not ResetMarks.of(system).can_show_a_warm_reset:
            steps = ("off", "on")
        return tuple(PlannedRequest("POST", self.reset_target(system),
                                    {"ResetType": self.reset_type_for(step, allowed)})
                     for step in steps)
