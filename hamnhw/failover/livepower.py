"""Each pair node's power for ``failover status``: read now; where its BMC does not give it,
the power the run last read (with when) and what the BMC answered instead.

What it answered is told apart as the coordinator tells it (:mod:`hamnhw.failover.bmcanswer`):
silence (no connection made, no route) is ``no answer``; anything else is an answer of a
BMC that is up (a refused connection, credentials refused, access denied, a certificate not
accepted, a server error...), never "unreachable", with what to fix.

::

    power, as_of, answers = live_power(config, run.facts)
    answers.get("primary")   # {"answer": "credentials refused", "error": "...", "fix": "..."}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hamnhw.config import Config
from hamnhw.errors import (
    AccessDenied,
    AuthenticationError,
    ConfigError,
    HamnhwError,
    HttpError,
    MalformedResponse,
    ServerSideError,
    TlsError,
)
from hamnhw.failover.bmcanswer import answers, remedy, tcp_answer, transient
from hamnhw.failover.report import NO_ANSWER
from hamnhw.pair import PAIR_NODES, connect_node

_KINDS: tuple[tuple[type[HamnhwError], str], ...] = (
    (AuthenticationError, "credentials refused"),
    (AccessDenied, "access denied"),
    (TlsError, "certificate not accepted"),
    (ServerSideError, "server error"),
    (MalformedResponse, "malformed answer"),
    (ConfigError, "not asked: config error"),
)


def answer_kind(exc: HamnhwError) -> str:
    """What a BMC answered with ``exc`` in a few words: :data:`NO_ANSWER` when it did not
    answer (:func:`~hamnhw.failover.bmcanswer.answers`: silent, or undecided), else the kind
    of its answer (``refuses connections``, ``credentials refused``, ``access denied``,
    ``certificate not accepted``, ``server error``, ``malformed answer``, ``answered, then
    stalled``, ``HTTP 404``...)."""
    if not answers(exc):
        return NO_ANSWER
    words = tcp_answer(exc)
    if words is not None:
        return words
    for kind, words in _KINDS:
        if isinstance(exc, kind):
            return words
    if transient(exc):
        return "answered, then stalled"
    if isinstance(exc, HttpError):
        return f"HTTP {exc.status}"
    return "error answer"


def answer_of(name: str, exc: HamnhwError, config: Config | None = None) -> dict[str, str]:
    """``{"answer", "error", "fix"}``: what ``name``'s BMC answered instead of its power
    (:func:`answer_kind`), the error itself, and what to fix
    (:func:`~hamnhw.failover.bmcanswer.remedy`)."""
    return {"answer": answer_kind(exc), "error": str(exc), "fix": remedy(name, exc, config)}


def live_power(config: Config, facts: dict[str, Any],
               prompt: Callable[[str], str] | None = None,
               ) -> tuple[dict[str, str], dict[str, float | None], dict[str, dict[str, str]]]:
    """Each node's power read now; where its BMC does not give it, the power the run last
    read, with when (``as_of``; None for a live read or never read) and what the BMC
    answered (:func:`answer_of`; absent for a live read)."""
    power: dict[str, str] = {}
    as_of: dict[str, float | None] = {}
    answers: dict[str, dict[str, str]] = {}
    last = facts.get("last_power") or {}
    for name in PAIR_NODES:
        try:
            with connect_node(config, name, prompt=prompt) as node:
                power[name], as_of[name] = node.power.state().value, None
        except HamnhwError as exc:
            power[name] = last.get(name, "unknown")
            as_of[name] = facts.get("last_power_at") if name in last else None
            answers[name] = answer_of(name, exc, config)
    return power, as_of, answers
