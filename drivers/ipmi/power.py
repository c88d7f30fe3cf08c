"""Host power over IPMI Chassis Control, confirmed by polling Get Chassis Status.

The rules are the Redfish driver's (:mod:`hamnhw_drivers.generic.power`), as far as IPMI can
tell them:

* already in the target state: nothing is sent, ``changed=False``;
* "off" is believed only after Get Chassis Status reads off on two consecutive polls;
* a refused control (completion code 0xD5, "not in present state") is followed by fresh
  reads: a success (``changed=False``) only if they show the node in the target state as
  many times as a change needs (off: twice);
* a control whose reply never came (the BMC may have acted): the node is read and the
  control counts as sent only if the read shows the target; hamnhw never re-sends it;
* ``wait=False`` returns the state as read once, with ``confirmed=False`` and
  ``unconfirmed_reason="no-wait"``;
* cycle is refused when the node is off, and is made of a power down confirmed by two off
  reads, then a power up confirmed by an on read (``method="off-on"``, as fence_ipmilan
  reboots and as the Redfish driver cycles a BMC without reset marks): IPMI shows no reset
  (no reset time, no boot progress, and Get Chassis Status reads on while a power cycle is
  still powering down), so a Chassis Control power cycle could never be confirmed; the power
  up is sent only once off is confirmed, and only while time is left;
* soft-off with ``escalate_after`` sends a soft shutdown (ACPI), then a power down when the
  node is still on after that many seconds.

Every result carries ``protocol="ipmi"``.
"""

from __future__ import annotations

import dataclasses

from hamnhw_drivers.ipmi import codec
from hamnhw_drivers.ipmi.codec import Control
from hamnhw_drivers.ipmi.context import IpmiContext

from hamnhw.errors import (
    ConfigError,
    ConnectionDropped,
    HamnhwError,
    MalformedResponse,
    OperationFailed,
    PowerStateTimeout,
)
from hamnhw.interfaces import PowerInterface
from hamnhw.log import get_logger
from hamnhw.models import PowerRestorePolicy, PowerResult, PowerState
from hamnhw.poll import poll_until
from hamnhw.transport.ipmi_errors import (
    COMPLETION_INVALID_COMMAND,
    COMPLETION_NOT_IN_PRESENT_STATE,
    IpmiCommandError,
)

LOG = get_logger("hamnhw.drivers.ipmi.power")

CONFIRMING_READS = {PowerState.OFF: 2, PowerState.ON: 1}
"""Consecutive reads of the target needed to believe it."""
PROTOCOL = "ipmi"
NO_WAIT = "no-wait"
"""``unconfirmed_reason`` of ``wait=False``: the state was read once, not waited for."""


