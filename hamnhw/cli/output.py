"""How the CLI prints: one JSON object per node on stdout with ``--json``,
readable aligned tables otherwise; errors as ``{"node", "error"}`` objects on
stdout with ``--json``, as a one-line message on stderr without.

An interrupted command's error object also carries ``signal``, ``request_sent`` and
``last_state`` (see :class:`~hamnhw.errors.Interrupted`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

import click

from hamnhw.errors import HamnhwError, Interrupted, TlsError

Renderer = Callable[[Mapping[str, Any]], str]
"""Turns a command's JSON payload into human-readable text."""


@dataclasses.dataclass
class Output:
    """Output settings shared by every command (``ctx.obj``)."""

    json: bool = False
    """Print JSON objects instead of tables."""

    def result(self, payload: Mapping[str, Any], render: Renderer) -> None:
        """Print a command's result."""
        if self.json:
            click.echo(dumps(payload))
        else:
            click.echo(render(payload).rstrip("\n"))

    def error(self, node: str | None, exc: BaseException, exit_code: int) -> None:
        """Print a failure: an error object (``--json``) or a message on stderr; a command
        the message suggests carries this invocation's ``--config``
        (:func:`~hamnhw.cli.confighint.with_config`)."""
        if self.json:
            payload = error_payload(node, exc, exit_code)
            payload["error"]["message"] = _with_config(payload["error"]["message"])
            click.echo(dumps(payload))
        else:
            prefix = f"hamnhw: {node}: " if node else "hamnhw: "
            text = error_message(exc)
            if (isinstance(exc, (HamnhwError, Interrupted)) and node and exc.host
                    and exc.host in node):
                text = exc.message  # the node is the BMC URL: name the BMC once
            click.echo(f"{prefix}{_with_config(text)}", err=True)


def _with_config(text: str) -> str:
    """``text`` with the current invocation's ``--config`` after each command it suggests."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return text
    from hamnhw.cli.confighint import with_config

    return with_config(ctx, text)


def dumps(payload: Any) -> str:
    """Serialise a payload (models allowed) as one line of JSON."""
    from hamnhw.models import to_jsonable  # not at import: --help needs no model

    return json.dumps(to_jsonable(payload), sort_keys=False)


def error_message(exc: BaseException) -> str:
    """The message of an exception, safe to show."""
    if isinstance(exc, click.ClickException):
        return exc.format_message()
    return str(exc) or type(exc).__name__


def error_payload(node: str | None, exc: BaseException, exit_code: int) -> dict[str, Any]:
    """The ``{"node", "error": {"type", "message", "exit_code"}}`` object (an
    ``Interrupted`` one adds ``signal``, ``request_sent`` and ``last_state``; a
    ``TlsError`` the ``fingerprint`` the BMC presented, when known)."""
    error: dict[str, Any] = {"type": type(exc).__name__, "message": error_message(exc),
                             "exit_code": int(exit_code)}
    if isinstance(exc, Interrupted):
        error.update(signal=exc.signal_name, request_sent=exc.request_sent,
                     last_state=exc.last_state)
    if isinstance(exc, TlsError) and exc.fingerprint:
        error["fingerprint"] = exc.fingerprint
    return {"node": node, "error": error}
