"""The operator's side of a failover: the work order and the callbacks that reach a person.

:class:`Operator` is what :class:`~hamnhw.failover.coordinator.Coordinator` calls; there are
three kinds: :class:`TtyOperator` (a person at a terminal), :class:`ScriptedOperator` (the
command line without a terminal: answers given as options, else exit 10 and
``resume``), and the demo's auto-mover (:mod:`hamnhw.failover.drill`).  Tests bring doubles.

An acknowledgement is a phrase the operator types exactly (``primary power cords pulled``):
a reflex "y" does not pass.  It answers one situation (:attr:`AckRequest.situation`) and is
never reused for another: the coordinator asks again when the same phrase is needed for
something else, and a phrase given on the command line (``--acknowledge``) answers only the
situation the last stop named (or, at a ``resume``, the old node's silence).  The one
exception is silence: the acknowledgement of an old node's silent BMC stands for its later
silences in the run until that BMC answers (:mod:`~hamnhw.failover.standing`).  Serials
read on the disks' labels are typed the same way (:class:`SerialsRequest`,
``--disk-serial``) when no BMC can show them from a fresh POST.
"""

from __future__ import annotations

import dataclasses
import getpass
import socket
from collections.abc import Callable, Iterable
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class DriveMove:
    """One drive to move."""

    serial: str
    from_bay: str | None
    """Its bay in the old node (None when unknown)."""


@dataclasses.dataclass(frozen=True)
class WorkOrder:
    """What the operator must do by hand between the fence and the verification."""

    run_id: int
    source: str
    """The fenced node the drives come out of."""
    target: str
    """The node they go into."""
    source_serial: str | None
    """The old node's chassis serial number (to find the right box)."""
    target_serial: str | None
    drives: tuple[DriveMove, ...]
    target_bays_taken: tuple[str, ...] | None = None
    """Bays of the target holding a drive at its last POST (None: unknown)."""
    warnings: tuple[str, ...] = ()
    """E.g. possible cache loss after a force-off."""
    resume: str = "hamnhw failover resume"
    """The command that goes on with the run (``hamnhw drill resume`` for a drill's leg)."""
    steps: tuple[str, ...] = ()
    """The config's ``[failover] disk_move_steps``: done by hand before going on."""

    def text(self) -> str:
        """The printable work order."""
        lines = [f"WORK ORDER (failover run {self.run_id}): move the MN disks",
                 f"  from {self.source} (chassis serial {self.source_serial or 'unknown'}, "
                 "identify LED on)",
                 f"  into {self.target} (chassis serial {self.target_serial or 'unknown'}, "
                 "identify LED on)",
                 "  pull these drives (check each serial on its label):"]
        lines += [f"    - {d.serial}  from {d.from_bay or 'bay unknown'}" for d in self.drives]
        taken = ("unknown" if self.target_bays_taken is None else
                 ", ".join(self.target_bays_taken) or "none")
        lines.append(f"  insert them into free bays of {self.target} (bays taken at its last "
                     f"POST: {taken}); keep the pair together")
        if self.steps:
            lines.append(f"  then, with {self.source} off and before {self.target} boots "
                         "([failover] disk_move_steps):")
            lines += [f"    $ {step}" for step in self.steps]
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class AckRequest:
    """A phrase the operator must type to let the run go on."""

    kind: str
    """``cords_pulled``, ``old_node_powered_on``, ``resend_power_on``, ``active_node``."""
    phrase: str
    """Exactly what must be typed."""
    reason: str
    """Why it is asked."""
    situation: str = ""
    """What the answer is about, as the journal names it (``fence:not_off:12``,
    ``verify.power_on#2:unreachable``): an answer is kept for this situation only."""
    silence_of: str | None = None
    """The node whose BMC was found silent, when that is what is asked about: the answer
    then stands for that node's later silences in the run, until its BMC answers
    (:mod:`~hamnhw.failover.standing`)."""


@dataclasses.dataclass(frozen=True)
class SerialsRequest:
    """The operator reads the serial printed on each moved disk and types them (a BMC
    that cannot show the drives from a fresh POST, an IPMI-only pair)."""

    target: str
    """The node the disks are in."""
    count: int
    """How many disks were moved (one serial each)."""
    reason: str
    situation: str = ""
    """The power-on whose drives they are (``serials:17``)."""

    @property
    def kind(self) -> str:
        """``serials``."""
        return "serials"


@dataclasses.dataclass(frozen=True)
class MissingDrives:
    """Only part of the MN mirror arrived in the target: the operator moves the rest (and
    resumes), or resumes with ``--accept-degraded`` to go on with the half that arrived."""

    source: str
    """The old node, where the missing drives should still be."""
    target: str
    missing: tuple[DriveMove, ...]
    """The drives that did not arrive (their bay in the old node, when known)."""
    reason: str
    situation: str = ""

    @property
    def kind(self) -> str:
        """``partial_mirror``."""
        return "partial_mirror"


