"""How a fan-out (:mod:`hamnhw.cli.fleet`) shows its nodes: JSON lines or each node's text
as it finishes (:class:`StreamView`), or a progress bar then a table on a terminal
(:class:`TableView`); a summary at the end either way.

A node's error reaches a view as it was raised, already the ``Interrupted`` of a signal
that ended the node (converted where the node ran, with what it had sent): a view shows it
as it is.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import click

from hamnhw.cli.fleet_progress import Running, waiting_column
from hamnhw.cli.output import Renderer, dumps, error_message, error_payload
from hamnhw.fleet.runner import NodeResult

Summary = Callable[[Mapping[str, Any]], str]
"""One line of a node's payload (the terminal table's)."""


class View:
    """What a fan-out shows: called from the main thread only (:meth:`started` excepted)."""

    def start(self, nodes: tuple[str, ...]) -> None:
        """Before the first node."""

    def started(self, name: str) -> None:
        """Node ``name`` is under way (called from that node's thread)."""

    def add(self, result: NodeResult[Any], code: int) -> None:
        """One node finished, with exit code ``code``."""

    def finish(self, codes: list[int], elapsed_s: float) -> None:
        """After the last node (also after an interrupt)."""


class StreamView(View):
    """JSON lines, or each node's text as it finishes; a summary at the end."""

    def __init__(self, json_output: bool, render: Renderer) -> None:
        self.json, self.render = json_output, render

    def add(self, result: NodeResult[Any], code: int) -> None:
        if result.error is None:
            payload = {"node": result.node, **(result.value or {})}
            click.echo(dumps(payload) if self.json else self.render(payload).rstrip("\n"))
        elif self.json:
            click.echo(dumps(error_payload(result.node, result.error, code)))
        else:
            click.echo(f"hamnhw: {result.node}: {error_message(result.error)}", err=True)

    def finish(self, codes: list[int], elapsed_s: float) -> None:
        summary = summary_payload(codes, elapsed_s)
        if self.json:
            click.echo(dumps({"summary": summary}))
        else:
            click.echo(summary_line(summary), err=True)


class TableView(View):
    """A progress bar on the terminal while running (naming the nodes it waits for after a
    while without progress: :mod:`hamnhw.cli.fleet_progress`), then a table of every node.

    :param clock: monotonic seconds, for the wait without progress (tests inject theirs).
    :param console: where the bar is drawn (default: a rich console on stderr).
    """

    def __init__(self, summary: Summary, *, clock: Callable[[], float] = time.monotonic,
                 console: Any = None) -> None:
        self.summary = summary
        self.rows: list[tuple[str, str, str]] = []
        self.progress: Any = None
        self.running = Running(clock)
        self.console = console

    def start(self, nodes: tuple[str, ...]) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self.order = {name: index for index, name in enumerate(nodes)}
        self.progress = Progress(*Progress.get_default_columns(), waiting_column(self.running),
                                 console=self.console or Console(file=sys.stderr),
                                 transient=True)
        self.task = self.progress.add_task("nodes", total=len(nodes))
        self.progress.start()

    def started(self, name: str) -> None:
        self.running.started(name)

    def add(self, result: NodeResult[Any], code: int) -> None:
        text = (self.summary({"node": result.node, **(result.value or {})})
                if result.error is None else error_message(result.error))
        self.rows.append((result.node, f"exit {code}" if code else "ok", text))
        self.running.ended(result.node)
        self.progress.advance(self.task)

    def finish(self, codes: list[int], elapsed_s: float) -> None:
        from hamnhw.views import records_table

        self.progress.stop()
        rows = sorted(self.rows, key=lambda row: self.order[row[0]])
        records = [{"node": n, "status": s, "result": t} for n, s, t in rows]
        click.echo(records_table(records, ("node", "status", "result")))
        click.echo(summary_line(summary_payload(codes, elapsed_s)), err=True)


def first_line(render: Renderer) -> Summary:
    """The first line of ``render``'s text, without its leading ``NODE: ``."""
    def line(payload: Mapping[str, Any]) -> str:
        text = render(payload).strip()
        return text.splitlines()[0].removeprefix(f"{payload['node']}: ") if text else ""

    return line


def summary_payload(codes: list[int], elapsed_s: float) -> dict[str, Any]:
    """``{"nodes", "ok", "failed", "by_exit_code", "elapsed_s"}``."""
    failed = [c for c in codes if c != 0]
    by_code: dict[str, int] = {}
    for code in sorted(failed):
        by_code[str(code)] = by_code.get(str(code), 0) + 1
    return {"nodes": len(codes), "ok": len(codes) - len(failed), "failed": len(failed),
            "by_exit_code": by_code, "elapsed_s": round(elapsed_s, 3)}


def summary_line(summary: Mapping[str, Any]) -> str:
    """``hamnhw: 200 nodes: 198 ok, 2 failed (exit 3: 2) in 4.1 s``."""
    codes = ", ".join(f"exit {c}: {n}" for c, n in summary["by_exit_code"].items())
    failed = f", {summary['failed']} failed ({codes})" if summary["failed"] else ""
    return (f"hamnhw: {summary['nodes']} nodes: {summary['ok']} ok{failed} in "
            f"{summary['elapsed_s']:.1f} s")
