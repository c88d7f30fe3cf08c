"""The checks before every power-on of the target: MN addresses silent, the one-time override
read back, and last, right before the request, the old node confirmed off.

"Confirmed off" is ``Off`` read exactly twice in a row now.  A BMC silent for the whole
``power_off_timeout`` (one failed read is polled again, never taken as an answer; silent:
no connection made, no route to it, :mod:`~hamnhw.failover.bmcanswer`) is accepted only
with the operator's typed "power cords pulled": for this check, or an earlier silence of
the run that it stands for while the BMC answers nothing (:mod:`~hamnhw.failover.standing`:
every read that answers says so, :meth:`~hamnhw.failover.engine.RunContext.heard`).  A BMC
that answers, if only at the TCP level (a refused connection, one accepted and left
unanswered) or with an error (credentials, certificate, 5xx) stops the run naming it, with
no acknowledgement to type.

A request left unanswered on a connection opened earlier is read again on a new one before
anything is judged, and so is the last read of the wait when it was left unanswered on a new
connection (a read as long as the connect timeout, and :data:`~hamnhw.poll.LAST_READ_S`): a
new connection accepted and then left without an answer is an answer, unless that read
finds silence (the cords pulled while the request waited); an answer followed by silence
within the wait stays an answer (a BMC restarting looks the same).

An old node that reads anything else powered itself back on: it is forced off again
(journaled) and the run goes on only with an acknowledgement of that, and only once it
reads Off twice again: an acknowledgement never overrides a BMC that answers.
"""

from __future__ import annotations

import contextlib

from hamnhw import noanswer
from hamnhw.deadline import Deadline
from hamnhw.errors import HamnhwError
from hamnhw.failover import standing
from hamnhw.failover.bmcanswer import (
    answered,
    answers,
    cut_fix,
    did,
    no_http_answer,
    silent,
    transient,
    unanswered_fresh,
    undecided,
)
from hamnhw.failover.engine import RunContext, Stop
from hamnhw.failover.journal import StepRecord
from hamnhw.failover.operator import AckRequest
from hamnhw.failover.overrides import powered_on_by
from hamnhw.failover.phrases import CORDS_SUFFIX
from hamnhw.failover.powerops import force_off, off_twice, set_override
from hamnhw.failover.probes import not_silent
from hamnhw.failover.states import State
from hamnhw.models import BootOverrideMode, BootSource, PowerState
from hamnhw.pair import connect_timeout
from hamnhw.poll import LAST_READ_S, poll_until

OFF, NOT_OFF, UNREACHABLE = "off", "not off", "unreachable"
"""What a check of a node's power found."""


def cords_pulled(name: str, reason: str, situation: str, *,
                 silence: bool = False) -> AckRequest:
    """The acknowledgement that stands for a fence the BMC could not confirm (``silence``:
    its BMC was found silent, and the answer stands for its later silences)."""
    return AckRequest("cords_pulled", f"{name}{CORDS_SUFFIX}",
                      f"{reason}: pull {name}'s power cords, then type the acknowledgement",
                      situation, name if silence else None)


def poll_power(ctx: RunContext, name: str, what: str) -> tuple[str, PowerState]:
    """Read ``name``'s power until ``Off`` twice in a row (:data:`OFF`), ``On`` or
    ``PoweringOn`` (:data:`NOT_OFF`), or ``power_off_timeout``: then :data:`NOT_OFF` when
    some read answered a state, :data:`UNREACHABLE` when the BMC stayed silent
    (:func:`~hamnhw.failover.bmcanswer.silent`).  A failed read is read again; one left
    unanswered on a connection opened earlier (:func:`~hamnhw.failover.bmcanswer.undecided`)
    is read again on a new connection before the wait is judged, past its end if need be,
    and so is one left unanswered on a new connection
    (:func:`~hamnhw.failover.bmcanswer.unanswered_fresh`), within the node's connect timeout
    and :data:`~hamnhw.poll.LAST_READ_S`.  Every answer is told to ``ctx.heard``.

    :raises Stop: the BMC answered (:mod:`hamnhw.failover.bmcanswer`): at once for a final
        answer (credentials, certificate: a refused login is not tried again), at the
        deadline for one that may change (a 5xx, a malformed answer, a refused connection, a
        connection accepted and left unanswered) given within the wait; or no read told
        silence from an answer.
    """
    seen: list[PowerState] = []
    told: list[PowerState] = []  # what the BMC answered, an unknown state included
    errors: list[HamnhwError] = []
    failed: list[bool] = []

    def read(deadline: Deadline | None = None) -> PowerState:
        try:
            node = ctx.node(name, deadline)
            with node.operation(deadline=deadline) if deadline else contextlib.nullcontext():
                state = node.power.state()
        except HamnhwError as exc:
            if not (silent(exc) or undecided(exc) or transient(exc)):
                ctx.heard(name, did(exc))
                raise _stop(ctx, name, exc, f"{name} cannot be confirmed off") from exc
            errors.append(exc)
            failed.append(True)
            seen.append(PowerState.UNKNOWN)
            return seen[-1]
        ctx.heard(name, f"reads {state.value}")
        failed.append(False)
        told.append(state)
        seen.append(state)
        return state

    def decided(state: PowerState) -> bool:
        return off_twice(seen) or state in (PowerState.ON, PowerState.POWERING_ON)

    try:
        state = poll_until(read, decided, ctx.poll.deadline(ctx.settings.power_off_timeout),
                           ctx.poll, what=what, describe=lambda s: s.value)
    except HamnhwError:
        last = errors[-1] if failed and failed[-1] else None
        if last is not None and (undecided(last) or unanswered_fresh(last)):
            # on a new connection: the transport let go of the kept ones (a new one left
            # unanswered is closed), within a connect's time after a new one
            state = read(None if undecided(last) else Deadline(
                connect_timeout(ctx.config, name) + LAST_READ_S))
            if decided(state):
                return (OFF if off_twice(seen) else NOT_OFF), state
            if unanswered_fresh(last) and failed[-1] and silent(errors[-1]):
                errors.remove(last)  # the cords pulled as it waited: the new read decided
        return _judged(ctx, name, told, errors)
    return (OFF if off_twice(seen) else NOT_OFF), state


