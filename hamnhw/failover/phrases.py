"""The answers given on the command line: ``--acknowledge`` phrases a command cannot use are
said so, never dropped in silence; answers given for one run are forgotten before the next.

A phrase typed on the command line answers only the situation the run's last stop named
(:meth:`~hamnhw.failover.engine.RunContext.require`), and ``'<node> is the active MN'`` only
a ``start`` that has no active node journaled.  Any other phrase is ignored, with a warning
saying why, as an early ``--disks-moved`` is.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from hamnhw.failover.journal import ActiveNode
from hamnhw.failover.operator import Operator

ACTIVE_SUFFIX = " is the active MN"
"""How the phrase confirming the active node ends."""


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


def ignored_at_resume(phrases: Iterable[str], pending: Mapping[str, Any] | None) -> list[str]:
    """Warnings for the phrases that do not answer the run's last stop (``pending``: the
    run's ``pending_ask``)."""
    asked = (pending or {}).get("phrase") or None
    why = (f"the run's last stop asked for {asked!r}" if asked else
           "the run's last stop asked for no acknowledgement")
    return [f"--acknowledge {phrase!r} ignored: {why} (a phrase answers only the situation "
            "that stop named)" for phrase in dict.fromkeys(phrases) if phrase != asked]


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
