"""How the event listener reports: a log line on stderr, a JSON line on stdout, and
optionally a command run per change (``--exec``), without a shell.

The command gets these environment variables (values cleaned of control characters and
capped: most come from the BMC and are untrusted), plus ``PATH``, ``HOME``, ``USER``,
``LOGNAME``, ``LANG``, ``LANGUAGE``, ``TZ``, ``TMPDIR`` and ``LC_*`` from hamnhw's own
environment (:func:`hamnhw.procenv.plain_env`), nothing else: never a password or Kg variable:

====================  ===============================================================
``HAMNHW_NODE``       the node (config name or BMC URL)
``HAMNHW_EVENT``      ``volume_changed``, ``drive_changed``, ``subscription_lost``,
                      ``unreachable`` (retrying) or ``failed`` (given up: unsupported,
                      configuration, credentials refused)
``HAMNHW_SUBJECT``    volume id or drive serial (empty for the other events)
``HAMNHW_NAME``       volume name or drive bay
``HAMNHW_OLD``        previous state (``optimal``, ``degraded``, ``rebuilding``, ``failed``,
                      ``unknown``; drives ``OK``, ``Warning``, ``Critical``, ``unknown``)
``HAMNHW_NEW``        new state
``HAMNHW_PERCENT``    rebuild percent, when told
``HAMNHW_MESSAGE_ID`` MessageId of the event that triggered the re-read, as the event
                      says: unauthenticated when pushed (see ``HAMNHW_SOURCE``)
``HAMNHW_SOURCE``     where that event came from: ``sse`` (the BMC, over the verified
                      session) or ``push (unauthenticated)`` (posted to the listener)
``HAMNHW_REASON``     why a subscription was lost or the BMC is unreachable
``HAMNHW_JSON``       the whole JSON line, at most 8192 characters: when longer, its
                      strings are shortened (it stays valid JSON)
====================  ===============================================================
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import queue
import subprocess
import threading
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from hamnhw.log import get_logger
from hamnhw.monitor.eventrecords import clean
from hamnhw.procenv import plain_env

LOG = get_logger("hamnhw.events")
EXEC_EVENTS = frozenset({"volume_changed", "drive_changed", "subscription_lost", "unreachable",
                         "failed"})
EXEC_TIMEOUT_S = 60.0
_ENV_FIELDS = {"subject": "HAMNHW_SUBJECT", "name": "HAMNHW_NAME", "old": "HAMNHW_OLD",
               "new": "HAMNHW_NEW", "percent": "HAMNHW_PERCENT",
               "message_id": "HAMNHW_MESSAGE_ID", "reason": "HAMNHW_REASON"}
_WARNING_EVENTS = frozenset({"subscription_lost", "unreachable", "failed"})


@dataclasses.dataclass(frozen=True)
class Report:
    """One thing the listener says about a node."""

    node: str
    event: str
    fields: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON line: time, node, event, then the fields."""
        now = datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds")
        return {"time": now, "node": self.node, "event": self.event, **self.fields}

    def describe(self) -> str:
        """The log line."""
        fields = self.fields
        if self.event in ("volume_changed", "drive_changed"):
            what = "volume" if self.event == "volume_changed" else "drive"
            percent = f" ({fields['percent']}%)" if fields.get("percent") is not None else ""
            return (f"{self.node}: {what} {fields.get('name') or fields.get('subject')}: "
                    f"{fields.get('old')} -> {fields.get('new')}{percent}")
        detail = ", ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        return f"{self.node}: {self.event.replace('_', ' ')}" + (f" ({detail})" if detail else "")


class Reporter:
    """Writes reports; runs ``exec_argv`` per change in a worker thread (one at a time, in
    order, each bounded by ``exec_timeout``)."""

    def __init__(self, out: TextIO, exec_argv: Sequence[str] | None = None,
                 secret_variables: Iterable[str] = (),
                 exec_timeout: float = EXEC_TIMEOUT_S) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._argv = list(exec_argv or [])
        self._secret_variables = tuple(secret_variables)
        self._timeout = exec_timeout
        self._jobs: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        if self._argv:
            self._worker = threading.Thread(target=self._run_jobs, daemon=True,
                                            name="hamnhw-events-exec")
            self._worker.start()

    def report(self, report: Report) -> None:
        """Log, print the JSON line, queue the command."""
        payload = report.to_json()
        line = json.dumps(payload)
        level = "warning" if report.event in _WARNING_EVENTS else "info"
        getattr(LOG, level)("%s", report.describe())
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()
        if self._argv and report.event in EXEC_EVENTS:
            self._jobs.put(payload)

    def close(self) -> None:
        """Wait for the queued commands (each still bounded by its timeout)."""
        if self._worker is not None:
            self._jobs.put(None)
            self._worker.join()
            self._worker = None

    def _run_jobs(self) -> None:
        while (payload := self._jobs.get()) is not None:
            self._run(payload)

    def _run(self, payload: dict[str, Any]) -> None:
        env = exec_environment(payload, self._secret_variables)
        try:
            done = subprocess.run(self._argv, env=env, capture_output=True, text=True,  # noqa: S603
                                  timeout=self._timeout, check=False, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            LOG.warning("--exec %s failed: %s", self._argv[0], exc)
            return
        if done.returncode != 0:
            LOG.warning("--exec %s exited %s: %s", self._argv[0], done.returncode,
                        clean(done.stderr, 500))


def exec_environment(payload: dict[str, Any], secret_variables: Iterable[str] = ()
                     ) -> dict[str, str]:
    """The ``--exec`` command's environment: the documented HAMNHW_* variables over
    :func:`~hamnhw.procenv.plain_env` (a few well-known variables, never a secret one)."""
    env = plain_env(secret_variables)
    env["HAMNHW_NODE"] = clean(payload.get("node")) or ""
    env["HAMNHW_EVENT"] = clean(payload.get("event")) or ""
    for key, variable in _ENV_FIELDS.items():
        value = payload.get(key)
        env[variable] = "" if value is None else clean(value) or ""
    trigger = payload.get("trigger")
    env["HAMNHW_SOURCE"] = clean(trigger.get("source")) or "" if isinstance(trigger, dict) else ""
    env["HAMNHW_JSON"] = bounded_json(payload)
    return env


MAX_JSON = 8192
"""Longest ``HAMNHW_JSON`` (environments are limited; Linux caps one string at 128 KiB)."""


def bounded_json(payload: dict[str, Any], limit: int = MAX_JSON) -> str:
    """``payload`` as JSON of at most ``limit`` characters: strings are shortened (with a
    trailing ``...``) until it fits, so it always parses; a payload that still does not fit
    keeps only ``time``, ``node`` and ``event``."""
    text = json.dumps(payload)
    cap = 1024
    while len(text) > limit and cap >= 16:
        text = json.dumps(_shortened(payload, cap))
        cap //= 2
    if len(text) > limit:
        text = json.dumps(_shortened({k: payload.get(k) for k in ("time", "node", "event")},
                                     limit // 8))
    return text


def _shortened(value: Any, cap: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= cap else value[:cap - 3] + "..."
    if isinstance(value, dict):
        return {k: _shortened(v, cap) for k, v in value.items()}
    if isinstance(value, list):
        return [_shortened(v, cap) for v in value]
    return value
