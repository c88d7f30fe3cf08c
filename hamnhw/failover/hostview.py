"""What the failover needs of a host beyond the driver interfaces: POST evidence and boot mode.

:class:`~hamnhw.interfaces.PowerInterface` reads ``PowerState`` only; the coordinator must
also see ``BootProgress.LastState``/``LastStateTime``, ``LastResetTime`` and
``Boot.BootSourceOverrideMode`` (DMTF ComputerSystem properties, not vendor ones) to tell a
fresh POST from a BMC's stale cache.  They come from the driver's
:meth:`~hamnhw.interfaces.ManagementInterface.boot_marks` (boot stages as
:class:`~hamnhw.models.BootStage` values); a driver without them (IPMI) gives a view of None
values, which the coordinator treats as "no evidence".
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hamnhw.errors import UnsupportedOperation
from hamnhw.models import BootStage, PowerState
from hamnhw.node import Node

OS_STAGES = frozenset({BootStage.OS_BOOT.value, BootStage.OS_RUNNING.value})
"""``BootProgress.LastState`` values that mean the OS is starting."""
SETUP_STAGE = BootStage.SETUP.value
"""The host sits in firmware setup: a POST just completed."""
POST_DONE_STAGE = BootStage.POST_COMPLETE.value
"""POST finished (evidence only with a moved time mark)."""


@dataclasses.dataclass(frozen=True)
class HostView:
    """One read of a host's power and boot marks; None where the BMC does not tell."""

    power_state: PowerState
    boot_stage: str | None = None
    """``BootProgress.LastState``."""
    boot_stage_time: str | None = None
    """``BootProgress.LastStateTime``."""
    last_reset_time: str | None = None
    """``LastResetTime``."""
    boot_mode: str | None = None
    """``Boot.BootSourceOverrideMode`` (UEFI, Legacy)."""

    @property
    def os_starting(self) -> bool:
        """BootProgress shows the OS starting or running."""
        return self.boot_stage in OS_STAGES

    def describe(self) -> str:
        """``on setup``, ``powering_on`` (no boot stage to show): for progress lines."""
        shown = self.boot_stage not in (None, BootStage.NONE.value)
        return f"{self.power_state.value} {self.boot_stage}" if shown else (
            self.power_state.value)

    def marks(self) -> dict[str, str | None]:
        """The time marks, for the journal."""
        return {"last_reset_time": self.last_reset_time, "boot_stage_time": self.boot_stage_time,
                "boot_stage": self.boot_stage}

    def reset_since(self, before: dict[str, Any]) -> bool:
        """A time mark moved since ``before`` (a reset or power-on took effect)."""
        return _moved(self.last_reset_time, before.get("last_reset_time")) or _moved(
            self.boot_stage_time, before.get("boot_stage_time"))


def shows_resets(marks: dict[str, Any]) -> bool:
    """The marks (:meth:`HostView.marks`) hold one that a reset moves or changes (a reset
    time, a boot stage or its time); False for a BMC that shows none (IPMI, older Redfish),
    whose resets leave no evidence but the power state."""
    return any(marks.get(key) is not None
               for key in ("last_reset_time", "boot_stage_time", "boot_stage"))


def _moved(now: str | None, then: Any) -> bool:
    return now is not None and then is not None and now != then


def read_host(node: Node) -> HostView:
    """Read the host's power state and boot marks through the driver (one GET on Redfish);
    a driver without boot marks (IPMI) gives a view with only the power state."""
    try:
        marks = node.management.boot_marks()
    except UnsupportedOperation:
        return HostView(node.power.state())
    return HostView(marks.power_state, marks.boot_stage.value if marks.boot_stage else None,
                    marks.boot_stage_time, marks.last_reset_time, marks.boot_mode)


@dataclasses.dataclass(frozen=True)
class DriveRead:
    """One read of the drives a BMC shows (:func:`read_drives`)."""

    drives: list[list[str]] | None
    """Sorted ``[serial or "", bay or id]`` pairs (a serial the BMC cannot tell is ""); None
    when the BMC shows no drive list, or only part of one."""
    unread: tuple[str, ...] = ()
    """What the storage read could not read (its warnings) when it was incomplete: the
    list is then not known (a drive not read is not a drive missing), ``drives`` None."""


def read_drives(node: Node) -> DriveRead:
    """The drives the BMC shows now; an incomplete storage read gives no list, only why."""
    view = node.raid.storage()
    if view.incomplete:
        return DriveRead(None, view.warnings or ("the storage read was incomplete",))
    if view.drives is None:
        return DriveRead(None)
    return DriveRead(sorted([d.serial or "", d.location or d.id] for d in view.drives))


def drive_view(node: Node) -> list[list[str]] | None:
    """The drives the BMC shows now (:attr:`DriveRead.drives`): None when it shows no drive
    list, or only part of one (an incomplete read is no evidence, nor a list to judge)."""
    return read_drives(node).drives


def bays_taken(node: Node, moving: frozenset[str] = frozenset()) -> tuple[str, ...] | None:
    """The bays (or drive ids) the BMC shows taken by drives other than those whose serial
    is in ``moving``; None when it shows no drive list, or only part of one (a bay not read
    is not a free bay)."""
    view = node.raid.storage()
    if view.incomplete or view.drives is None:
        return None
    return tuple(d.location or d.id for d in view.drives if d.serial not in moving)
