"""Host power over ``ComputerSystem.Reset``, confirmed by polling ``PowerState``.

Rules (fence-agents and Ironic alike):

* already in the target state: nothing is sent, ``changed=False``;
* "off" is believed only after ``PowerState`` reads exactly ``Off`` on two
  consecutive polls; ``PoweringOff``, null or garbage are not off;
* a 400/409 answer to the reset is followed by a fresh read: it is a success
  (``changed=False``) only if the node is already in the target state;
* a session that expired under the POST: the state is read, and the reset is
  re-sent at most once, only if the node is not already in the target state;
* cycle is refused when the node is off (IPMI semantics).
"""

from __future__ import annotations

from collections.abc import Mapping

from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.resource import Resource

from hamnhw.errors import (
    BadRequestError,
    ConflictError,
    HttpError,
    MalformedResponse,
    OperationFailed,
    PowerStateTimeout,
    ServerSideError,
    SessionExpired,
)
from hamnhw.interfaces import PowerInterface
from hamnhw.log import get_logger
from hamnhw.models import PowerRestorePolicy, PowerResult, PowerState

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

CONFIRMING_READS: Mapping[PowerState, int] = {PowerState.OFF: 2, PowerState.ON: 1}
"""Consecutive reads of the target needed to believe it."""


class RedfishPower(PowerInterface):
    """:class:`~hamnhw.interfaces.PowerInterface` over DMTF Redfish.

    Vendor subclasses override :meth:`reset_type_for` or :meth:`allowed_reset_types`.
    """

    def __init__(self, context: DriverContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context
        self.poll = context.poll

    # -- reading ---------------------------------------------------------------------------

    def _system(self) -> Resource:
        return self.context.locator.system()

    def state(self) -> PowerState:
        """One read of ``PowerState``; anything but the exact Redfish strings is UNKNOWN."""
        return PowerState.from_redfish(self._system().doc.get("PowerState"))

    def _poll_state(self) -> PowerState:
        """A read during a wait: a garbled or 5xx answer counts as UNKNOWN and polling goes on."""
        try:
            return self.state()
        except (MalformedResponse, ServerSideError) as exc:
            LOG.warning("%s: power state unreadable while waiting: %s", self.host, exc)
            return PowerState.UNKNOWN

    # -- hooks -----------------------------------------------------------------------------

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

    # -- actions ---------------------------------------------------------------------------

    def on(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power on and wait for ``On``."""
        return self._change("on", PowerState.ON, wait, timeout)

    def off(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Force off (``ForceOff``) and wait for two ``Off`` reads."""
        return self._change("off", PowerState.OFF, wait, timeout)

    def soft_off(self, *, wait: bool = True, timeout: float | None = None,
                 escalate_after: float | None = None) -> PowerResult:
        """``GracefulShutdown``; with ``escalate_after`` seconds, ``ForceOff`` if still not off.

        Escalation needs to watch the node, so it waits even when ``wait=False``.
        """
        if escalate_after is None:
            return self._change("soft_off", PowerState.OFF, wait, timeout)
        start = self.poll.clock()
        deadline = start + self._timeout(timeout)
        try:
            return self._change("soft_off", PowerState.OFF, True,
                                min(escalate_after, self._timeout(timeout)), start=start)
        except PowerStateTimeout as exc:
            LOG.warning("%s: still %s %.1fs after GracefulShutdown; escalating to ForceOff",
                        self.host, exc.last_state, exc.elapsed_s)
        forced = self._change("off", PowerState.OFF, wait,
                              max(0.0, deadline - self.poll.clock()), start=start)
        return PowerResult(forced.power_state, True, forced.elapsed_s)

    def cycle(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power cycle (``PowerCycle`` or ``ForceRestart``); refused when the node is off."""
        start = self.poll.clock()
        system = self._system()
        if PowerState.from_redfish(system.doc.get("PowerState")) is PowerState.OFF:
            raise OperationFailed("power cycle refused: the node is off (power it on instead)",
                                  host=self.host)
        self._send("cycle", None, system)
        return self._finish(PowerState.ON, wait, start, start + self._timeout(timeout))

    # -- the change machinery -------------------------------------------------------------

    def _timeout(self, timeout: float | None) -> float:
        return self.poll.timeout if timeout is None else timeout

    def _change(self, action: str, target: PowerState, wait: bool, timeout: float | None, *,
                start: float | None = None) -> PowerResult:
        start = self.poll.clock() if start is None else start
        deadline = self.poll.clock() + self._timeout(timeout)
        system = self._system()
        current = PowerState.from_redfish(system.doc.get("PowerState"))
        if current is target and self._confirm(target, already_read=1):
            return PowerResult(target, False, self.poll.clock() - start)
        if not self._send(action, target, system):
            return PowerResult(target, False, self.poll.clock() - start)
        return self._finish(target, wait, start, deadline)

    def _finish(self, target: PowerState, wait: bool, start: float,
                deadline: float) -> PowerResult:
        if not wait:
            return PowerResult(self.state(), True, self.poll.clock() - start)
        state = self._wait_for(target, start, deadline)
        return PowerResult(state, True, self.poll.clock() - start)

    def _confirm(self, target: PowerState, already_read: int = 0) -> bool:
        """Read until the target was seen the confirming number of times in a row."""
        for _ in range(CONFIRMING_READS[target] - already_read):
            self.poll.sleep(self.poll.interval)
            if self._poll_state() is not target:
                return False
        return True

    def _send(self, action: str, target: PowerState | None, system: Resource) -> bool:
        """POST the reset.  False means "not sent, already in the target"."""
        try:
            self._post_reset(action, system)
        except (BadRequestError, ConflictError) as exc:
            if target is not None and self.state() is target and self._confirm(target, 1):
                LOG.info("%s: reset answered %s but the node is already %s", self.host,
                         exc.status, target.value)
                return False
            raise
        except SessionExpired:
            if target is not None and self.state() is target:
                LOG.info("%s: session expired under the reset; node already %s", self.host,
                         target.value)
                return True
            LOG.info("%s: session expired under the reset; sending it once more", self.host)
            self._post_reset(action, self._system())
        return True

    def _post_reset(self, action: str, system: Resource) -> None:
        reset_type = self.reset_type_for(action, self.allowed_reset_types(system))
        LOG.info("%s: %s -> ResetType %s", self.host, action, reset_type)
        self.context.client.post(self.reset_target(system), {"ResetType": reset_type})

    def _wait_for(self, target: PowerState, start: float, deadline: float) -> PowerState:
        needed = CONFIRMING_READS[target]
        streak = 0
        while True:
            state = self._poll_state()
            streak = streak + 1 if state is target else 0
            if streak >= needed:
                return state
            now = self.poll.clock()
            if now >= deadline:
                raise PowerStateTimeout(host=self.host, target=target.value,
                                        last_state=state.value, elapsed_s=now - start)
            self.poll.sleep(min(self.poll.interval, deadline - now))

    # -- restore policy --------------------------------------------------------------------

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