class IpmiPower(PowerInterface):
    """:class:`~hamnhw.interfaces.PowerInterface` over IPMI chassis commands."""

    def __init__(self, context: IpmiContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context
        self.poll = context.poll

    # -- reading ---------------------------------------------------------------------------
    def state(self) -> PowerState:
        """One Get Chassis Status: on or off (IPMI has no transition states)."""
        return PowerState.ON if self.context.chassis_status().power_on else PowerState.OFF

    def _poll_state(self) -> PowerState:
        """A read during a wait: an unusable or refused answer is UNKNOWN and polling goes on."""
        try:
            return self.state()
        except (MalformedResponse, IpmiCommandError) as exc:
            LOG.warning("%s: power state unreadable while waiting: %s", self.host, exc)
            return PowerState.UNKNOWN

    def _result(self, state: PowerState, changed: bool, start: float,
                unconfirmed_reason: str | None = None) -> PowerResult:
        """A result, confirmed unless ``unconfirmed_reason`` (``no-wait``) says why not."""
        return PowerResult(state, changed, self.poll.clock() - start,
                           unconfirmed_reason is None, unconfirmed_reason=unconfirmed_reason,
                           protocol=PROTOCOL)

    def _timeout(self, timeout: float | None) -> float:
        return self.poll.timeout if timeout is None else timeout

    # -- actions ---------------------------------------------------------------------------
    def on(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power up and wait for an on read."""
        return self._change(Control.POWER_UP, PowerState.ON, wait, timeout)

    def off(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power down (no OS shutdown) and wait for two off reads."""
        return self._change(Control.POWER_DOWN, PowerState.OFF, wait, timeout)

    def soft_off(self, *, wait: bool = True, timeout: float | None = None,
                 escalate_after: float | None = None) -> PowerResult:
        """Soft shutdown (ACPI); with ``escalate_after`` seconds, power down if still on.

        Escalation needs to watch the node, so it waits even when ``wait=False``.

        :raises ConfigError: ``escalate_after`` is not shorter than the timeout.
        """
        if escalate_after is None:
            return self._change(Control.SOFT_SHUTDOWN, PowerState.OFF, wait, timeout)
        budget = self._timeout(timeout)
        if escalate_after >= budget:
            raise ConfigError(f"escalate_after ({escalate_after:g} s) must be shorter than the "
                              f"timeout ({budget:g} s): power down would get no time to "
                              "confirm off", host=self.host)
        start = self.poll.clock()
        try:
            return self._change(Control.SOFT_SHUTDOWN, PowerState.OFF, True, escalate_after,
                                start=start)
        except PowerStateTimeout as exc:
            LOG.warning("%s: still %s %.1f s after the soft shutdown; escalating to power "
                        "down", self.host, exc.last_state, exc.elapsed_s)
        left = max(0.0, start + budget - self.poll.clock())
        forced = self._change(Control.POWER_DOWN, PowerState.OFF, wait, left, start=start)
        return dataclasses.replace(forced, changed=True,
                                   escalation="still-on" if forced.changed else None)

    def cycle(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power cycle a running node as a power down (two off reads), then a power up
        (``method="off-on"``); refused when it is off.  With ``wait=False`` only the power
        up is not waited for (it is never sent before off is confirmed).

        :raises OperationFailed: the node is off.
        :raises PowerStateTimeout: the node did not read off twice in time (no power up was
            sent), no time was left for the power up, or it did not read on in time.
        """
        start = self.poll.clock()
        budget = self._timeout(timeout)
        if self.state() is PowerState.OFF:
            raise OperationFailed("power cycle refused: the node is off (power it on instead)",
                                  host=self.host)
        LOG.info("%s: IPMI shows no reset, so a power cycle could not be confirmed: cycling "
                 "as power down (two off reads), then power up", self.host)
        self._change(Control.POWER_DOWN, PowerState.OFF, True, budget, start=start)
        left = start + budget - self.poll.clock()
        if left <= 0:
            LOG.info("%s: no time left for the power up after the power down: not sent",
                     self.host)
            raise PowerStateTimeout(host=self.host, target=PowerState.ON.value,
                                    last_state=PowerState.OFF.value,
                                    elapsed_s=self.poll.clock() - start)
        result = self._change(Control.POWER_UP, PowerState.ON, wait, left, start=start)
        return dataclasses.replace(result, changed=True, method="off-on")

    # -- the change machinery -------------------------------------------------------------
    def _change(self, control: Control, target: PowerState, wait: bool,
                timeout: float | None, *, start: float | None = None) -> PowerResult:
        start = self.poll.clock() if start is None else start
        deadline = self.poll.deadline(self._timeout(timeout))
        if self._holds(target, self.state()) or not self._send(control, target):
            return self._result(target, False, start)
        if not wait:
            return self._result(self.state(), True, start, unconfirmed_reason=NO_WAIT)
        streak = 0

        def reached(state: PowerState) -> bool:
            nonlocal streak
            streak = streak + 1 if state is target else 0
            return streak >= CONFIRMING_READS[target]

        def timed_out(state: PowerState, elapsed: float) -> HamnhwError:
            return PowerStateTimeout(host=self.host, target=target.value,
                                     last_state=state.value, elapsed_s=elapsed)

        state = poll_until(self._poll_state, reached, deadline, self.poll,
                           what=f"power {target.value}", host=self.host, on_timeout=timed_out)
        return self._result(state, True, start)

    def _holds(self, target: PowerState, first_read: PowerState) -> bool:
        """True when ``first_read`` and the confirming reads after it are all ``target``."""
        if first_read is not target:
            return False
        for _ in range(CONFIRMING_READS[target] - 1):
            self.poll.sleep(self.poll.interval)
            if self._poll_state() is not target:
                return False
        return True

    def _send(self, control: Control, target: PowerState | None) -> bool:
        """Send the chassis control once.

        :returns: False when the BMC refused it because the node is already at ``target``.
        :raises IpmiCommandError: refused otherwise.
        :raises ConnectionDropped: no reply, and a read does not show ``target``.
        """
        what = f"chassis control {control.name.lower().replace('_', ' ')}"
        LOG.info("%s: %s", self.host, what)
        try:
            self.context.client.raw(what, codec.NETFN_CHASSIS, codec.CHASSIS_CONTROL,
                                    [int(control)], unsafe=True)
            return True
        except IpmiCommandError as exc:
            if (target is not None and exc.code == COMPLETION_NOT_IN_PRESENT_STATE
                    and self._holds(target, self._poll_state())):
                LOG.info("%s: %s refused (0x%02X) but the node is already %s (read %d times)",
                         self.host, what, exc.code, target.value, CONFIRMING_READS[target])
                return False
            raise
        except ConnectionDropped:
            if target is not None and self._poll_state() is target:
                LOG.warning("%s: no reply to the %s but the node reads %s; waiting to "
                            "confirm", self.host, what, target.value)
                return True
            raise

    # -- restore policy --------------------------------------------------------------------
    def get_restore_policy(self) -> PowerRestorePolicy:
        """Read the policy from Get Chassis Status.

        :raises UnsupportedOperation: the BMC reports it as unknown.
        """
        policy = self.context.chassis_status().restore_policy
        if policy is None:
            self._unsupported("power.get_restore_policy",
                              "the BMC reports the power restore policy as unknown")
        return policy

    def set_restore_policy(self, policy: PowerRestorePolicy) -> PowerRestorePolicy:
        """Set Power Restore Policy, then read it back.

        :raises UnsupportedOperation: the BMC does not implement the command or the policy.
        :raises OperationFailed: the BMC accepted but reads back something else.
        """
        code = codec.RESTORE_POLICY_CODES[policy]
        try:
            supported = self.context.client.raw(
                "set power restore policy", codec.NETFN_CHASSIS,
                codec.SET_POWER_RESTORE_POLICY, [code], unsafe=True)
        except IpmiCommandError as exc:
            if exc.code != COMPLETION_INVALID_COMMAND:
                raise
            self._unsupported("power.set_restore_policy",
                              "the BMC does not implement Set Power Restore Policy "
                              f"(completion code 0x{exc.code:02X})")
        if supported and not supported[0] & (1 << code):
            self._unsupported("power.set_restore_policy",
                              f"the BMC does not support the {policy.value} policy")
        readback = self.get_restore_policy()
        if readback is not policy:
            raise OperationFailed(f"power restore policy set to {policy.value} but reads back "
                                  f"{readback.value}", host=self.host)
        return readback
