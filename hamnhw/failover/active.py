"""Which node is the active MN when the journal does not say (first use, lost journal).

Worked out from live state first: powered on, holding the snapshot's RAID1 serials, and
answering ``mn_addresses`` where configured.  When no node qualifies (the MN is down: its node
crashed, is off, or its BMC is silent), the config's ``[pair] active`` names it, else the pair
snapshot (the node that held the MN's RAID1 when it was taken), else the operator's own word;
never a node live state contradicts (the other node on with the MN drives, or not readable).
Whatever names it, the operator confirms it by typing ``<name> is the active MN``
(journaled with who, when and what named it).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hamnhw.config import Config
from hamnhw.errors import HamnhwError, OperationFailed
from hamnhw.failover.bmcanswer import answers, did, remedy
from hamnhw.failover.journal import Journal
from hamnhw.failover.operator import AckRequest, Operator
from hamnhw.failover.phrases import ACTIVE_SUFFIX, given_phrases
from hamnhw.failover.probes import answering
from hamnhw.models import PowerState
from hamnhw.pair import PAIR_NODES, connect_node, other_node
from hamnhw.pair.snapshot import PairSnapshot
from hamnhw.poll import PollPolicy

YES = "yes"
"""The verdict of a node live state shows as the active MN."""


class ActiveNodeUnknown(OperationFailed):
    """No single node qualifies as the active MN, or the operator did not confirm it.

    :param needs: the phrase that confirms the candidate, when there is one.
    :param choices: with no candidate, the phrases of the nodes the operator may name (live
        state contradicts neither), one of which goes on.
    """

    def __init__(self, message: str, needs: AckRequest | None = None,
                 choices: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.needs = needs
        self.choices = choices


@dataclasses.dataclass(frozen=True)
class LiveNode:
    """One pair node as read now, for telling the active MN."""

    verdict: str
    """:data:`YES`, or why it is not (``power off``, ``BMC does not answer (...)``)."""
    power: PowerState | None
    """None: its BMC was not read."""
    holds: bool | None = False
    """It shows one of the snapshot's RAID1 serials; None when its drives cannot be told
    (the BMC did not list them, or a drive without a serial)."""


@dataclasses.dataclass(frozen=True)
class ActiveChoice:
    """The active node as the operator confirmed it, and what named it."""

    name: str
    how: str
    """``from live state: ...``, ``from [pair] active in the config; live state does not
    tell: ...``: what the plan and the journal say of it."""
    record: str = ""
    """What the journal records as the active node's source once the run's preflight
    passed (``how``, confirmed by whom): never before, never on a dry run."""


def phrase_of(name: str) -> str:
    """``primary is the active MN``."""
    return f"{name}{ACTIVE_SUFFIX}"


def candidates(config: Config, snapshot: PairSnapshot, poll: PollPolicy,
               prompt: Callable[[str], str] | None = None,
               mn_live: list[str] | None = None) -> dict[str, LiveNode]:
    """Every pair node with why it is, or is not, the active MN (verdict :data:`YES` when
    it is).

    :param mn_live: the ``mn_addresses`` answering (:func:`mn_addresses_answering`; None:
        none configured)."""
    serials = set(snapshot.mn_serials())
    verdicts = {}
    for name in PAIR_NODES:
        try:
            with connect_node(config, name, poll=poll, prompt=prompt) as node:
                state = node.power.state()
                view = node.raid.storage()
        except HamnhwError as exc:
            verdicts[name] = LiveNode(f"BMC does not answer ({exc})" if not answers(exc) else
                                      f"BMC {did(exc)} ({exc}): {remedy(name, exc, config)}",
                                      None)
            continue
        held = _holds(serials, view.drives, view.incomplete)
        if state is not PowerState.ON:
            verdict = f"power {state.value}"
        elif held is None:
            verdict = "on, but its drives cannot be told (the BMC did not list them all)"
        elif not held:
            verdict = "does not hold the MN drives"
        elif mn_live is not None and not mn_live:
            verdict = "on with the MN drives, but no MN address answers"
        else:
            verdict = YES
        verdicts[name] = LiveNode(verdict, state, held)
    return verdicts


def mn_addresses_answering(config: Config) -> list[str] | None:
    """The ``mn_addresses`` that accept a connection now (None: none configured)."""
    settings = config.failover
    return (answering(settings.mn_addresses, settings.probe_timeout)
            if settings.mn_addresses else None)


def _holds(serials: set[str], drives: Sequence[Any] | None,
           incomplete: bool = False) -> bool | None:
    """Whether ``drives`` show one of ``serials``; None when they cannot tell (not listed,
    or, while none matched, a drive without a serial or an ``incomplete`` read: a drive not
    read may be one)."""
    if drives is None:
        return None
    if serials & {d.serial for d in drives if d.serial}:
        return True
    return None if incomplete or any(not d.serial for d in drives) else False


def contradiction(name: str, live: Mapping[str, LiveNode]) -> str | None:
    """Why live state rules out ``name`` as the active MN when it does not show it as such,
    or None: the other node on with the MN drives, or in a state that cannot be told (its
    BMC not read, powering on or off); ``name`` itself on without them."""
    other = other_node(name)
    theirs, own = live[other], live[name]
    if theirs.power is PowerState.ON and theirs.holds:
        return f"{other} is on with the MN drives"
    if theirs.power is PowerState.ON and theirs.holds is None:
        return f"{other} is on and its drives cannot be told: it may run the MN"
    if theirs.power is None:
        return f"{other}'s state cannot be read ({theirs.verdict}): it may run the MN"
    if theirs.power not in (PowerState.ON, PowerState.OFF):
        return f"{other} is {theirs.power.value}: it may be starting or running the MN"
    if own.power is PowerState.ON and own.holds is False:
        return f"{name} is on but does not hold the MN drives"
    return None


def named_without_live(config: Config, snapshot: PairSnapshot) -> tuple[str | None, str]:
    """The node ``[pair] active`` names, else the one the snapshot recorded the MN's RAID1
    in (None when neither tells), with what named it (``[pair] active in the config``) or
    why nothing did."""
    held = [name for name in PAIR_NODES if snapshot.raid1_members(name)]
    snap = ("the pair snapshot of "
            + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(snapshot.taken_at)))
    if config.pair_active:
        disagree = (f" (but {snap} had the MN's RAID1 in {held[0]})"
                    if len(held) == 1 and held[0] != config.pair_active else "")
        return config.pair_active, f"[pair] active in the config{disagree}"
    if len(held) == 1:
        return held[0], f"{snap} (the MN's RAID1 was in {held[0]})"
    return None, (f"no [pair] active in the config, and {snap} shows a RAID1 in "
                  f"{'both nodes' if held else 'neither node'}")


def determine_active(config: Config, journal: Journal, snapshot: PairSnapshot,
                     operator: Operator, poll: PollPolicy,
                     prompt: Callable[[str], str] | None = None) -> ActiveChoice:
    """The active node from live state, else ``[pair] active``, the snapshot or the
    operator's word (never one live state contradicts), confirmed by the operator, then
    journaled.

    :raises ActiveNodeUnknown: no node can be named, or no confirmation was typed.
    """
    running = mn_addresses_answering(config)
    live = candidates(config, snapshot, poll, prompt, running)
    described = "; ".join(f"{n}: {v.verdict}" for n, v in live.items())
    found = [name for name, node in live.items() if node.verdict == YES]
    unknown = "the journal records no active node"
    if len(found) > 1:
        raise ActiveNodeUnknown(f"{unknown} and live state shows both nodes as the MN "
                                f"({described}): check which one runs it")
    if found:
        return _confirmed(journal, operator, ActiveChoice(found[0], f"from live state: "
                                                                    f"{described}"),
                          f"{unknown}; live state says {found[0]} ({described})")
    doesnt = f"live state does not tell which one it is ({described})"
    if running:
        raise ActiveNodeUnknown(f"{unknown}, {doesnt}, but the MN address(es) "
                                f"{', '.join(running)} answer: an MN runs; find out where "
                                "(both BMCs readable) before a failover")
    name, named = named_without_live(config, snapshot)
    if name is None:
        name = _operator_word(operator, live, f"{unknown}, {doesnt}, and {named}")
        named = "the operator's word"
    wrong = contradiction(name, live) or _unseen(config, name, live)
    if wrong is not None:
        raise ActiveNodeUnknown(f"{unknown}, {doesnt}; {named} names {name}, but live state "
                                f"contradicts it: {wrong}")
    return _confirmed(journal, operator, ActiveChoice(
        name, f"from {named}; live state does not tell: {described}"),
        f"{unknown}, {doesnt}; {named} names {name}")


def _unseen(config: Config, name: str, live: Mapping[str, LiveNode]) -> str | None:
    """Why ``name``, its power unknown (its BMC not read), cannot be named without
    ``mn_addresses``: nothing would tell that its host still runs the MN."""
    if live[name].power is None and not config.failover.mn_addresses:
        return (f"{name}'s BMC cannot be read, and without [failover] mn_addresses nothing "
                f"tells whether its host still runs the MN: set mn_addresses (they must be "
                f"silent before the standby is powered on)")
    return None


def _operator_word(operator: Operator, live: Mapping[str, LiveNode], why: str) -> str:
    """The node the operator named by typing its phrase when nothing else names one.

    :raises ActiveNodeUnknown: none or both typed, or live state contradicts both nodes.
    """
    allowed = {name: phrase_of(name) for name in PAIR_NODES if contradiction(name, live) is None}
    if not allowed:
        raise ActiveNodeUnknown(f"{why}; live state contradicts either node as the MN: "
                                + "; ".join(f"{n}: {contradiction(n, live)}" for n in PAIR_NODES))
    given = [name for name, phrase in allowed.items() if phrase in given_phrases(operator)]
    if len(given) == 1:
        return given[0]
    typed = "both nodes were named" if given else "name the node that holds the MN drives"
    raise ActiveNodeUnknown(f"{why}: {typed} (" + " or ".join(f"'{p}'" for p in allowed.values())
                            + "), or set [pair] active in the config",
                            choices=tuple(allowed.values()))


def _confirmed(journal: Journal, operator: Operator, choice: ActiveChoice,
               reason: str) -> ActiveChoice:
    """``choice`` once the operator typed its phrase (the typing journaled; the node itself
    is journaled as active only once the run's preflight passed: :attr:`ActiveChoice.record`)."""
    phrase = phrase_of(choice.name)
    request = AckRequest("active_node", phrase, f"{reason}: confirm by typing '{phrase}' "
                         "(--acknowledge on the command line)", "active_node")
    given = phrase in given_phrases(operator)
    if not (given or operator.acknowledge(request)):
        raise ActiveNodeUnknown(request.reason, needs=request)
    journal.event(None, "ack", f"{phrase!r} typed by {operator.identity()}",
                  {"phrase": phrase, "kind": request.kind, "who": operator.identity(),
                   "named": choice.how})
    return dataclasses.replace(choice, record=f"{choice.how}, confirmed by "
                                              f"{operator.identity()}")
