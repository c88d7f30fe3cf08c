"""Plans of writes: what a power change, a boot override or a restore-policy change would
send, or that the node is already in the requested state, decided from a fresh read and
sending nothing.

The CLI's ``--dry-run`` and the Ansible collection's check mode print these plans; the
``apply_*`` functions run a plan (the write only when it would change something), so that a
second run reports ``changed`` False and sends no write::

    from hamnhw import plan
    from hamnhw.models import BootSource

    print(plan.plan_power(node, "off").summary)      # "would send ForceOff" / "already off"
    outcome = plan.apply_boot_override(node, BootSource.PXE, check=True)
    print(outcome.changed, outcome.plan.requests)   # nothing sent: check=True

RAID writes have their own ``plan_*`` calls on :class:`~hamnhw.interfaces.RaidInterface`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

from hamnhw import readmemo
from hamnhw.errors import ConfigError, OperationFailed
from hamnhw.models import (
    BootOverride,
    BootOverrideMode,
    BootSource,
    PowerRestorePolicy,
    PowerState,
)
from hamnhw.plannedrequest import PlannedRequest as PlannedRequest  # its home before

if TYPE_CHECKING:
    from hamnhw.node import Node

POWER_ACTIONS = ("on", "off", "soft_off", "cycle")
"""The power changes a plan can be made for."""

_TARGET: Mapping[str, PowerState] = {"on": PowerState.ON, "off": PowerState.OFF,
                                     "soft_off": PowerState.OFF}


@dataclasses.dataclass(frozen=True)
class WritePlan:
    """What a write would do, from a fresh read, before anything is sent."""

    operation: str
    """``power.on``, ``power.off``, ``power.soft_off``, ``power.cycle``, ``boot_override``
    or ``restore_policy``."""
    changed: bool
    """False when the node is already in the requested state: nothing would be sent."""
    summary: str
    """One line for people."""
    current: str
    """The state read (power state, ``<target>/<mode>`` of the boot override, policy)."""
    wanted: str
    """The state asked for."""
    requests: tuple[PlannedRequest, ...] | None = ()
    """What would be sent, in order; ``()`` when nothing would be; None when the driver
    cannot describe its requests (it does not implement the request hooks)."""
    notes: tuple[str, ...] = ()
    """What else the operator should know."""


@dataclasses.dataclass(frozen=True)
class WriteOutcome:
    """A plan and, unless only checked or already in state, what the BMC read back."""

    plan: WritePlan
    """The plan that was run (or only shown, with ``check``)."""
    sent: bool
    """True when the write was sent."""
    readback: str | None = None
    """The state read back after the write (None when nothing was sent)."""

    @property
    def changed(self) -> bool:
        """True when the node is (or, checked only, would be) changed."""
        return self.plan.changed


def _unchanged(operation: str, current: str, wanted: str, summary: str) -> WritePlan:
    return WritePlan(operation, False, summary, current, wanted)


# -- power ---------------------------------------------------------------------------------


def plan_power(node: Node, action: str, *, escalate_after: float | None = None) -> WritePlan:
    """What ``node.power.<action>()`` would send, from a read of the power state.

    Off and soft-off are planned as already done when the node reads ``off`` twice (the
    write believes off after two reads too); on when it reads ``on``; a cycle is refused as
    the write would refuse it (the node is off or powering off).

    :param action: one of :data:`POWER_ACTIONS`.
    :param escalate_after: soft-off only: the ``ForceOff`` that follows after that many
        seconds if the node is still not off.
    :raises ConfigError: an unknown action.
    :raises OperationFailed: a cycle of a node that is off or powering off.
    """
    if action not in POWER_ACTIONS:
        raise ConfigError(f"unknown power action {action!r} (one of {', '.join(POWER_ACTIONS)})",
                          host=node.address.netloc)
    state = node.power.state()
    operation = f"power.{action}"
    if action == "cycle":
        _refuse_cycle(node, state)
        wanted = PowerState.ON
    else:
        wanted = _TARGET[action]
        if state is wanted and wanted is PowerState.OFF:
            # off is believed after two reads, as by the write: the second from the BMC,
            # not from the command's read memo
            readmemo.new_epoch()
            state = node.power.state()
        if state is wanted:
            return _unchanged(operation, state.value, wanted.value, f"already {state.value}")
    requests = node.power.reset_requests(action)
    notes: tuple[str, ...] = ()
    if action == "soft_off" and escalate_after is not None:
        forced = node.power.reset_requests("off")
        requests = None if requests is None or forced is None else requests + forced
        notes = (f"the force off only if the node is still not off {escalate_after:g} s "
                 "after the shutdown request",)
    return WritePlan(operation, True, _would_send(requests, action, state), state.value,
                     wanted.value, requests, notes)


def _refuse_cycle(node: Node, state: PowerState) -> None:
    if state in (PowerState.OFF, PowerState.POWERING_OFF):
        raise OperationFailed(f"power cycle refused: the node is {state.value.replace('_', ' ')}"
                              " (power it on instead)", host=node.address.netloc)


def _would_send(requests: tuple[PlannedRequest, ...] | None, action: str,
                state: PowerState) -> str:
    if not requests:
        return f"would power {action.replace('_', ' ')} (now {state.value})"
    sent = ", then ".join(_describe(r) for r in requests)
    return f"would send {sent} (now {state.value})"


def _describe(request: PlannedRequest) -> str:
    body = request.body or {}
    reset = body.get("ResetType")
    return f"{reset}" if reset else f"{request.method} {request.path}"


# -- boot override -------------------------------------------------------------------------


def boot_mode_for(target: BootSource, persistent: bool) -> BootOverrideMode:
    """The override mode a ``set_boot_override(target, persistent=...)`` asks for."""
    if target is BootSource.NONE:
        return BootOverrideMode.DISABLED
    return BootOverrideMode.CONTINUOUS if persistent else BootOverrideMode.ONCE


def override_text(override: BootOverride) -> str:
    """``<target>/<mode>`` of a boot override, e.g. ``Pxe/Once``."""
    return f"{override.target.value}/{override.mode.value}"


def plan_boot_override(node: Node, target: BootSource, *, persistent: bool = False) -> WritePlan:
    """What ``node.management.set_boot_override(target, persistent=...)`` would send.

    Already in state: the override reads the same target and mode, or, for
    ``BootSource.NONE``, no override is in force (mode ``Disabled`` or target ``None``).
    """
    current = node.management.get_boot_override()
    mode = boot_mode_for(target, persistent)
    wanted = BootOverride(target, mode)
    if current == wanted or (target is BootSource.NONE and (
            current.mode is BootOverrideMode.DISABLED or current.target is BootSource.NONE)):
        return _unchanged("boot_override", override_text(current), override_text(wanted),
                          f"already {override_text(current)}")
    requests = node.management.boot_override_requests(target, persistent=persistent)
    now, then = override_text(current), override_text(wanted)
    return WritePlan("boot_override", True, f"would set {then} (now {now})", now, then, requests)


def apply_boot_override(node: Node, target: BootSource, *, persistent: bool = False,
                        check: bool = False) -> WriteOutcome:
    """Plan the boot override and, unless ``check`` or already in state, set it.

    :raises OperationFailed: the BMC accepted but reads back something else.
    """
    plan = plan_boot_override(node, target, persistent=persistent)
    if check or not plan.changed:
        return WriteOutcome(plan, False)
    readback = node.management.set_boot_override(target, persistent=persistent)
    return WriteOutcome(plan, True, override_text(readback))


# -- restore policy ------------------------------------------------------------------------


def plan_restore_policy(node: Node, policy: PowerRestorePolicy) -> WritePlan:
    """What ``node.power.set_restore_policy(policy)`` would send."""
    current = node.power.get_restore_policy()
    if current is policy:
        return _unchanged("restore_policy", current.value, policy.value,
                          f"already {current.value}")
    requests = node.power.restore_policy_requests(policy)
    return WritePlan("restore_policy", True, f"would set {policy.value} (now {current.value})",
                     current.value, policy.value, requests)


def apply_restore_policy(node: Node, policy: PowerRestorePolicy, *,
                         check: bool = False) -> WriteOutcome:
    """Plan the restore policy and, unless ``check`` or already in state, set it.

    :raises OperationFailed: the BMC accepted but reads back something else.
    """
    plan = plan_restore_policy(node, policy)
    if check or not plan.changed:
        return WriteOutcome(plan, False)
    return WriteOutcome(plan, True, node.power.set_restore_policy(policy).value)