def _judged(ctx: RunContext, name: str, told: list[PowerState],
            errors: list[HamnhwError]) -> tuple[str, PowerState]:
    """A wait that ended undecided: :data:`NOT_OFF` when a read answered a known state other
    than Off twice, a stop when the BMC answered only a state it does not name (``Paused``,
    ``null``: an answer, never silence), :data:`UNREACHABLE` when every other read was silent
    or undecided and one was silent."""
    known = [s for s in told if s is not PowerState.UNKNOWN]
    if known:
        return NOT_OFF, known[-1]
    wait = f"{ctx.settings.power_off_timeout:g} s wait"
    if told:
        raise Stop(f"{name} cannot be confirmed off: its BMC answered, with no power state "
                   f"hamnhw knows (read as {told[-1].value}), within the {wait}; a BMC that "
                   "answers is not taken as pulled power cords: check the node's power in "
                   f"its BMC's web UI, then `hamnhw failover {_command(ctx)}`")
    if not errors:
        raise Stop(f"{name} cannot be confirmed off: its power was not read within the "
                   f"{wait}: `hamnhw failover {_command(ctx)}`")
    answering = [e for e in errors if answers(e)]
    if answering:  # answered within this wait: not the silence of pulled cords
        last = answering[-1]
        ctx.heard(name, did(last))
        how = "at the connection level" if no_http_answer(last) else "with errors"
        raise _stop(ctx, name, last, f"{name} cannot be confirmed off: its BMC still "
                                     f"answered {how} within the {wait}") from last
    quiet = [e for e in errors if silent(e)]
    if quiet:
        if noanswer.NO_ROUTE_FROM_HERE in str(quiet[-1]):  # ENETUNREACH: maybe this host's
            ctx.warn(f"{name}'s BMC: {quiet[-1]}: check this host's network before typing "
                     "that the power cords are pulled")
        return UNREACHABLE, PowerState.UNKNOWN
    fix = cut_fix(name, errors[-1]) or f"check {name}'s BMC"
    raise Stop(f"{name} cannot be confirmed off: no read of its BMC within the {wait} told "
               f"its silence from an answer (the last: {errors[-1]}); only a silent BMC (no "
               "connection made, no route to it) stands for pulled power cords, and an "
               f"acknowledgement does not override that: {fix}, then "
               f"`hamnhw failover {_command(ctx)}`") from errors[-1]


def _command(ctx: RunContext) -> str:
    """The command that goes on after a stop in the run's state."""
    return {State.ABORTING: "abort", State.AWAITING_DISKS: "resume --disks-moved"}.get(
        ctx.state, "resume")


def _stop(ctx: RunContext, name: str, exc: HamnhwError, why: str) -> Stop:
    return Stop(answered(name, exc, why, _command(ctx), ctx.config))


def old_node_off(ctx: RunContext, site: str, attempt: str) -> None:
    """The old node must be confirmed off now (see the module docstring).

    :param site: where the check stands (``disks``, ``verify``, ``boot``, ``boot-after``).
    :param attempt: what this check guards, unique in the run (an entry of a state, an
        attempt of a power-on): an answer given for another check never counts here.
    :raises Stop: not confirmed off; nothing may be powered on.
    """
    name = ctx.source
    try:
        found, state = poll_power(ctx, name, f"{name}: still off?")
    except Stop as stop:
        cause = stop.__cause__
        ctx.check(f"{site}: {name} off", False,
                  f"its BMC {did(cause)} ({cause})" if isinstance(cause, HamnhwError)
                  else stop.reason)
        raise
    refence = ctx.journal.open_step(ctx.run.id, f"{site}-refence", "force_off")
    if found == UNREACHABLE:
        silence = "BMC silent (no connection, no route)"
        situation = f"{site}.{attempt}:unreachable"
        ctx.check(f"{site}: {name} off", None, silence)
        ctx.require(cords_pulled(name, f"{name}'s BMC does not answer: it cannot be confirmed "
                                       "off", situation, silence=True))
        ctx.check(f"{site}: {name} off", None,
                  f"{silence}: {standing.described(ctx, situation)}")
        _close_interrupted(ctx, refence, {"off": None, "unreachable": True})
        return
    if found == NOT_OFF:
        refence = _refence(ctx, site, state)
    elif refence is not None and refence.outcome is None:
        refence = _settle_refence(ctx, site)
    if refence is not None:
        request = _powered_on(ctx, refence)
        ctx.require(request)
        if found == NOT_OFF:
            found, state = poll_power(ctx, name, f"{name}: off again?")
            if found == UNREACHABLE:  # the acknowledged cords pulled: it stands for silence
                standing.establish(ctx, name, request.situation)
        if found == NOT_OFF:
            ctx.check(f"{site}: {name} off", False, f"reads {state.value}")
            raise Stop(f"{name} reads {state.value}, not Off twice: nothing is powered on "
                       "while its BMC says it is not off (an acknowledgement never "
                       "overrides it); `hamnhw failover resume` once it reads off")
    ctx.check(f"{site}: {name} off", True, "Off read twice" if found == OFF else
              "BMC silent after the power cords were pulled (acknowledged)")


