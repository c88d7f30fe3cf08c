"""``hamnhw power status|on|off|soft-off|cycle NODE [--timeout S] [--no-wait] [--dry-run]``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

from hamnhw.cli.budget import LOGOUT_RESERVE_S, CommandBudget
from hamnhw.cli.options import TargetOptions, node_options, run_on_node, run_waiting_on_node
from hamnhw.cli.plan_output import plan_payload, render_plan
from hamnhw.errors import ConfigError
from hamnhw.models import PowerResult, to_jsonable
from hamnhw.node import Node
from hamnhw.plan import plan_power
from hamnhw.poll import LAST_READ_S


@click.group("power")
def command() -> None:
    """Read or change the host power state."""


@command.command("status")
@node_options
@click.pass_context
def status(ctx: click.Context, target: TargetOptions) -> None:
    """Print the power state: on, off, powering_on, powering_off or unknown."""
    def read(node: Node) -> dict[str, Any]:
        state = node.power.state()
        return {"power_state": state.value, "protocol": node.protocol}

    run_on_node(ctx, target, read, lambda p: f"{p['node']}: {p['power_state']}")


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
    (``no-wait``, ``reset-unseen``) and, when a soft-off forced the node off, escalation
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


def check_escalation(escalate_after: float | None, longest_wait: float) -> None:
    """Refuse an ``--escalate-after`` that is not shorter than the longest possible wait:
    the one rule, checked before anything is sent (``--escalate-after`` counts from the
    command's start, like the wait's budget: :meth:`CommandBudget.escalate_after`).

    :raises ConfigError: before anything is sent (exit 2).
    """
    if escalate_after is not None and escalate_after >= longest_wait:
        raise ConfigError(f"--escalate-after ({escalate_after:g} s) must be shorter than the "
                          f"longest wait ({longest_wait:g} s): --timeout (else the config's "
                          f"timeout, else 120 s) minus the {LOGOUT_RESERVE_S:g} s kept for "
                          f"logging out and the {LAST_READ_S:g} s of the wait's last read")


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
    words = {"no-wait": "--no-wait, the state was read once",
             "reset-unseen": "the node read on throughout; IPMI shows no reset shorter than "
                             "the poll interval"}.get(reason, reason)
    return f"{line} (unconfirmed: {words})"


def _change_command(name: str, doc: str, method: str,
                    *extra_options: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Register ``power NAME``, calling ``node.power.METHOD(wait=, timeout=, **extra)``."""

    @click.option("--no-wait", is_flag=True,
                  help="Return once the BMC accepted the request (state read once, "
                       "\"confirmed\": false).")
    @click.option("--dry-run", is_flag=True,
                  help="Read the node and print what would be sent (or that it is already "
                       "in that state); send nothing.")
    @node_options
    @click.pass_context
    def change(ctx: click.Context, target: TargetOptions, no_wait: bool, dry_run: bool,
               **extra: Any) -> None:
        if dry_run:
            escalate_after = extra.get("escalate_after")
            run_on_node(ctx, target, lambda node: plan_payload(
                plan_power(node, method, escalate_after=escalate_after)), render_plan)
            return

        def prepare(budget: CommandBudget) -> Callable[[Node], dict[str, Any]]:
            escalate_after = extra.get("escalate_after")
            check_escalation(escalate_after, budget.longest_wait)

            def action(node: Node) -> dict[str, Any]:
                call = getattr(node.power, method)
                timeout = budget.wait_seconds()
                arguments = dict(extra)
                if escalate_after is not None:  # counted from the command's start
                    arguments["escalate_after"] = budget.escalate_after(escalate_after, timeout)
                return change_payload(call(wait=not no_wait, timeout=timeout, **arguments))

            return action

        run_waiting_on_node(ctx, target, prepare, _render_change)

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