class Operator(Protocol):
    """The callbacks of the operator step (and of every decision only a person may take)."""

    @property
    def interactive(self) -> bool:
        """True when a person answers now (a terminal); False: answers come as options."""

    def identity(self) -> str:
        """Who answers, for the journal (``user@host (tty)``)."""

    def say(self, text: str) -> None:
        """Narrate a step (progress)."""

    def confirm_start(self, plan: str) -> bool:
        """Show the plan; True to go on."""

    def move_disks(self, order: WorkOrder) -> bool:
        """Have the disks moved; True once the operator says they are, False to stop and
        wait (exit 10, ``resume --disks-moved``)."""

    def acknowledge(self, request: AckRequest) -> bool:
        """Ask now; True when the operator typed ``request.phrase`` exactly (a phrase given
        up front is the coordinator's business, see :attr:`ScriptedOperator.
        acknowledgements`)."""

    def read_serials(self, request: SerialsRequest) -> tuple[str, ...] | None:
        """The serials the operator reads on the moved disks' labels, one per disk; None
        when nobody answers now (the run waits: exit 10)."""


def who(how: str) -> str:
    """``user@host (how)``: who acts, for the journal."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} ({how})"


class ScriptedOperator:
    """Answers given up front (command-line options); never asks.

    :param disks_moved: the operator says the disks are moved (``--disks-moved``).
    :param acknowledgements: phrases typed on the command line (``--acknowledge``); the
        coordinator takes one only as the answer to the situation the last stop named.
    :param disk_serials: serials read on the moved disks (``--disk-serial``), the answer to
        a :class:`SerialsRequest` the last stop named.
    :param say: where narration goes (None: nowhere).
    """

    interactive = False

    def __init__(self, *, disks_moved: bool = False, acknowledgements: Iterable[str] = (),
                 disk_serials: Iterable[str] = (),
                 say: Callable[[str], None] | None = None) -> None:
        self.disks_moved = disks_moved
        self.acknowledgements = tuple(acknowledgements)
        self.disk_serials = tuple(s.strip() for s in disk_serials if s.strip())
        self._say = say

    def identity(self) -> str:
        """``user@host (command line)``."""
        return who("command line")

    def say(self, text: str) -> None:
        """Pass narration on."""
        if self._say is not None:
            self._say(text)

    def confirm_start(self, plan: str) -> bool:
        """Only ``--yes`` starts without a terminal (the CLI checks it before)."""
        return True

    def move_disks(self, order: WorkOrder) -> bool:
        """True with ``--disks-moved``; else show the order and wait."""
        self.say(order.text())
        return self.disks_moved

    def acknowledge(self, request: AckRequest) -> bool:
        """Nobody to ask now: False (phrases given up front are in :attr:`acknowledgements`)."""
        return False

    def read_serials(self, request: SerialsRequest) -> tuple[str, ...] | None:
        """Nobody to ask now: None (serials given up front are in :attr:`disk_serials`)."""
        return None


class TtyOperator(ScriptedOperator):
    """A person at a terminal: prompts on stderr; answers given as options count too."""

    interactive = True

    def __init__(self, *, prompt: Callable[[str], str] | None = None,
                 say: Callable[[str], None] | None = None, disks_moved: bool = False,
                 acknowledgements: Iterable[str] = (), disk_serials: Iterable[str] = ()) -> None:
        super().__init__(disks_moved=disks_moved, acknowledgements=acknowledgements,
                         disk_serials=disk_serials, say=say)
        self._prompt = prompt or _click_prompt

    def identity(self) -> str:
        """``user@host (tty)``."""
        return who("tty")

    def confirm_start(self, plan: str) -> bool:
        """Show the plan and ask for ``yes``."""
        self.say(plan)
        return self._prompt("Start the failover? Type 'yes'").strip() == "yes"

    def move_disks(self, order: WorkOrder) -> bool:
        """Show the work order and wait until ``disks moved`` is typed (empty: stop)."""
        if self.disks_moved:
            return True
        self.say(order.text())
        while True:
            answer = self._prompt("Type 'disks moved' once done (empty: stop here, resume "
                                  f"later with `{order.resume} --disks-moved`)").strip()
            if answer == "disks moved":
                return True
            if not answer:
                return False

    def acknowledge(self, request: AckRequest) -> bool:
        """Ask for the phrase; a wrong phrase is asked again, an empty answer declines."""
        self.say(request.reason)
        while True:
            answer = self._prompt(f"Type '{request.phrase}' to go on (empty: stop)").strip()
            if answer == request.phrase:
                return True
            if not answer:
                return False


    def read_serials(self, request: SerialsRequest) -> tuple[str, ...] | None:
        """Ask for each disk's serial; an empty answer declines."""
        self.say(request.reason)
        typed = []
        for index in range(1, request.count + 1):
            answer = self._prompt(f"Serial printed on moved disk {index} of {request.count} "
                                  f"in {request.target} (empty: stop)").strip()
            if not answer:
                return None
            typed.append(answer)
        return tuple(typed)


def _click_prompt(text: str) -> str:
    import click

    return str(click.prompt(text, default="", show_default=False, err=True))
