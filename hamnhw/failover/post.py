"""A fresh POST into BIOS setup, and drives believed only from it.

A powered-off BMC shows the drives of the host's last POST, so after a power-on into BIOS
setup the drive list counts only once the BMC shows evidence that a POST ran since the
power-on (:class:`PostWatch`):

* ``setup``: ``BootProgress`` shows ``SetupEntered`` (the one-time override asked for it);
* ``post_complete``: ``SystemHardwareInitializationComplete`` with a ``LastResetTime`` or
  ``LastStateTime`` that moved, after an earlier POST stage was seen in this boot (a BMC
  that shows the stages in order shows that one only once POST is done);
* ``drive_view_changed``: ``SystemHardwareInitializationComplete`` with a moved mark, and
  the drive list changed from the one shown before the power-on and then read the same
  twice (a BMC that shows that stage from the power-on on, over a stale list, is never
  believed on its first read).

The drives are then read until two reads agree (:func:`settled_drives`).  No evidence by
``post_timeout``: the drives are "unverified" (the operator types the serials) when the
BMC shows no boot progress at all or reported the POST complete, else the POST is taken
as halted (a foreign-configuration prompt).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hamnhw.errors import HamnhwError
from hamnhw.failover.engine import RunContext
from hamnhw.failover.hostview import (
    POST_DONE_STAGE,
    SETUP_STAGE,
    DriveRead,
    HostView,
    drive_view,
    read_drives,
    read_host,
)
from hamnhw.models import BootStage, PowerState
from hamnhw.node import Node
from hamnhw.poll import poll_until

EARLY_STAGES = frozenset({BootStage.POST.value})
"""Stages a BMC shows while POST runs."""


class PostWatch:
    """Judges the reads of one boot: is there evidence of a POST since ``intent``?

    :param intent: the power-on's journaled intent (``marks_before``, ``drives_before``).
    """

    def __init__(self, intent: dict[str, Any]) -> None:
        self.marks = dict(intent.get("marks_before") or {})
        self.drives_before = intent.get("drives_before")
        self.evidence: str | None = None
        """``setup``, ``post_complete``, ``drive_view_changed``, or None (not yet)."""
        self.completed = False
        """The BMC said POST completed (or setup entered), believed or not."""
        self._sequence = False
        self._changed: list[list[str]] | None = None

    def see(self, view: HostView, node: Node) -> None:
        """Judge one read (reading the drives too when only they can tell)."""
        if self.evidence is not None or view.power_state is not PowerState.ON:
            return
        moved = view.reset_since(self.marks)
        if view.boot_stage in (SETUP_STAGE, POST_DONE_STAGE):
            self.completed = True
        if view.boot_stage == SETUP_STAGE and (moved or self.marks.get("boot_stage")
                                               != SETUP_STAGE):
            self.evidence = "setup"
        elif view.boot_stage in EARLY_STAGES and moved:
            self._sequence = True
        elif view.boot_stage == POST_DONE_STAGE and moved:
            if self._sequence:
                self.evidence = "post_complete"
            else:
                self._judge_drives(node)

    def _judge_drives(self, node: Node) -> None:
        if self.drives_before is None:
            return
        try:
            drives = drive_view(node)
        except HamnhwError:
            return
        if drives is None or drives == self.drives_before:
            self._changed = None
        elif drives == self._changed:
            self.evidence = "drive_view_changed"
        else:
            self._changed = drives


@dataclasses.dataclass(frozen=True)
class PostResult:
    """How a POST into setup went."""

    view: HostView
    """The last read."""
    evidence: str | None
    """See :class:`PostWatch`; None: no evidence."""
    halted: bool = False
    """No evidence and the BMC never reported the POST complete by ``post_timeout``."""


def wait_for_post(ctx: RunContext, name: str, intent: dict[str, Any]) -> PostResult:
    """Wait up to ``post_timeout`` for POST evidence, the OS starting, or (a BMC without
    boot progress) the host on."""
    node = ctx.node(name)
    watch = PostWatch(intent)
    last: list[HostView] = []

    def read() -> HostView:
        view = read_host(node)
        watch.see(view, node)
        last[:] = [view]
        return view

    def done(view: HostView) -> bool:
        return view.os_starting or watch.evidence is not None or (
            view.power_state is PowerState.ON and view.boot_stage is None)

    try:
        view = poll_until(read, done, ctx.poll.deadline(ctx.settings.post_timeout), ctx.poll,
                          what=f"{name}: POST into BIOS setup", describe=HostView.describe)
    except HamnhwError:
        view = last[0] if last else HostView(PowerState.UNKNOWN)
        return PostResult(view, None, halted=not watch.completed)
    return PostResult(view, watch.evidence)


def _same(one: DriveRead, other: DriveRead) -> bool:
    """Two reads agree: the same list, or both incomplete (whatever each missed)."""
    return one.drives == other.drives and bool(one.unread) == bool(other.unread)


def settled_drives(ctx: RunContext, name: str) -> DriveRead:
    """The drive list read until two reads in a row agree (bounded by ``post_timeout``); an
    incomplete read is no list (:attr:`DriveRead.unread` says why)."""
    node = ctx.node(name)
    reads: list[DriveRead] = []

    def read() -> DriveRead:
        reads.append(read_drives(node))
        return reads[-1]

    try:
        return poll_until(read, lambda _v: len(reads) >= 2 and _same(reads[-1], reads[-2]),
                          ctx.poll.deadline(ctx.settings.post_timeout), ctx.poll,
                          what=f"{name}: drive list settled",
                          describe=lambda v: ("incomplete read" if v.unread else "none"
                                              if not v.drives else f"{len(v.drives)} drive(s)"))
    except HamnhwError:
        return reads[-1] if reads else DriveRead(None)