def _refence(ctx: RunContext, site: str, state: PowerState) -> StepRecord | None:
    name = ctx.source
    by = powered_on_by(ctx.journal, ctx.run, name)
    found = f"reads {state.value} after its fence{f' ({by})' if by else ''}"
    ctx.check(f"{site}: {name} off", False, f"{found}: forced off again")
    ctx.warn(f"{name} {found}: forcing it off again")
    ctx.journal.supersede(ctx.run.id, (f"{site}-refence",))
    force_off(ctx, f"{site}-refence", "force_off", name)
    return ctx.journal.open_step(ctx.run.id, f"{site}-refence", "force_off")


def _settle_refence(ctx: RunContext, site: str) -> StepRecord | None:
    """A re-fence killed after its intent, the old node now reading Off twice: settled like
    any interrupted action, by re-reading the BMC (``force_off``'s recovery), so that no
    intent is left without outcome."""
    force_off(ctx, f"{site}-refence", "force_off", ctx.source)
    return ctx.journal.open_step(ctx.run.id, f"{site}-refence", "force_off")


def _close_interrupted(ctx: RunContext, record: StepRecord | None,
                       outcome: dict[str, object]) -> None:
    """An interrupted re-fence whose effect cannot be read (BMC unreachable, the cords
    acknowledged as pulled): its outcome says so."""
    if record is not None and record.outcome is None:
        ctx.journal.outcome(record.id, {**outcome, "recovered": False})


def _powered_on(ctx: RunContext, refence: StepRecord) -> AckRequest:
    """The acknowledgement a re-fence asks for, naming the operator's ``power on --yes``
    when the journal holds one from before it."""
    name = ctx.source
    confirmed = "confirmed" if (refence.outcome or {}).get("off") else "NOT confirmed"
    how = (powered_on_by(ctx.journal, ctx.run, name, refence.intent_at)
           or "powered itself back on")
    return cords_pulled(name, f"{name} {how} (forced off again: {confirmed})",
                        f"refence:{refence.id}")


def mn_addresses_silent(ctx: RunContext, site: str) -> None:
    """Before a power-on: every ``mn_addresses`` must be silent (a connection accepted or
    refused: a host holds the address, the MN may be running elsewhere)."""
    addresses = ctx.settings.mn_addresses
    if not addresses:
        return
    heard = not_silent(addresses, ctx.settings.probe_timeout)
    if heard:
        said = "; ".join(f"{address} {what}" for address, what in heard.items())
        ctx.check(f"{site}: MN addresses silent", False, said)
        raise Stop(f"MN address(es) not silent: {said}: an MN may be running; "
                   "nothing was powered on")
    ctx.check(f"{site}: MN addresses silent", True, ", ".join(addresses))


def before_power_on(ctx: RunContext, site: str, boot: BootSource, action: str,
                    first: bool) -> None:
    """The checks before a power-on (or reset) of the target, ``action`` of ``site``.

    :param first: True before the intent of an attempt (the override is set and read back),
        False before a 409 retry (addresses and the old node only).
    """
    mn_addresses_silent(ctx, site)
    if first:
        _override(ctx, site, boot)
    attempt = f"{action}#{ctx.attempts(site, action) + (1 if first else 0)}"
    old_node_off(ctx, site, attempt)


def _override(ctx: RunContext, site: str, boot: BootSource) -> None:
    try:
        override = set_override(ctx, site, ctx.target, boot)
        current = ctx.node(ctx.target).management.get_boot_override()
    except HamnhwError as exc:
        raise Stop(f"the one-time boot override {boot.value} could not be set on "
                   f"{ctx.target}: {exc}") from exc
    ctx.check(f"{site}: override {boot.value}/Once", True,
              f"read back {override.target.value}/{override.mode.value}")
    if current.target is not boot or current.mode is not BootOverrideMode.ONCE:
        raise Stop(f"{ctx.target}'s boot override reads {current.target.value}/"
                   f"{current.mode.value}, not {boot.value}/Once: nothing was powered on")
