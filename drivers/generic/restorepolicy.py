"""``PowerRestorePolicy`` of the System: read, PATCH with read-back, and its plan.

A mixin of :class:`~hamnhw_drivers.generic.power.RedfishPower` (kept apart so that the
power module stays about resets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.resource import Resource

from hamnhw.errors import OperationFailed
from hamnhw.models import PowerRestorePolicy
from hamnhw.plannedrequest import PlannedRequest


class RestorePolicyMixin:
    """The restore-policy half of the Redfish power interface.

    Needs ``context``, ``host``, ``_system()`` and ``_unsupported()`` from the class it
    is mixed into.
    """

    context: DriverContext
    host: str | None

    if TYPE_CHECKING:   # provided by the power interface this is mixed into
        def _system(self) -> Resource: ...

        def _unsupported(self, operation: str, detail: str | None = None) -> NoReturn: ...

    def get_restore_policy(self) -> PowerRestorePolicy:
        """Read ``PowerRestorePolicy``."""
        return self._restore_policy(self._system())

    def _restore_policy(self, system: Resource) -> PowerRestorePolicy:
        value = system.get("PowerRestorePolicy", str)
        if value is None:
            self._unsupported("power.get_restore_policy", "the system has no PowerRestorePolicy")
        try:
            return PowerRestorePolicy(value)
        except ValueError:
            raise system.malformed(f"unknown PowerRestorePolicy {value!r}",
                                   "PowerRestorePolicy") from None

    def set_restore_policy(self, policy: PowerRestorePolicy) -> PowerRestorePolicy:
        """PATCH ``PowerRestorePolicy`` and return what is read back.

        :raises OperationFailed: the BMC accepted but reads back something else.
        """
        system = self._system()
        self._restore_policy(system)
        self.context.client.patch(system.uri, {"PowerRestorePolicy": policy.value})
        readback = self.get_restore_policy()
        if readback is not policy:
            raise OperationFailed(f"PowerRestorePolicy set to {policy.value} but reads back "
                                  f"{readback.value}", host=self.host)
        return readback

    def restore_policy_requests(self, policy: PowerRestorePolicy) -> tuple[PlannedRequest, ...]:
        """The PATCH :meth:`set_restore_policy` would send."""
        system = self._system()
        self._restore_policy(system)
        return (PlannedRequest("PATCH", system.uri, {"PowerRestorePolicy": policy.value}),)
