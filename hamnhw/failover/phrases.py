"""The answers given on the command line: ``--acknowledge`` phrases a command cannot use are
said so, never dropped in silence; answers given for one run are forgotten before the next.

A phrase typed on the command line answers only the situation the run's last stop named
(:meth:`~hamnhw.failover.engine.RunContext.require`), or, given to a ``resume``, ``'<old
node> power cords pulled'`` a check that finds the old node's BMC silent (its silence, which
the acknowledgement then stands for: :mod:`~hamnhw.failover.standing`); and ``'<node> is the
active MN'`` only a ``start`` that has no active node journaled.  A phrase that can answer
nothing here is ignored with a warning at once; one that could but was not used (the resume
met another situation, the BMC answered, no check needed it) gets its warning at the end of
the command (:meth:`GivenAnswers.unused`), saying why, as an early ``--disks-moved`` does.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from hamnhw.failover.journal import ActiveNode
from hamnhw.failover.operator import Operator

ACTIVE_SUFFIX = " is the active MN"
"""How the phrase confirming the active node ends."""
CORDS_SUFFIX = " power cords pulled"
"""How the phrase acknowledging a node's pulled power cords ends."""


def ignored_at_start(phrases: Iterable[str], recorded: ActiveNode | None,
                     source: str) -> list[str]:
    """Warnings for the phrases a new run of ``source`` cannot use: all of them but the
    active-node confirmation it needed (``recorded`` None: none was journaled)."""
    used = f"{source}{ACTIVE_SUFFIX}" if recorded is None else None
    warnings = []
    for phrase in dict.fromkeys(phrases):
        if phrase == used:
            continue
        if phrase.endswith(ACTIVE_SUFFIX) and recorded is not None:
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(recorded.set_at))
            why = (f"the journal records {recorded.name} as the active MN already (since "
                   f"{since}, {recorded.source}): that phrase is asked for only when it does "
                   "not")
        else:
            why = ("a new run has asked for nothing yet: a phrase answers only the situation "
                   "a stop names, given to the resume that stop names")
        warnings.append(f"--acknowledge {phrase!r} ignored: {why}")
    return warnings


def ignored_at_resume(phrases: Iterable[str], pending: Mapping[str, Any] | None,
                      also: str | None = None) -> list[str]:
    """Warnings for the phrases that can answer nothing: neither the run's last stop
    (``pending``: the run's ``pending_ask``) nor, ``also``, the old node's silence."""
    asked = (pending or {}).get("phrase") or None
    why = (f"the run's last stop asked for {asked!r}" if asked else
           "the run's last stop asked for no acknowledgement")
    more = f", or {also!r} a check that finds that node's BMC silent" if also else ""
    return [f"--acknowledge {phrase!r} ignored: {why} (a phrase answers only the situation "
            f"that stop named{more})" for phrase in dict.fromkeys(phrases)
            if phrase not in (asked, also)]


class GivenAnswers:
    """The answers on one command line (``--acknowledge``, ``--disk-serial``): together they
    count once, for the situation the run's last stop named, or (``silent``: a resume's old
    node) ``'<silent> power cords pulled'`` for a check finding that node's BMC silent.

    :param command: ``resume`` or ``abort``, for the warnings (``start`` uses none).
    """

    def __init__(self, phrases: Iterable[str], pending: Mapping[str, Any] | None,
                 silent: str | None, command: str = "resume") -> None:
        self.phrases = tuple(dict.fromkeys(phrases))
        self.pending: dict[str, Any] = dict(pending or {})
        self.silence = f"{silent}{CORDS_SUFFIX}" if silent else None
        self.command = command
        self.used: str | None = None
        """The situation the command line's answer was used for."""
        self._used_phrase: str | None = None
        self._notes: dict[str, str] = {}

    def ignored(self) -> list[str]:
        """Warnings, said at once, for the phrases that can answer nothing here."""
        return ignored_at_resume(self.phrases, self.pending or None, self.silence)

    def takes(self, situation: str, present: bool, phrase: str | None = None,
              silence: bool = False) -> bool:
        """Whether the command line's answer (``present``) answers ``situation`` (a check
        of the old node's silence: ``silence``, its ``phrase``); it counts once."""
        if not present or self.used is not None:
            return False
        if self.pending.get("situation") == situation or (
                silence and phrase is not None and phrase == self.silence):
            self.used, self._used_phrase = situation, phrase
            return True
        return False

    def not_taken(self, phrase: str, situation: str) -> None:
        """``phrase`` was given, and this stop at ``situation`` asks for it: why it was not
        used there."""
        if phrase not in self.phrases:
            return
        if self.used is not None:
            why = (f"the command line's answer was used for {self.used} already (it counts "
                   f"once): this {self.command} then stopped at {situation}")
        else:
            named = self.pending.get("situation")
            answers = (f"the situation the last stop named ({named})" if named else
                       "the situation the last stop named (it named none)")
            if self.silence:
                answers += f", or a check that finds {self.silence.removesuffix(CORDS_SUFFIX)}'s"
                answers += " BMC silent"
            why = (f"this {self.command} stopped at {situation}, which it does not answer: a "
                   f"phrase given on the command line answers {answers}")
        self._notes[phrase] = f"{why}; type it again for this stop"

    def answered(self, name: str, what: str) -> None:
        """``name``'s BMC answered (``what``): its cords phrase, given, answers no silence."""
        phrase = f"{name}{CORDS_SUFFIX}"
        if phrase in self.phrases:
            self._notes[phrase] = (f"{name}'s BMC answered ({what}): an acknowledgement of "
                                   "pulled power cords stands only for its silence, never "
                                   "for a BMC that answers")

    def unused(self) -> list[str]:
        """Warnings, said at the end of the command, for the phrases that could have
        answered something here but did not, with why."""
        could = {p for p in (self.pending.get("phrase"), self.silence) if p}
        return [f"--acknowledge {phrase!r} not used: {self._notes.get(phrase) or self._why(phrase)}"
                for phrase in self.phrases if phrase in could and phrase != self._used_phrase]

    def _why(self, phrase: str) -> str:
        named = self.pending.get("situation") if phrase == self.pending.get("phrase") else None
        node = self.silence.removesuffix(CORDS_SUFFIX) if phrase == self.silence else None
        came = [f"to {named} again (the situation the last stop asked it for)"] if named else []
        came += [f"to a check that found {node}'s BMC silent"] if node else []
        return f"this {self.command} did not come " + ", nor ".join(came)


def given_phrases(operator: Operator) -> tuple[str, ...]:
    """The phrases typed on the command line (``--acknowledge``)."""
    return tuple(getattr(operator, "acknowledgements", ()) or ())


def forget_disks_moved(operator: Operator) -> None:
    """An operator's ``--disks-moved`` said of another step does not answer this one."""
    if getattr(operator, "disks_moved", False):
        operator.disks_moved = False  # type: ignore[attr-defined]


def forget_answers(operator: Operator) -> None:
    """The command line's answers were given for the run that just finished (a drill's
    failover leg): the next run asks its own."""
    forget_disks_moved(operator)
    for name in ("acknowledgements", "disk_serials"):
        if getattr(operator, name, ()):
            setattr(operator, name, ())
