"""Host power over ``ComputerSystem.Reset``, confirmed by polling ``PowerState``.

Rules (fence-agents and Ironic alike):

* already in the target state: nothing is sent, ``changed=False``;
* "off" is believed only after ``PowerState`` reads exactly ``Off`` on two
  consecutive polls; ``PoweringOff``, null or garbage are not off;
* a 400/409 answer to the reset is followed by a fresh read: it is a success
  (``changed=False``) only if the node is already in the target state (for a
  cycle: only if the node already shows a reset, which is then waited out);
* a session that expired under the POST: the node is read, and the reset is
  re-sent at most once, only if the node does not already show it; the re-send
  is handled exactly like the first send;
* ``wait=False`` returns the state as read once, with ``confirmed=False``;
* cycle is refused when the node is off (IPMI semantics), and is confirmed only
  by evidence that the reset happened: a read of Off/PoweringOff/PoweringOn, or a
  ``LastResetTime`` or ``BootProgress.LastStateTime`` that moved, or a
  ``BootProgress.LastState`` gone back to an earlier boot stage, then ``On``; an
  ignored reset fails at the timeout instead of passing as a cycle; a BMC with none
  of these marks whose node stays On is not failed but answered ``confirmed=False``;
  cycle is refused while the node is powering off;
* a connection dropped under the POST (the BMC may have acted): the node is read and
  the reset counts as sent only if the read shows it done or under way; never re-sent.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping

from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.resets import ResetMarks, ResetWatch, UnconfirmableReset, state_of
from hamnhw_drivers.generic.resource import Resource

from hamnhw.errors import (
    BadRequestError,
    ConfigError,
    ConflictError,
    ConnectionDropped,
    HamnhwError,
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
from hamnhw.plan import PlannedRequest

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

HEADING_TO: Mapping[PowerState, PowerState] = {PowerState.OFF: PowerState.POWERING_OFF,
                                               PowerState.ON: PowerState.POWERING_ON}
"""The transition state on the way to a target: a refused reset during it is not an error."""

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
        return state_of(self._system())

    def _poll_system(self) -> Resource | None:
        """A read during a wait: a garbled or 5xx answer is None and polling goes on."""
        try:
            return self._system()
        except (MalformedResponse, ServerSideError) as exc:
            LOG.warning("%s: power state unreadable while waiting: %s", self.host, exc)
            return None

    def _poll_state(self) -> PowerState:
        """:meth:`_poll_system`'s ``PowerState``; UNKNOWN when unreadable."""
        system = self._poll_system()
        return PowerState.UNKNOWN if system is None else state_of(system)

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

        :raises ConfigError: ``escalate_after`` is not shorter than the timeout, which would
            leave ``ForceOff`` no time to be confirmed.
        """
        if escalate_after is None:
            return self._change("soft_off", PowerState.OFF, wait, timeout)
        budget = self._timeout(timeout)
        if escalate_after >= budget:
            raise ConfigError(f"escalate_after ({escalate_after:g} s) must be shorter than the "
                              f"timeout ({budget:g} s): ForceOff would get no time to confirm "
                              f"off", host=self.host)
        start = self.poll.clock()
        try:
            return self._change("soft_off", PowerState.OFF, True, escalate_after, start=start)
        except PowerStateTimeout as exc:
            LOG.warning("%s: still %s %.1fs after GracefulShutdown; escalating to ForceOff",
                        self.host, exc.last_state, exc.elapsed_s)
        forced = self._change("off", PowerState.OFF, wait,
                              max(0.0, start + budget - self.poll.clock()), start=start)
        return dataclasses.replace(forced, changed=True)

    def cycle(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power cycle (``PowerCycle`` or ``ForceRestart``); refused when the node is off.

        Confirmed only by evidence that the reset happened (:class:`ResetWatch`), then an
        ``On`` read.  A BMC without any mark a warm reset would move, whose node reads On
        until the timeout, gets ``confirmed=False`` (the reset may well have happened).

        :raises OperationFailed: the node is off or powering off; or the BMC accepted the
            reset but the node never showed one although its marks could have.
        :raises PowerStateTimeout: the node reset but did not read ``On`` again in time.
        """
        start = self.poll.clock()
        deadline = start + self._timeout(timeout)
        system = self._system()
        self._refuse_cycle_in(state_of(system))
        watch = ResetWatch(ResetMarks.of(system))
        self._send("cycle", watch.see, system)
        if not wait:
            return self._unconfirmed(start)
        return self._wait_for_reset(watch, start, deadline)

    def _refuse_cycle_in(self, state: PowerState) -> None:
        if state is PowerState.OFF:
            raise OperationFailed("power cycle refused: the node is off (power it on instead)",
                                  host=self.host)
        if state is PowerState.POWERING_OFF:
            raise OperationFailed("power cycle refused: the node is powering off; wait for it "
                                  "or power it on", host=self.host)

    # -- the change machinery -------------------------------------------------------------

    def _timeout(self, timeout: float | None) -> float:
        return self.poll.timeout if timeout is None else timeout

    def _change(self, action: str, target: PowerState, wait: bool, timeout: float | None, *,
                start: float | None = None) -> PowerResult:
        start = self.poll.clock() if start is None else start
        deadline = self.poll.clock() + self._timeout(timeout)
        system = self._system()

        def holds(read: Resource) -> bool:
            return state_of(read) is target and self._confirm(target, already_read=1)

        def under_way(read: Resource) -> bool:
            return state_of(read) is HEADING_TO.get(target)

        if holds(system) or not self._send(action, holds, system, under_way):
            return PowerResult(target, False, self.poll.clock() - start)
        if not wait:
            return self._unconfirmed(start)
        state = self._wait_for(target, start, deadline)
        return PowerResult(state, True, self.poll.clock() - start)

    def _unconfirmed(self, start: float) -> PowerResult:
        """``wait=False``: the state as read once after the reset, not confirmed."""
        return PowerResult(self.state(), True, self.poll.clock() - start, confirmed=False)

    def _confirm(self, target: PowerState, already_read: int = 0) -> bool:
        """Read until the target was seen the confirming number of times in a row."""
        for _ in range(CONFIRMING_READS[target] - already_read):
            self.poll.sleep(self.poll.interval)
            if self._poll_state() is not target:
                return False
        return True

    def _send(self, action: str, done: Callable[[Resource], bool], system: Resource,
              under_way: Callable[[Resource], bool] | None = None) -> bool:
        """POST the reset; after an expired session, re-send it at most once.

        A refusal (400/409), an expired session and a dropped connection are all followed by
        a fresh read of the system, judged by ``done``; the re-send goes through this same
        handling.  A dropped connection is never re-sent: the reset counts as sent when the
        read shows it done or under way, else the drop is raised.

        :param done: whether a read shows that what the reset is for already holds.
        :param under_way: whether a read shows the node already heading there (PoweringOff
            for off): a refusal then means "already in progress", and the caller waits.
        :returns: False when the BMC refused the reset and ``done`` holds (nothing changed).
        """
        resent = False
        while True:
            try:
                self._post_reset(action, system)
                return True
            except (BadRequestError, ConflictError) as exc:
                read = self._system()
                if done(read):
                    LOG.info("%s: %s answered %s but the node already shows it", self.host,
                             action, exc.status)
                    return False
                if under_way is not None and under_way(read):
                    LOG.info("%s: %s answered %s while the node is already %s; waiting",
                             self.host, action, exc.status, state_of(read).value)
                    return True
                raise
            except SessionExpired:
                if resent:
                    raise
                resent = True
                system = self._system()
                if done(system):
                    LOG.info("%s: session expired under the %s; the node already shows it",
                             self.host, action)
                    return True
                LOG.info("%s: session expired under the %s; sending it once more", self.host,
                         action)
            except ConnectionDropped as exc:
                self._judge_drop(action, exc, done, under_way)
                return True

    def _judge_drop(self, action: str, exc: ConnectionDropped, done: Callable[[Resource], bool],
                    under_way: Callable[[Resource], bool] | None) -> None:
        """Re-raise ``exc`` unless a read shows the dropped reset done or under way."""
        try:
            read = self._system()
        except HamnhwError as read_error:
            LOG.warning("%s: the node is unreadable after the %s dropped: %s", self.host,
                        action, read_error)
            raise exc from read_error
        if done(read) or (under_way is not None and under_way(read)):
            LOG.warning("%s: the connection dropped under the %s but the node shows it (%s); "
                        "waiting to confirm", self.host, action, state_of(read).value)
            return
        raise exc

    def _post_reset(self, action: str, system: Resource) -> None:
        reset_type = self.reset_type_for(action, self.allowed_reset_types(system))
        LOG.info("%s: %s -> ResetType %s", self.host, action, reset_type)
        self.context.client.post(self.reset_target(system), {"ResetType": reset_type})

    def _wait_for(self, target: PowerState, start: float, deadline: float) -> PowerState:
        needed = CONFIRMING_READS[target]
        streak = 0

        def reached(_: Resource | None, state: PowerState) -> bool:
            nonlocal streak
            streak = streak + 1 if state is target else 0
            return streak >= needed

        def timed_out(state: PowerState, elapsed: float) -> HamnhwError:
            return PowerStateTimeout(host=self.host, target=target.value,
                                     last_state=state.value, elapsed_s=elapsed)

        return self._poll_until(reached, timed_out, start, deadline)

    def _wait_for_reset(self, watch: ResetWatch, start: float, deadline: float) -> PowerResult:
        if not watch.before.can_show_a_warm_reset:
            LOG.info("%s: no LastResetTime or BootProgress; watching PowerState for a reset "
                     "until the timeout", self.host)

        def reached(system: Resource | None, state: PowerState) -> bool:
            seen = watch.seen if system is None else watch.see(system)
            return seen and state is PowerState.ON

        try:
            state = self._poll_until(reached, functools.partial(watch.timed_out, self.host),
                                     start, deadline)
        except UnconfirmableReset as exc:
            LOG.warning("%s", exc)
            return PowerResult(PowerState.ON, True, self.poll.clock() - start, confirmed=False)
        return PowerResult(state, True, self.poll.clock() - start)

    def _poll_until(self, reached: Callable[[Resource | None, PowerState], bool],
                    timed_out: Callable[[PowerState, float], HamnhwError],
                    start: float, deadline: float) -> PowerState:
        """Read the system every interval until ``reached(system, state)``, else raise
        ``timed_out(last state, elapsed)`` at the deadline."""
        while True:
            system = self._poll_system()
            state = PowerState.UNKNOWN if system is None else state_of(system)
            if reached(system, state):
                return state
            now = self.poll.clock()
            if now >= deadline:
                raise timed_out(state, now - start)
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

    # -- plans (hamnhw.plan): what the writes above would send, from a fresh read ---------

    def reset_requests(self, action: str) -> tuple[PlannedRequest, ...]:
        """The reset ``action`` (on, off, soft_off, cycle) would POST, chosen by the same
        hooks as the write (:meth:`reset_type_for`, :meth:`reset_target`)."""
        system = self._system()
        reset_type = self.reset_type_for(action, self.allowed_reset_types(system))
        return (PlannedRequest("POST", self.reset_target(system), {"ResetType": reset_type}),)

    def restore_policy_requests(self, policy: PowerRestorePolicy) -> tuple[PlannedRequest, ...]:
        """The PATCH :meth:`set_restore_policy` would send."""
        system = self._system()
        self._restore_policy(system)
        return (PlannedRequest("PATCH", system.uri, {"PowerRestorePolicy": policy.value}),)
