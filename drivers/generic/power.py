"""Host power over ``ComputerSystem.Reset``, confirmed by polling ``PowerState``.

Rules (fence-agents and Ironic alike):

* already in the target state: nothing is sent, ``changed=False``;
* "off" is believed only after ``PowerState`` reads exactly ``Off`` on two
  consecutive polls; ``PoweringOff``, null or garbage are not off;
* a 400/409 answer to the reset is followed by a fresh read: it is a success
  (``changed=False``) only if the node is already in the target state (for a
  cycle: only if the node already shows a reset, which is then waited out);
* a session that expired under the POST (answered 401: not executed): the node is
  read, and the reset is re-sent at most once, only if the node does not already show
  it; the re-send is handled exactly like the first send.  This is the only re-send;
* a reset whose answer never came (connection dropped, read timeout: the BMC may have
  acted on it) is never re-sent: the state is polled for the rest of the budget, and the
  reset counts as sent once a read shows it done or under way, else
  :class:`~hamnhw.errors.StateUnconfirmed`;
* a BMC that stops answering during the wait after accepting the reset:
  :class:`~hamnhw.errors.StateUnconfirmed` at the end of the budget (exit 1), not
  "unreachable";
* ``wait=False`` returns the state as read once, with ``confirmed=False`` and
  ``unconfirmed_reason="no-wait"``;
* cycle is refused when the node is off or powering off (IPMI semantics), and is
  confirmed only by evidence that the reset happened (:mod:`.resets`), then ``On``; an
  ignored reset fails at the timeout instead of passing as a cycle.  A BMC with no mark a
  warm reset would move (no ``LastResetTime``, no ``BootProgress``) is cycled as fence
  agents do: off (confirmed by the two-Off rule), then on (``method="off-on"``);
* soft-off with ``escalate_after``: ``ForceOff`` once that grace has passed, or at once
  (with a warning saying why) when the BMC does not offer ``GracefulShutdown`` or refuses
  it (400/409).

The waits go through the core poller (:mod:`.powerwait` over :func:`hamnhw.poll.poll_until`);
the ResetType sent, the reset's target and the plans of resets are chosen in
:mod:`.resetchoice`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping

from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.escalation import escalation_code, why_escalate
from hamnhw_drivers.generic.powerwait import PowerPoller
from hamnhw_drivers.generic.resetchoice import RESET_ACTION as RESET_ACTION  # re-exported
from hamnhw_drivers.generic.resetchoice import RESET_PREFERENCES as RESET_PREFERENCES
from hamnhw_drivers.generic.resetchoice import RESET_WHEN_UNLISTED as RESET_WHEN_UNLISTED
from hamnhw_drivers.generic.resetchoice import ResetChoiceMixin
from hamnhw_drivers.generic.resets import ResetMarks, ResetWatch, state_of
from hamnhw_drivers.generic.resource import Resource
from hamnhw_drivers.generic.restorepolicy import RestorePolicyMixin

from hamnhw.deadline import Deadline
from hamnhw.errors import (
    BadRequestError,
    BmcTimeout,
    ConfigError,
    ConflictError,
    ConnectionDropped,
    HamnhwError,
    HttpError,
    OperationFailed,
    PowerStateTimeout,
    SessionExpired,
    StateUnconfirmed,
    UnsupportedOperation,
)
from hamnhw.interfaces import PowerInterface
from hamnhw.log import get_logger
from hamnhw.models import PowerResult, PowerState
from hamnhw.poll import LAST_READ_S

LOG = get_logger("hamnhw.drivers.generic.power")

HEADING_TO: Mapping[PowerState, PowerState] = {PowerState.OFF: PowerState.POWERING_OFF,
                                               PowerState.ON: PowerState.POWERING_ON}
"""The transition state on the way to a target: a refused reset during it is not an error."""

MIN_BOUND_S = 0.001
"""The bound of a reset POST whose deadline has just passed (a bound must be > 0)."""


class RedfishPower(ResetChoiceMixin, RestorePolicyMixin, PowerInterface):
    """:class:`~hamnhw.interfaces.PowerInterface` over DMTF Redfish.

    Vendor subclasses override :meth:`reset_type_for` or :meth:`allowed_reset_types`
    (:mod:`.resetchoice`).
    """

    def __init__(self, context: DriverContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context
        self.poll = context.poll
        # A wait's reads always go to the BMC (never a System remembered by hamnhw.readmemo).
        self.waits = PowerPoller(functools.partial(context.locator.system, fresh=True),
                                 context.poll, context.host,
                                 bound=lambda seconds: self.context.client.operation(seconds))

    # -- reading ---------------------------------------------------------------------------

    def _system(self) -> Resource:
        return self.context.locator.system()

    def state(self) -> PowerState:
        """One read of ``PowerState`` (the System read earlier in this command serves;
        the reads of a wait go to the BMC: :mod:`hamnhw.readmemo`); anything but the
        exact Redfish strings is UNKNOWN."""
        return state_of(self._system())

    # -- actions ---------------------------------------------------------------------------

    def on(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power on and wait for ``On``."""
        return self._change("on", PowerState.ON, wait, self._budget(timeout))

    def off(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Force off (``ForceOff``) and wait for two ``Off`` reads."""
        return self._change("off", PowerState.OFF, wait, self._budget(timeout))

    def soft_off(self, *, wait: bool = True, timeout: float | None = None,
                 escalate_after: float | None = None) -> PowerResult:
        """``GracefulShutdown``; with ``escalate_after`` seconds, ``ForceOff`` if still not
        off by then, or at once when the BMC does not offer ``GracefulShutdown`` or refuses
        it (400/409).  Without ``escalate_after``, those are errors.

        Escalation needs to watch the node, so it waits even when ``wait=False``.

        :raises ConfigError: ``escalate_after`` is not shorter than the timeout, which would
            leave ``ForceOff`` no time to be confirmed.
        """
        if escalate_after is None:
            return self._change("soft_off", PowerState.OFF, wait, self._budget(timeout))
        budget = self._timeout(timeout)
        if escalate_after >= budget and escalate_after > 0:
            raise ConfigError(f"escalate_after ({escalate_after:g} s) must be shorter than the "
                              f"timeout ({budget:g} s): ForceOff would get no time to confirm "
                              f"off", host=self.host)
        deadline = self._budget(budget)
        escalation = "at-once"
        if escalate_after <= 0:
            LOG.warning("%s: escalate_after is 0: ForceOff at once", self.host)
        else:
            try:
                # The GracefulShutdown's answer is awaited until the escalation time, not
                # beyond (allowance 0): a BMC hanging on it does not hold the ForceOff back.
                return self._change("soft_off", PowerState.OFF, True,
                                    deadline.narrowed(escalate_after), start=deadline.started,
                                    allowance=0.0)
            except (PowerStateTimeout, UnsupportedOperation, BadRequestError, ConflictError,
                    StateUnconfirmed) as exc:
                if isinstance(exc, StateUnconfirmed) and deadline.expired():
                    raise
                escalation = escalation_code(exc)
                LOG.warning("%s: %s", self.host, why_escalate(exc))
        forced = self._change("off", PowerState.OFF, wait, deadline, start=deadline.started)
        # The node may have gone off by itself meanwhile: then no ForceOff was sent.
        return dataclasses.replace(forced, changed=True,
                                   escalation=escalation if forced.changed else None)

    def cycle(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power cycle (``PowerCycle`` or ``ForceRestart``); refused when the node is off.

        Confirmed only by evidence that the reset happened (:class:`ResetWatch`), then an
        ``On`` read.  A BMC without any mark a warm reset would move is cycled as off
        (two ``Off`` reads), then on: ``method="off-on"``; with ``wait=False`` only the on
        is not waited for (on is never sent before off is confirmed).

        :raises OperationFailed: the node is off or powering off; or the BMC accepted the
            reset but the node never showed one.
        :raises PowerStateTimeout: the node reset but did not read ``On`` again in time.
        """
        deadline = self._budget(timeout)
        system = self._system()
        self._refuse_cycle_in(state_of(system))
        marks = ResetMarks.of(system)
        if not marks.can_show_a_warm_reset:
            return self._off_then_on(wait, deadline)
        watch = ResetWatch(marks)
        self._send("cycle", watch.see, system, deadline)
        if not wait:
            return self._unconfirmed(deadline.started)
        state = self.waits.wait_for_reset(watch, deadline, "the power cycle")
        return PowerResult(state, True, self.poll.clock() - deadline.started)

    def _off_then_on(self, wait: bool, deadline: Deadline) -> PowerResult:
        LOG.info("%s: the BMC shows no LastResetTime or BootProgress, so a reset could not be "
                 "confirmed: cycling as off (confirmed by two Off reads), then on", self.host)
        self._change("off", PowerState.OFF, True, deadline, start=deadline.started)
        result = self._change("on", PowerState.ON, wait, deadline, start=deadline.started)
        return dataclasses.replace(result, changed=True, method="off-on")

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

    def _budget(self, timeout: float | None) -> Deadline:
        """The deadline of a change of ``timeout`` seconds (default: the poll policy's)."""
        return self.waits.deadline(self._timeout(timeout))

    def _change(self, action: str, target: PowerState, wait: bool, deadline: Deadline, *,
                start: float | None = None, allowance: float = LAST_READ_S) -> PowerResult:
        """Send the reset for ``action`` unless ``target`` already holds, then wait for it.

        :param allowance: seconds past ``deadline`` the reset's answer may take, as a wait's
            last read may (so that a change of ``timeout`` seconds ends within ``timeout +``
            :data:`~hamnhw.poll.LAST_READ_S`); a reset that would get no time is not sent.
        """
        start = deadline.started if start is None else start
        system = self._system()

        def holds(read: Resource) -> bool:
            return state_of(read) is target and self.waits.confirm(target, already_read=1)

        def under_way(read: Resource) -> bool:
            return state_of(read) is HEADING_TO.get(target)

        if holds(system):
            return PowerResult(target, False, self.poll.clock() - start)
        if deadline.left() + allowance <= 0:
            LOG.info("%s: the time for the %s passed while reading the node: not sent",
                     self.host, _words(action))
            raise PowerStateTimeout(host=self.host, target=target.value,
                                    last_state=state_of(system).value,
                                    elapsed_s=self.poll.clock() - start)
        if not self._send(action, holds, system, deadline, under_way, allowance):
            return PowerResult(target, False, self.poll.clock() - start)
        if not wait:
            return self._unconfirmed(start)
        state = self.waits.wait_for(target, deadline, f"the power {_words(action)}")
        return PowerResult(state, True, self.poll.clock() - start)

    def _unconfirmed(self, start: float) -> PowerResult:
        """``wait=False``: the state as read once after the reset, not confirmed."""
        return PowerResult(self.state(), True, self.poll.clock() - start, confirmed=False,
                           unconfirmed_reason="no-wait")

    def _send(self, action: str, done: Callable[[Resource], bool], system: Resource,
              deadline: Deadline, under_way: Callable[[Resource], bool] | None = None,
              allowance: float = LAST_READ_S) -> bool:
        """POST the reset; after an expired session, re-send it at most once.

        A refusal (400/409) and an expired session are followed by a fresh read of the
        system, judged by ``done``; the re-send goes through this same handling.  A reset
        whose answer never came is never re-sent: the reads until the deadline decide
        (:meth:`PowerPoller.watch_unanswered`).

        :param done: whether a read shows that what the reset is for already holds.
        :param under_way: whether a read shows the node already heading there (PoweringOff
            for off): a refusal then means "already in progress", and the caller waits.
        :param allowance: seconds past ``deadline`` the answer of the POST may take.
        :returns: False when the BMC refused the reset and ``done`` holds (nothing changed).
        """
        resent = False
        while True:
            try:
                self._post_reset(action, system, deadline.left() + allowance)
                return True
            except (BadRequestError, ConflictError) as exc:
                return self._judge_refusal(action, exc, done, under_way)
            except SessionExpired:
                if resent:
                    raise
                resent = True
                system = self._system()
                if done(system):
                    LOG.info("%s: session expired under the %s; the node already shows it",
                             self.host, _words(action))
                    return True
                LOG.info("%s: session expired under the %s (not executed); sending it once "
                         "more", self.host, _words(action))
            except (ConnectionDropped, BmcTimeout) as exc:
                self._judge_unanswered(action, exc, done, under_way, deadline)
                return True

    def _judge_refusal(self, action: str, exc: HttpError, done: Callable[[Resource], bool],
                       under_way: Callable[[Resource], bool] | None) -> bool:
        """A 400/409 to the reset: False when the node already shows it, True when it is
        already heading there; else the refusal is raised."""
        read = self._system()
        if done(read):
            LOG.info("%s: %s answered %s but the node already shows it", self.host,
                     _words(action), exc.status)
            return False
        if under_way is not None and under_way(read):
            LOG.info("%s: %s answered %s while the node is already %s; waiting", self.host,
                     _words(action), exc.status, state_of(read).value)
            return True
        raise exc

    def _judge_unanswered(self, action: str, exc: HamnhwError,
                          done: Callable[[Resource], bool],
                          under_way: Callable[[Resource], bool] | None,
                          deadline: Deadline) -> None:
        """Poll until the unanswered reset shows done or under way, for the rest of the
        budget; never re-send it."""
        if isinstance(exc, BmcTimeout) and exc.deadline_passed:
            raise StateUnconfirmed(
                f"the {_words(action)} request got no answer before the operation deadline "
                f"({exc.message}); the BMC may have acted on it (it was not sent again); the "
                "power state was not read", host=self.host, accepted=False) from exc

        def shows(read: Resource) -> bool:
            return done(read) or (under_way is not None and under_way(read))

        self.waits.watch_unanswered(_words(action), exc, shows, deadline)

    def _post_reset(self, action: str, system: Resource, seconds: float) -> None:
        """POST the reset, waiting for its answer no longer than ``seconds`` (the change's
        budget and allowance; a soft-off's escalation time)."""
        reset_type = self.reset_type_for(action, self.allowed_reset_types(system))
        LOG.info("%s: %s -> ResetType %s", self.host, _words(action), reset_type)
        # Time that ran out since _change checked it: the transport refuses to send (or sends
        # with 1 ms to answer); the reset is then judged unanswered, never re-sent.
        with self.context.client.operation(max(seconds, MIN_BOUND_S)):
            self.context.client.post(self.reset_target(system), {"ResetType": reset_type})


def _words(action: str) -> str:
    """An action as messages name it: ``soft_off`` -> ``soft-off``."""
    return action.replace("_", "-")
