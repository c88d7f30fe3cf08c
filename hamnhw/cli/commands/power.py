"""``hamnhw power status|on|off|soft-off|cycle NODE... [--timeout S] [--no-wait] [--dry-run]``.

Several nodes (a range, a group, ``--nodes-file``) are worked on at once
(:mod:`hamnhw.cli.fleet`).  ``off``, ``soft-off`` and ``cycle`` of the pair's (possibly)
active MN, one node or many, need ``--yes``; ``on`` and ``cycle`` of a pair node while the
pair's journal holds an unfinished failover, drill or RAID1 setup too, and the old node once
its disks were said moved is refused even with it (:mod:`hamnhw.pair.runguard`).  Such a
``--yes`` is journaled into the run for each node once that node passed every check (the
old node's identity check included), just before its power request.  A ``--dry-run`` prints
the plan all the same, says that the real run would be refused, and exits with its code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import click

from hamnhw.cli.budget import LOGOUT_RESERVE_S, LOGOUT_SHARE, CommandBudget
from hamnhw.cli.fleet import (
    FleetOptions,
    nodes_options,
    refuse_power_change,
    run_on_nodes,
)
from hamnhw.errors import ConfigError, StateUnconfirmed
from hamnhw.models import PowerResult, to_jsonable
from hamnhw.node import Node
from hamnhw.poll import LAST_READ_S

if TYPE_CHECKING:
    from hamnhw.fleet.targets import Selection
    from hamnhw.pair.runguard import PendingOverride


@click.group("power")
def command() -> None:
    """Read or change the host power state."""


@command.command("status")
@nodes_options
@click.pass_context
def status(ctx: click.Context, fleet: FleetOptions) -> None:
    """Print the power state: on, off, powering_on, powering_off or unknown."""
    def read(node: Node) -> dict[str, Any]:
        state = node.power.state()
        return {"power_state": state.value, "protocol": node.protocol}

    run_on_nodes(ctx, fleet, lambda _budget: read, lambda p: f"{p['node']}: {p['power_state']}")


ESCALATION_WORDS: Mapping[str, str] = {
    "still-on": "still on at --escalate-after",
    "graceful-unanswered": "the graceful shutdown got no answer: its outcome is unknown "
                           "(the BMC may have acted on it; it was not sent again)",
    "not-offered": "the BMC does not offer a graceful shutdown",
    "refused": "the BMC refused the graceful shutdown",
    "at-once": "--escalate-after had passed when connected: no graceful shutdown was sent",
}
"""Why a soft-off forced the node off (:attr:`PowerResult.escalation`), in words."""


def change_payload(result: PowerResult) -> dict[str, Any]:
    """The JSON of a power change: power_state, changed, elapsed_s (to the millisecond),
    confirmed, method (``reset`` or ``off-on``), when not confirmed, unconfirmed_reason
    (``no-wait``) and, when a soft-off forced the node off, escalation
    (:attr:`PowerResult.escalation`)."""
    payload: dict[str, Any] = to_jsonable(result)
    payload["elapsed_s"] = round(result.elapsed_s, 3)
    if result.escalation is None:
        payload.pop("escalation", None)
    if result.confirmed:
        payload.pop("unconfirmed_reason", None)
    else:
        payload["unconfirmed_reason"] = result.unconfirmed_reason or "unknown"
    return payload


def check_escalation(escalate_after: float | None, longest_wait: float, *,
                     option: str = "--escalate-after", timeout_option: str = "--timeout") -> None:
    """Refuse an ``--escalate-after`` that is not more than 0 or not shorter than the
    longest possible wait: the one rule (the command and the Ansible module both call it),
    checked before anything is sent (``--escalate-after`` counts from the command's start,
    like the wait's budget: :meth:`CommandBudget.escalate_after`).

    :param option: the option's name as the caller's user typed it (``escalate_after`` in
        the Ansible module), and ``timeout_option`` the timeout's.
    :raises ConfigError: before anything is sent (exit 2).
    """
    if escalate_after is None:
        return
    if not escalate_after > 0:    # NaN too
        raise ConfigError(f"{option} ({escalate_after:g} s) must be more than 0 s")
    if escalate_after >= longest_wait:
        raise ConfigError(f"{option} ({escalate_after:g} s) must be shorter than the "
                          f"longest wait ({longest_wait:g} s): {timeout_option} (else the "
                          f"config's timeout, else 120 s) minus what is kept for logging out "
                          f"(at most {LOGOUT_RESERVE_S:g} s: a quarter of a timeout under "
                          f"{LOGOUT_RESERVE_S / LOGOUT_SHARE:g} s) and the {LAST_READ_S:g} s of "
                          "the wait's last read")


def change_power(node: Node, method: str, budget: CommandBudget, *, wait: bool = True,
                 escalate_after: float | None = None) -> dict[str, Any]:
    """Run ``node.power.METHOD`` within ``budget`` and return :func:`change_payload`: the
    wait gets ``budget.wait_seconds()``, ``escalate_after`` (checked by
    :func:`check_escalation` before connecting) counts from the command's start.

    :raises StateUnconfirmed: the command waited and the driver still could not confirm the
        result (exit 1, as a Redfish change that could not be confirmed): only ``--no-wait``
        ends 0 unconfirmed."""
    call = getattr(node.power, method)
    timeout = budget.wait_seconds()
    arguments: dict[str, Any] = {}
    if escalate_after is not None:
        arguments["escalate_after"] = budget.escalate_after(escalate_after, timeout)
    result = call(wait=wait, timeout=timeout, **arguments)
    if wait and not result.confirmed:
        raise StateUnconfirmed(
            f"power {method.replace('_', '-')} was sent but its result could not be confirmed "
            f"({result.unconfirmed_reason or 'no reason given'}; last read: "
            f"{result.power_state.value}); it was not sent again: read the state before "
            "deciding", host=node.name, accepted=True, last_state=result.power_state.value)
    return change_payload(result)


def _render_change(payload: Mapping[str, Any]) -> str:
    """``node: on (changed, 3.2 s)``; a cycle made of off then on says so, a soft-off that
    forced the node off says why, and an unconfirmed change says why (the codes in words)."""
    change = "changed" if payload["changed"] else "unchanged"
    how = ", off then on" if payload.get("method") == "off-on" else ""
    escalation = payload.get("escalation")
    if escalation:
        how += f", forced off: {ESCALATION_WORDS.get(escalation, escalation)}"
    line = (f"{payload['node']}: {payload['power_state']} "
            f"({change}, {payload['elapsed_s']:.1f} s{how})")
    if payload["confirmed"]:
        return line
    reason = payload.get("unconfirmed_reason") or "unknown"
    words = {"no-wait": "--no-wait, the state was read once"}.get(reason, reason)
    return f"{line} (unconfirmed: {words})"


YES_HELP = {
    "on": "Go on while the pair's journal holds an unfinished failover (never for the old "
          "node once its disks were said moved).",
    "cycle": "Go on when the nodes include the pair's (possibly) active MN, or while the "
             "pair's journal holds an unfinished failover (never for the old node once its "
             "disks were said moved).",
}
"""``--yes`` of each power change (default: the active MN's rule only)."""
_YES_ACTIVE_MN = "Go on when the nodes (one or many) include the pair's (possibly) active MN."


def _no_check(_node: Node) -> None:
    """No per-node check."""


def _old_node_check(fleet: FleetOptions, action: str) -> Callable[[Node], None]:
    """For ``on`` and ``cycle`` while a run's disks were said moved: refuse, on each node
    before anything is sent, the old node recognised by what identifies it (its serials,
    System UUID, NIC MACs) however it was addressed (:mod:`hamnhw.pair.oldnode`); else a
    check that does nothing."""
    if action not in ("on", "cycle"):
        return _no_check
    try:
        config = fleet.config()
    except ConfigError:
        return _no_check
    if config is None:
        return _no_check
    from hamnhw.pair.oldnode import old_node, refuse_if_old_node

    old = old_node(config)
    if old is None:
        return _no_check
    return lambda node: refuse_if_old_node(old, node, action)


def _change_command(name: str, doc: str, method: str,
                    *extra_options: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Register ``power NAME``, calling ``node.power.METHOD(wait=, timeout=, **extra)``."""

    @click.option("--no-wait", is_flag=True,
                  help="Return once the BMC accepted the request (state read once, "
                       "\"confirmed\": false).")
    @click.option("--dry-run", is_flag=True,
                  help="Read the node and print what would be sent (or that it is already "
                       "in that state); send nothing.")
    @nodes_options
    @click.pass_context
    def change(ctx: click.Context, fleet: FleetOptions, no_wait: bool, dry_run: bool,
               **extra: Any) -> None:
        yes = extra.pop("yes", False)
        overrides: list[PendingOverride] = []  # a --yes the run guard let through

        def check(selection: Selection) -> None:
            override = refuse_power_change(fleet, name, yes, selection, dry_run=dry_run)
            if override is not None:
                overrides.append(override)

        identity = _old_node_check(fleet, name)
        if dry_run:
            # Imported here: ``power status`` is timed as a whole process against
            # redfishtool (docs/performance.md), and only --dry-run needs the plans.
            from hamnhw.cli.plan_output import plan_payload, render_plan
            from hamnhw.plan import plan_power

            escalate_after = extra.get("escalate_after")
            def plan(node: Node) -> dict[str, Any]:
                identity(node)
                return plan_payload(plan_power(node, method, escalate_after=escalate_after))

            run_on_nodes(ctx, fleet, lambda _budget: plan, render_plan, check=check,
                         dry_run=True)
            return

        def prepare(budget: CommandBudget) -> Callable[[Node], dict[str, Any]]:
            escalate_after = extra.get("escalate_after")
            check_escalation(escalate_after, budget.longest_wait)

            def action(node: Node) -> dict[str, Any]:
                identity(node)
                for override in overrides:  # every check passed: journaled, then sent
                    override.journal(node.name)
                return change_power(node, method, budget, wait=not no_wait,
                                    escalate_after=escalate_after)

            return action

        run_on_nodes(ctx, fleet, prepare, _render_change, check=check)

    change = click.option("--yes", is_flag=True, help=YES_HELP.get(name, _YES_ACTIVE_MN))(change)
    for option in extra_options:
        change = option(change)
    command.command(name, help=doc)(change)


_change_command("on", "Power on and wait until the host reads on.", "on")
_change_command("off", "Force off (no OS shutdown) and wait until off is read twice.", "off")
_change_command("soft-off", "Graceful shutdown through the OS and wait until off.", "soft_off",
                click.option("--escalate-after", metavar="S", default=None,
                             type=click.FloatRange(min=0, min_open=True),
                             help="Force off if the host is still on after S seconds."))
_change_command("cycle", "Power cycle a running host (refused when it is off); confirmed only when "
                "the host shows the reset (a power transition or a new LastResetTime), then on.",
                "cycle")
