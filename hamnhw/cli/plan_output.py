"""The output of a ``--dry-run`` (a :class:`~hamnhw.plan.WritePlan`) and of a write run from a
plan (a :class:`~hamnhw.plan.WriteOutcome`), shared by ``power``, ``boot`` and
``restore-policy``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import click

from hamnhw.models import to_jsonable
from hamnhw.plan import WriteOutcome, WritePlan

if TYPE_CHECKING:
    from hamnhw.cli.budget import CommandBudget
    from hamnhw.node import Node

Prepare = Callable[["CommandBudget"], Callable[["Node"], Mapping[str, Any]]]
Verdict = Callable[[Mapping[str, Any]], int]
INTERRUPTED = frozenset({130, 143})


def plan_payload(plan: WritePlan) -> dict[str, Any]:
    """The JSON of a ``--dry-run``: ``dry_run`` true and the plan (operation, changed,
    summary, current, wanted, requests, notes)."""
    payload: dict[str, Any] = {"dry_run": True}
    payload.update(to_jsonable(plan))
    return payload


def render_plan(payload: Mapping[str, Any]) -> str:
    """The plan's summary, then each request it would send, and whether the real run would
    be refused (``refused``: :func:`hamnhw.cli.fleet.run_on_nodes`)."""
    lines = [f"{payload['node']}: {payload['summary']} (dry run: nothing sent)"]
    for request in payload["requests"] or ():
        lines.append(f"  {request['method']} {request['path']} {request['body'] or ''}".rstrip())
    lines.extend(f"  note: {note}" for note in payload["notes"])
    refused = payload.get("refused")
    if refused:
        lines.append(f"  the real run would be refused (exit {refused['exit_code']}): "
                     f"{refused['message']}")
    return "\n".join(lines)


def outcome_payload(outcome: WriteOutcome, key: str) -> dict[str, Any]:
    """The JSON of a write: ``changed``, the state under ``key`` (as read back after the
    write, else as read before it) and the ``plan`` it ran."""
    state = outcome.readback if outcome.sent else outcome.plan.current
    return {key: state, "changed": outcome.changed, "plan": to_jsonable(outcome.plan)}


def render_outcome(key: str) -> Any:
    """A renderer of :func:`outcome_payload` output: ``node: STATE (changed|unchanged)``."""
    def render(payload: Mapping[str, Any]) -> str:
        change = "changed" if payload["changed"] else "unchanged"
        return f"{payload['node']}: {payload[key]} ({change})"

    return render


def mark_refused(prepare: Prepare, refused: Mapping[str, Any] | None) -> Prepare:
    """``prepare`` whose payloads say whether the real run would be refused: ``refused``
    ``{"message", "exit_code"}``, else null (:func:`hamnhw.cli.fleet.run_on_nodes`)."""
    def marked(budget: CommandBudget) -> Callable[[Node], Mapping[str, Any]]:
        action = prepare(budget)
        return lambda node: {**action(node), "refused": refused}

    return marked


def refused_code(judge: Verdict) -> Verdict:
    """The refusal's code for a payload that carries one, else ``judge``'s."""
    return lambda payload: (int(payload["refused"]["exit_code"]) if payload.get("refused")
                            else judge(payload))


@contextlib.contextmanager
def predicted_exit(refused: Mapping[str, Any] | None) -> Iterator[None]:
    """A dry run whose real run would be refused exits with the refusal's code, whatever
    its nodes' plans met (a node off for a cycle, one that did not answer: shown in their
    lines), as the real run, which sends nothing, would; an interrupt keeps its own."""
    try:
        yield
    except click.exceptions.Exit as exc:
        if refused is None or exc.exit_code in INTERRUPTED:
            raise
        raise click.exceptions.Exit(int(refused["exit_code"])) from None
