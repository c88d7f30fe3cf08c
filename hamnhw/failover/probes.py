"""Checks outside the BMCs: TCP reachability, the SSH host key, the verify commands.

All bounded by a timeout; commands run from an argv list (never a shell) with an
environment free of secrets (:func:`hamnhw.procenv.child_env`).
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
from collections.abc import Sequence

from hamnhw import noanswer
from hamnhw.pairconfig import split_address
from hamnhw.procenv import child_env

OUTPUT_LIMIT = 4000
"""Characters of a command's output kept in the journal (the end of it)."""


ACCEPTED = "accepted"
"""A probe's TCP connection was accepted: a host holds the address and listens there."""
_HEARD = {ACCEPTED: "accepted a connection",
          noanswer.REFUSED: "refused a connection (a host holds the address)",
          noanswer.UNRESOLVED: "did not resolve (nothing could be probed)"}
_TCP_SILENCE = frozenset({noanswer.CONNECT_TIMEOUT, noanswer.HOST_UNREACHABLE})
"""What a TCP probe meets where no host holds the address."""


def probe(address: str, timeout: float = 2.0) -> str:
    """What a TCP connection to ``host:port`` met within ``timeout``: :data:`ACCEPTED`, or a
    reason of :mod:`hamnhw.noanswer` (silence: ``connect_timeout``, ``host_unreachable``;
    ``refused``; ``unresolved``), or ``"error: <what>"`` for any other failure."""
    host, port = split_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return ACCEPTED
    except TimeoutError:
        return noanswer.CONNECT_TIMEOUT
    except OSError as exc:
        return noanswer.connect_reason(exc) or f"error: {exc.strerror or exc}"


def answers(address: str, timeout: float = 2.0) -> bool:
    """True when a TCP connection to ``host:port`` succeeds within ``timeout``."""
    return probe(address, timeout) == ACCEPTED


def answering(addresses: Sequence[str], timeout: float = 2.0) -> list[str]:
    """The addresses among ``addresses`` that accept a connection."""
    return [a for a in addresses if answers(a, timeout)]


def not_silent(addresses: Sequence[str], timeout: float = 2.0) -> dict[str, str]:
    """The addresses among ``addresses`` that are not silent, each with what it did.

    Only silence (no connection within ``timeout``, no route to a host) tells that no host
    holds the address: a refused connection is a host answering, and an address that could
    not be probed tells nothing."""
    heard = {a: probe(a, timeout) for a in addresses}
    return {a: _HEARD.get(what, what) for a, what in heard.items()
            if what not in _TCP_SILENCE}


def ssh_host_key(address: str, timeout: float = 5.0) -> tuple[str, ...] | None:
    """The host keys ``ssh-keyscan`` reads at ``host:port`` as sorted ``"<type> <key>"``
    lines; None when nothing answered or ``ssh-keyscan`` is not installed."""
    keyscan = shutil.which("ssh-keyscan")
    if keyscan is None:
        return None
    host, port = split_address(address)
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [keyscan, "-T", str(max(1, int(timeout))), "-p", str(port), host],
            capture_output=True, text=True, timeout=timeout + 5, env=child_env(), check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    keys = sorted({" ".join(line.split()[1:3]) for line in done.stdout.splitlines()
                   if line and not line.startswith("#") and len(line.split()) >= 3})
    return tuple(keys) or None


@dataclasses.dataclass(frozen=True)
class CommandResult:
    """One verify command's run."""

    argv: tuple[str, ...]
    exit_code: int | None
    """None when it could not start or timed out."""
    output: str
    """stdout and stderr, the last :data:`OUTPUT_LIMIT` characters."""
    error: str | None = None
    """Why it did not run to an exit code."""

    @property
    def ok(self) -> bool:
        """Exited 0."""
        return self.exit_code == 0


def run_command(argv: Sequence[str], timeout: float,
                secret_names: Sequence[str] = ()) -> CommandResult:
    """Run ``argv`` without a shell, bounded by ``timeout`` seconds.

    :param secret_names: environment variables not to pass on (the BMC password variables).
    """
    args = tuple(argv)
    try:
        done = subprocess.run(  # noqa: S603 - argv from the config, no shell
            list(args), capture_output=True, text=True, timeout=max(0.1, timeout),
            env=child_env(secret_names), check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        return CommandResult(args, None, _tail(exc.stdout, exc.stderr),
                             f"no exit within {timeout:.0f} s")
    except OSError as exc:
        return CommandResult(args, None, "", f"cannot run: {exc.strerror}")
    return CommandResult(args, done.returncode, _tail(done.stdout, done.stderr))


def _tail(stdout: object, stderr: object) -> str:
    parts = [p.decode(errors="replace") if isinstance(p, bytes) else (p or "")
             for p in (stdout, stderr)]
    return "".join(str(p) for p in parts)[-OUTPUT_LIMIT:]
