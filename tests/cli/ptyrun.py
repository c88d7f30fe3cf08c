"""Run a command on a pseudo-terminal, as an operator at a terminal would, and answer its
prompts."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Mapping, Sequence

GIVE_UP_S = 60.0
"""A guard against a hang, not a timing assertion."""
CTRL_C = "\x03"
"""Typed on the terminal: SIGINT to the program in the foreground."""


def _controlling_terminal() -> None:
    """In the child, after setsid: make its stdin (the pty) its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def hamnhw_argv(*args: str) -> list[str]:
    """``hamnhw ARGS`` through the interpreter running the tests."""
    return [sys.executable, "-m", "hamnhw.cli.main", *args]


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test environment without hamnhw's variables, plus ``extra``; a real TERM."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAMNHW_")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"})
    env.update(extra or {})
    return env


def run_on_pty(argv: Sequence[str], env: Mapping[str, str],
               answers: Sequence[tuple[str | Callable[[], bool], str]] = (), *,
               stdout_on_pty: bool = True, columns: int | None = None
               ) -> tuple[int, str, str]:
    """Run ``argv`` with stdin and stderr (and stdout, unless ``stdout_on_pty`` is False)
    on a pty, its controlling terminal; whenever the terminal shows the next
    ``(prompt, answer)``'s prompt (or, for a callable prompt, once it returns True), type
    the answer and Enter (an answer of ``CTRL_C`` is typed alone: the terminal sends
    SIGINT).

    :param columns: the terminal's width (else the pty's default).
    :returns: exit code, everything the terminal showed, and stdout when it was a pipe.
    """
    master, slave = pty.openpty()
    if columns is not None:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    stdout = slave if stdout_on_pty else subprocess.PIPE
    proc = subprocess.Popen(list(argv), stdin=slave, stdout=stdout, stderr=slave, env=dict(env),
                            start_new_session=True, preexec_fn=_controlling_terminal)
    os.close(slave)
    shown = b""
    pending = list(answers)
    answered_at = 0
    give_up = time.monotonic() + GIVE_UP_S
    try:
        while time.monotonic() < give_up:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            if pending and _due(pending[0][0], shown[answered_at:]):
                answer = pending.pop(0)[1]
                os.write(master, (answer if answer == CTRL_C else answer + "\n").encode())
                answered_at = len(shown)
            if not ready and proc.poll() is not None:
                break
        out = proc.stdout.read().decode() if proc.stdout else ""
        code = proc.wait(timeout=GIVE_UP_S)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return code, shown.decode(errors="replace"), out


def _due(prompt: str | Callable[[], bool], shown: bytes) -> bool:
    return prompt() if callable(prompt) else prompt.encode() in shown
